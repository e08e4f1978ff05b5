-- Webhook processing: a stored event becomes a contact, a conversation and a message (or a status),
-- once — processing it again, or the same message in another event, records nothing new; a status
-- that came before its message is applied when the message arrives; a message sent from the phone
-- is human and outgoing; groups and unknown shapes end `ignored`; a message that can never be kept
-- is skipped with its reason; a failure leaves the event `failed` with the error, nothing half
-- written, and a retry time that backs off; owners and admins read their tenant's events and replay
-- one, nobody else does.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, admin_a, member_a, analyst_a), tenant B
-- (owner_b, member_b), the platform admin, anon, and the service role as the `webhooks` function.

begin;
set search_path to public, extensions, tests;

select plan(40);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
insert into public.inboxes (id, tenant_id, provider, display_name, zapi_instance_id) values
  ('00000000-0000-4000-8000-000000000132', tests.tenant_id('tenant-a'), 'zapi', 'Sales', 'instance132a'),
  ('00000000-0000-4000-8000-000000000133', tests.tenant_id('tenant-b'), 'zapi', 'Support', 'instance132b');

-- An event of inbox `inbox` holding `body`, stored as the webhooks function stores it; its id.
create function pg_temp.stored(inbox uuid, body text) returns bigint
language sql as $$ select event_id from private.store_webhook_event(inbox, body) $$;
create function pg_temp.event_status(event bigint) returns text
language sql security definer set search_path = '' as $$ select status::text from public.webhook_events where id = event $$;
grant execute on function pg_temp.event_status(bigint) to anon, authenticated, service_role;

create temporary table events (name text primary key, id bigint);
grant select on events to anon, authenticated, service_role;

select tests.authenticate_as_service_role();
insert into events values
  ('early read', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "MessageStatusCallback", "status": "READ", "ids": ["Z-OUT-1"], "momment": 1700000100000, "phone": "5511987654321"}')),
  ('inbound', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "ReceivedCallback", "messageId": "Z-IN-1", "phone": "5511987654321", "fromMe": false, "momment": 1700000000000, "senderName": "Ana", "text": {"message": "Oi"}}')),
  ('from the phone', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "ReceivedCallback", "messageId": "Z-OUT-1", "phone": "5511987654321", "fromMe": true, "momment": 1700000050000, "senderName": "Our company", "text": {"message": "Olá Ana"}}')),
  ('group', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "ReceivedCallback", "messageId": "Z-G-1", "phone": "120363-group", "isGroup": true, "text": {"message": "hi all"}}')),
  ('not json', pg_temp.stored('00000000-0000-4000-8000-000000000132', 'hello?')),
  ('bad phone', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "ReceivedCallback", "messageId": "Z-BAD-1", "phone": "12", "text": {"message": "who?"}}')),
  ('same message again', pg_temp.stored('00000000-0000-4000-8000-000000000132',
     '{"type": "ReceivedCallback", "messageId": "Z-IN-1", "phone": "5511987654321", "fromMe": false, "momment": 1700000000000, "senderName": "Ana", "text": {"message": "Oi"}, "retry": 1}')),
  ('tenant b', pg_temp.stored('00000000-0000-4000-8000-000000000133',
     '{"type": "ReceivedCallback", "messageId": "Z-B-1", "phone": "5521912345678", "text": {"message": "B"}}'));

-- ─── processing ──────────────────────────────────────────────────────────────────────────────
select is(private.process_webhook_events(100), 8, 'one batch processes every due event');
select results_eq(
  $$ select e.name, w.status::text from events e join public.webhook_events w on w.id = e.id order by e.id $$,
  $$ values ('early read', 'processed'), ('inbound', 'processed'), ('from the phone', 'processed'), ('group', 'ignored'),
            ('not json', 'ignored'), ('bad phone', 'ignored'), ('same message again', 'processed'), ('tenant b', 'processed') $$,
  'messages and statuses are processed; groups, bodies that are not JSON and messages that can never be kept are ignored');
select is((select count(*)::int from public.contacts where tenant_id = tests.tenant_id('tenant-a')), 1, 'one contact');
select is((select count(*)::int from public.conversations where inbox_id = '00000000-0000-4000-8000-000000000132'), 1, 'one conversation');
select results_eq(
  $$ select message_index, direction::text, role::text, body, status::text, provider_message_id from public.messages
     where inbox_id = '00000000-0000-4000-8000-000000000132' order by message_index $$,
  $$ values (1, 'in', 'user', 'Oi', 'received', 'Z-IN-1'), (2, 'out', 'human', 'Olá Ana', 'read', 'Z-OUT-1') $$,
  'two messages: the contact''s, and the one sent from the phone as human and outgoing, with the read status that came first');
select is((select name from public.contacts where tenant_id = tests.tenant_id('tenant-a')), 'Ana',
  'the contact is named by the sender''s name, not by our own on the message from the phone');
select is((select outcome from public.webhook_events where id = (select id from events where name = 'same message again')),
  '{"messages_new": 0, "messages_known": 1, "statuses_changed": 0, "statuses_unchanged": 0, "skipped": []}',
  'the same message in another event is known, not recorded again');
select is((select outcome #>> '{skipped,0,reason}' from public.webhook_events where id = (select id from events where name = 'bad phone')),
  'invalid_phone', 'a message whose phone is no phone number is skipped with the reason');
select is((select outcome -> 'skipped' from public.webhook_events where id = (select id from events where name = 'group')),
  '[{"reason": "group"}]', 'a group is skipped as a group');
select is((select count(*)::int from public.webhook_events where id in (select id from events) and status in ('processed', 'ignored') and (processed_at is null or next_attempt_at is not null or attempts <> 1)),
  0, 'each finished event has its time, one attempt and no retry time');
select is(private.process_webhook_events(100), null, 'nothing is due afterwards');
select is(private.process_webhook_event((select id from events where name = 'inbound')), 'processed'::public.webhook_event_status,
  'processing an event again is harmless');
select is((select count(*)::int from public.messages where inbox_id = '00000000-0000-4000-8000-000000000132'), 2, 'and records nothing new');
select is(tests.error_code($$ select private.process_webhook_event(-1) $$), 'webhook_event_not_found', 'an unknown event is not found');

-- ─── failure and retry ───────────────────────────────────────────────────────────────────────
-- The database refuses the message (a rule added for the test): the whole event is undone.
reset role;
alter table public.messages add constraint test_refuses_boom check (body is distinct from 'boom') not valid;
select tests.authenticate_as_service_role();
insert into events values ('refused', pg_temp.stored('00000000-0000-4000-8000-000000000132',
  '{"type": "ReceivedCallback", "messageId": "Z-BOOM-1", "phone": "5511955554444", "senderName": "Caio", "text": {"message": "boom"}}'));
select is(private.process_webhook_events(100), 1, 'the new event is processed');
select results_eq(
  $$ select status::text, attempts, error like '23514: %test_refuses_boom%' from public.webhook_events where id = (select id from events where name = 'refused') $$,
  $$ values ('failed', 1, true) $$,
  'a refusal leaves the event failed, with the error');
select is((select count(*)::int from public.contacts where phone like '%55554444'), 0, 'and nothing of it written (not even the contact)');
select cmp_ok((select next_attempt_at from public.webhook_events where id = (select id from events where name = 'refused')), '>=', now() + interval '30 seconds',
  'it is retried after 30 seconds');
select is(private.process_webhook_events(100), null, 'not before');
select is(private.webhook_retry_delay(2), interval '1 minute', 'then after 1 minute');
select is(private.webhook_retry_delay(5), interval '8 minutes', 'backing off');
select is(private.webhook_retry_delay(9), interval '1 hour', 'at most an hour apart');
select is(private.webhook_retry_delay(10), null, 'and not after the tenth attempt: it waits for a replay');
update public.webhook_events set next_attempt_at = now() where id = (select id from events where name = 'refused');
select is(private.process_webhook_events(100), 1, 'when due, it is tried again');
select is((select attempts from public.webhook_events where id = (select id from events where name = 'refused')), 2, 'counting its attempts');

-- ─── who reads events ────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.webhook_events), 8, 'the owner reads the tenant''s events');
select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.webhook_events), 8, 'an admin reads them');
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.webhook_events), 0, 'a member does not');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.webhook_events), 0, 'an analyst does not');
select tests.authenticate_as('owner_b');
select is((select count(*)::int from public.webhook_events), 1, 'another tenant''s owner reads only their own');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.webhook_events), 0, 'the platform admin reads none (not a member)');
select tests.clear_authentication();
select is(tests.raised($$ select count(*) from public.webhook_events $$) ->> 'state', '42501', 'anon may not read them');
select tests.authenticate_as('owner_a');
select is(tests.raised($$ update public.webhook_events set status = 'processed' $$) ->> 'state', '42501',
  'the owner may not change an event directly');

-- ─── replay ──────────────────────────────────────────────────────────────────────────────────
reset role;
alter table public.messages drop constraint test_refuses_boom;
select tests.authenticate_as('member_a');
select is(tests.error_code($$ select public.replay_webhook_event((select id from events where name = 'refused')) $$),
  'webhook_event_not_found', 'a member may not replay an event (it is not theirs to see)');
select tests.authenticate_as('owner_b');
select is(tests.error_code($$ select public.replay_webhook_event((select id from events where name = 'refused')) $$),
  'webhook_event_not_found', 'nor another tenant''s owner');
select tests.authenticate_as('admin_a');
select results_eq(
  $$ select r ->> 'status', (r ->> 'attempts')::int, r ? 'raw_body', (r ->> 'next_attempt_at')::timestamptz <= now()
     from public.replay_webhook_event((select id from events where name = 'refused')) r $$,
  $$ values ('pending', 0, false, true) $$,
  'an admin has the failed event processed again: it is due now, its attempts counted afresh (answered without its body)');
select tests.authenticate_as_service_role();
select is(private.process_webhook_events(100), 1, 'the next drain processes it');
select is(pg_temp.event_status((select id from events where name = 'refused')), 'processed', 'and it is recorded once the cause is gone');
select tests.authenticate_as('owner_a');
select is(tests.error_code($$ select public.replay_webhook_event((select id from events where name = 'refused')) $$),
  'webhook_event_already_processed', 'a processed event is not replayed');
select isnt(public.replay_webhook_event((select id from events where name = 'group')), null, 'an ignored one is (a parser may have learnt its shape)');

select * from finish();
rollback;
