-- Messages from webhooks: recorded exactly once per (inbox, provider message id), in one open
-- conversation per inbox and contact, with gapless message_index; delivery statuses only move
-- forward (failed is final), also when they arrive before their message. Only the service role
-- writes messages; people read their company's messages and consumption, per actor.
begin;
set search_path to public, extensions, tests;

select plan(48);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');

create function pg_temp.message(phone text, provider_id text, direction text default 'in', role text default 'user') returns jsonb
language sql as $$
  select jsonb_build_object('contact_phone', phone, 'contact_name', 'Lead', 'direction', direction, 'role', role,
                            'type', 'text', 'body', 'message ' || provider_id, 'media', null, 'provider_message_id', provider_id,
                            'sent_at', '2026-12-05T10:00:00Z', 'metadata', '{"source": "test"}'::jsonb)
$$;
create function pg_temp.status_of(provider_id text) returns text
language sql as $$ select status::text from public.messages where provider_message_id = provider_id $$;

-- ─── who may record ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.forged')),
  '42501', null, 'an owner cannot record a message');
select throws_ok(format($$ select private.apply_message_status(%L, 'wamid.x', 'read', now()) $$, tests.inbox_id('Line A')),
  '42501', null, 'nor a delivery status');
select throws_ok(format($$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
  values (%L, %L, gen_random_uuid(), gen_random_uuid(), 1, 'in', 'user', 'received') $$, tests.tenant_id('tenant-a'), tests.inbox_id('Line A')),
  '42501', null, 'nor insert a message directly');
select tests.clear_authentication();
select throws_ok(format($$ select private.record_webhook_message(%L, '{}') $$, tests.inbox_id('Line A')), '42501', null, 'anon cannot record a message');
select tests.authenticate_as_service_role();

-- ─── recorded once ───────────────────────────────────────────────────────────────────────────
select is(
  (select r - 'message_id' - 'conversation_id' - 'contact_id' from private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.1')) r),
  '{"duplicate": false}'::jsonb, 'the first copy is recorded');
select is(
  private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('+55 11 98765-1111', 'wamid.1')),
  (select jsonb_build_object('message_id', id, 'conversation_id', conversation_id, 'contact_id', contact_id, 'duplicate', true)
   from public.messages where provider_message_id = 'wamid.1'),
  'a second copy answers the first one''s ids, duplicate');
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.1'), 1, 'one message for the two copies');
select is((select last_message_index || '/' || unread_count from public.conversations where id = tests.conversation_id('Line A', '+5511987651111')), '1/1',
  'the copy moved neither the counter nor unread_count');
select is(
  (select row(direction, role, type, body, status, sent_at, metadata, tenant_id = tests.tenant_id('tenant-a'))::text from public.messages where provider_message_id = 'wamid.1'),
  row('in'::message_direction, 'user'::message_role, 'text'::message_type, 'message wamid.1', 'received'::message_status,
      '2026-12-05T10:00:00Z'::timestamptz, '{"source": "test"}'::jsonb, true)::text,
  'the message keeps what the webhook said, in the inbox''s company');
select ok(private.record_webhook_message(tests.inbox_id('Line B'), pg_temp.message('5511987651111', 'wamid.1')) ->> 'duplicate' = 'false',
  'the same provider id on another inbox is another message');

-- ─── one conversation, gapless indexes ───────────────────────────────────────────────────────
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.' || n))
from generate_series(2, 5) n;
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.echo', 'out', 'human'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.3'));
select is((select count(*)::int from public.conversations where inbox_id = tests.inbox_id('Line A')), 1, 'one conversation for the contact''s messages');
select is((select array_agg(message_index order by message_index) from public.messages where conversation_id = tests.conversation_id('Line A', '+5511987651111')),
  array[1, 2, 3, 4, 5, 6], 'message_index is 1..n without gaps, duplicates taking none');
select is((select last_message_index || '/' || unread_count from public.conversations where id = tests.conversation_id('Line A', '+5511987651111')), '6/5',
  'the counter is the last index; unread_count counts incoming messages only');
select is(pg_temp.status_of('wamid.echo'), 'sent', 'a message sent from the phone itself is recorded as sent, human, out');
select throws_ok(format($$ insert into public.conversations (tenant_id, inbox_id, contact_id) values (%L, %L, %L) $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511987651111')),
  '23505', null, 'a second open conversation for the same inbox and contact is refused by the database');
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987652222', 'wamid.other'));
select is((select count(*)::int from public.conversations where inbox_id = tests.inbox_id('Line A')), 2, 'another contact gets its own conversation');
select is((select message_index from public.messages where provider_message_id = 'wamid.other'), 1, 'whose indexes start at 1');

-- ─── refused input ───────────────────────────────────────────────────────────────────────────
select is(tests.raised(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'), pg_temp.message('5511987651111', 'wamid.bad', 'sideways'))),
  '{"state": "22023", "code": "webhook_message_invalid", "detail": {"field": "direction"}}'::jsonb, 'an unknown direction: webhook_message_invalid');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'),
  pg_temp.message('5511987651111', 'wamid.bad') || '{"type": "sticker"}')), 'webhook_message_invalid', 'an unknown type: webhook_message_invalid');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'),
  pg_temp.message('5511987651111', '') )), 'webhook_message_invalid', 'no provider id: webhook_message_invalid');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'),
  pg_temp.message('5511987651111', 'wamid.bad') || '{"sent_at": "yesterday"}')), 'webhook_message_invalid', 'a sent_at that is no time: webhook_message_invalid');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'), pg_temp.message('120363025246125486@g.us', 'wamid.group'))),
  'invalid_phone', 'a group''s id: invalid_phone');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, gen_random_uuid(), pg_temp.message('5511987651111', 'wamid.lost'))),
  'inbox_not_found', 'an inbox that is not there: inbox_not_found');
select is((select count(*)::int from private.message_provider_ids where provider_message_id in ('wamid.bad', 'wamid.group', 'wamid.lost')), 0,
  'a refused message leaves nothing behind');

-- ─── statuses only move forward ──────────────────────────────────────────────────────────────
select ok(private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'delivered', '2026-12-05T10:01:00Z'), 'sent → delivered');
select ok(not private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'sent', '2026-12-05T10:02:00Z'), 'delivered → sent changes nothing');
select ok(private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'read', '2026-12-05T10:03:00Z'), 'delivered → read');
select ok(not private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'read', '2026-12-05T10:04:00Z'), 'read again changes nothing');
select is((select status || ' ' || status_at from public.messages where provider_message_id = 'wamid.echo'), 'read 2026-12-05 10:03:00+00',
  'the message is read, at the time of its read status');
select ok(private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'failed', now(), '{"code": 131047, "title": "Re-engagement message"}'),
  'a failure after read is recorded');
select ok(not private.apply_message_status(tests.inbox_id('Line A'), 'wamid.echo', 'read', now()), 'failed is final');
select is((select error ->> 'code' from public.messages where provider_message_id = 'wamid.echo'), '131047', 'the failure keeps the provider''s error');
select is(tests.error_code(format($$ select private.apply_message_status(%L, 'wamid.echo', 'read', now()) $$, gen_random_uuid())),
  'inbox_not_found', 'a status for an inbox that is not there: inbox_not_found');

-- ─── a status before its message ─────────────────────────────────────────────────────────────
select ok(private.apply_message_status(tests.inbox_id('Line A'), 'wamid.early', 'delivered', '2026-12-05T11:00:00Z'), 'a status for an unknown id is kept');
select ok(private.apply_message_status(tests.inbox_id('Line A'), 'wamid.early', 'read', '2026-12-05T11:01:00Z'), 'a further one replaces it');
select ok(not private.apply_message_status(tests.inbox_id('Line A'), 'wamid.early', 'sent', '2026-12-05T10:59:00Z'), 'an earlier one does not');
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987652222', 'wamid.early', 'out', 'human'));
select is((select status || ' ' || status_at from public.messages where provider_message_id = 'wamid.early'), 'read 2026-12-05 11:01:00+00',
  'the message arrives with the furthest status that came first');
select is((select early_status from private.message_provider_ids where provider_message_id = 'wamid.early'), null, 'the early status is used up');
select private.apply_message_status(tests.inbox_id('Line A'), 'wamid.early-fail', 'failed', now(), '{"code": 131026}');
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987652222', 'wamid.early-fail', 'out', 'human'));
select is((select status || ' ' || (error ->> 'code') from public.messages where provider_message_id = 'wamid.early-fail'), 'failed 131026',
  'an early failure arrives with its error');

-- ─── reading, per actor ──────────────────────────────────────────────────────────────────────
reset role;
-- Today's rows (the triggers already wrote Line A's): a fixed date would be a second row once the clock moves on.
insert into public.consumption_inbox_daily (tenant_id, inbox_id, day, messages_in) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), (now() at time zone 'UTC')::date, 3),
  (tests.tenant_id('tenant-b'), tests.inbox_id('Line B'), (now() at time zone 'UTC')::date, 1)
on conflict (inbox_id, day) do nothing;
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.messages), 9, 'a member reads the company''s messages');
select is((select count(*)::int from public.consumption_inbox_daily), 1, 'and its consumption');
select throws_ok($$ select * from private.message_provider_ids $$, '42501', null, 'but not the provider id table');
select throws_ok(format($$ update public.messages set body = 'edited' where provider_message_id = 'wamid.1' $$), '42501', null, 'nor change a message');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.messages), 9, 'an analyst reads the company''s messages');
select tests.authenticate_as('member_b');
select is((select array_agg(provider_message_id) from public.messages), array['wamid.1'], 'a member of B reads only B''s messages');
select is((select count(*)::int from public.consumption_inbox_daily where tenant_id = tests.tenant_id('tenant-a')), 0, 'and none of A''s consumption');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.messages), 0, 'a platform admin reads no company''s messages directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.messages $$, '42501', null, 'anon reads no messages');

select * from finish();
rollback;
