-- Appending an outbound message: only the service role appends; the message takes the next
-- message_index under the conversation's lock, is `out` and `queued`, carries its run, tokens and
-- cost, and has exactly one delivery job; closed conversations, empty or oversized bodies, the
-- contact's role, strangers as senders and other companies' runs are refused with their codes.
-- The delivery jobs are the service's alone, per actor.
begin;
set search_path to public, extensions, tests;

select plan(33);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987651111',
  'contact_name', 'Lead', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'hello', 'provider_message_id', 'wamid.in1',
  'sent_at', '2026-12-05T10:00:00Z'));
select private.record_webhook_message(tests.inbox_id('Line B'), jsonb_build_object('contact_phone', '5511987652222',
  'contact_name', 'Lead B', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'oi', 'provider_message_id', 'zapi.in1',
  'sent_at', '2026-12-05T10:00:00Z'));

create function pg_temp.conversation_a() returns uuid language sql as $$ select tests.conversation_id('Line A', '+5511987651111') $$;

-- ─── who may append ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok(format($$ select private.append_outbound_message(%L, 'human', 'hi') $$, pg_temp.conversation_a()),
  '42501', null, 'an owner cannot call the service''s append');
select tests.clear_authentication();
select throws_ok(format($$ select private.append_outbound_message(%L, 'assistant', 'hi') $$, pg_temp.conversation_a()),
  '42501', null, 'nor anon');
select tests.authenticate_as_service_role();

-- ─── appended ────────────────────────────────────────────────────────────────────────────────
create temporary table appended (label text primary key, message_id uuid);
grant all on appended to service_role;
grant select on appended to authenticated;
insert into appended values ('first', private.append_outbound_message(pg_temp.conversation_a(), 'assistant', 'Olá! Como posso ajudar?',
  null, null, 120, 30, 0.0015));
select is(
  (select row(direction, role, type, status, body, message_index, input_tokens, output_tokens, cost_usd, sent_by, execution_id)::text
   from public.messages where id = (select message_id from appended where label = 'first')),
  row('out'::message_direction, 'assistant'::message_role, 'text'::message_type, 'queued'::message_status, 'Olá! Como posso ajudar?',
      2, 120, 30, 0.0015::numeric(14, 6), null::uuid, null::uuid)::text,
  'the reply is out, queued, text, next in the conversation, with its tokens and cost');
select is((select last_message_index from public.conversations where id = pg_temp.conversation_a()), 2, 'the conversation counted it');
select ok((select last_message_at = now() from public.conversations where id = pg_temp.conversation_a()), 'and moved its last_message_at');
select is(
  (select row(d.status, d.attempts, d.parts_sent, d.message_index, d.conversation_id = pg_temp.conversation_a(), d.lease_owner)::text
   from private.outbound_deliveries d where d.message_id = (select message_id from appended where label = 'first')),
  row('pending'::private.outbound_delivery_status, 0, 0, 2, true, null::text)::text,
  'one pending delivery job, in the message''s place');
select ok((select next_attempt_at <= now() from private.outbound_deliveries where message_id = (select message_id from appended where label = 'first')),
  'claimable at once');

insert into appended values ('human', private.append_outbound_message(pg_temp.conversation_a(), 'human', 'Sou a Ana, do time.',
  tests.get_supabase_uid('member_a')));
select is((select message_index || '/' || role || '/' || (sent_by = tests.get_supabase_uid('member_a')) from public.messages
   where id = (select message_id from appended where label = 'human')), '3/human/true', 'a person''s reply names who wrote it');

insert into appended values ('long', private.append_outbound_message(pg_temp.conversation_a(), 'system', repeat('palavra ', 1000)));
select is((select char_length(body) from public.messages where id = (select message_id from appended where label = 'long')), 8000,
  'a body over 4,096 characters is accepted whole (delivery splits it)');

-- ─── refused ─────────────────────────────────────────────────────────────────────────────────
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'user', 'I am the contact') $$, pg_temp.conversation_a())),
  'message_role_invalid', 'the contact''s role: message_role_invalid');
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'assistant', '  ') $$, pg_temp.conversation_a())),
  'message_body_empty', 'a blank body: message_body_empty');
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'assistant', null) $$, pg_temp.conversation_a())),
  'message_body_empty', 'no body: message_body_empty');
select is(tests.raised(format($$ select private.append_outbound_message(%L, 'assistant', repeat('x', 65537)) $$, pg_temp.conversation_a())),
  '{"state": "22023", "code": "message_body_too_long", "detail": {"max": 65536, "length": 65537}}'::jsonb,
  'a body over the column''s 65,536 characters: message_body_too_long');
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'assistant', 'hi') $$, gen_random_uuid())),
  'conversation_not_found', 'a conversation that is not there: conversation_not_found');
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'human', 'hi', %L) $$,
    pg_temp.conversation_a(), tests.get_supabase_uid('member_b'))),
  'sender_not_member', 'a member of another company as the sender: sender_not_member');
select is(tests.error_code(format($$ select private.append_outbound_message(%L, 'assistant', 'hi', null, %L) $$,
    pg_temp.conversation_a(), gen_random_uuid())),
  'execution_not_in_tenant', 'a run that is not the company''s: execution_not_in_tenant');
update public.conversations set status = 'closed', closed_at = now() where id = pg_temp.conversation_a();
select is(tests.raised(format($$ select private.append_outbound_message(%L, 'assistant', 'too late') $$, pg_temp.conversation_a())),
  jsonb_build_object('state', 'P0001', 'code', 'conversation_closed', 'detail', jsonb_build_object('conversation_id', pg_temp.conversation_a())),
  'a closed conversation: conversation_closed');
select is((select count(*)::int from public.messages where conversation_id = pg_temp.conversation_a() and direction = 'out'), 3,
  'the refusals wrote no message');
select is((select count(*)::int from private.outbound_deliveries where conversation_id = pg_temp.conversation_a()), 3,
  'and queued no delivery');
select is((select last_message_index from public.conversations where id = pg_temp.conversation_a()), 4, 'nor moved the counter');

-- ─── the wake-up ─────────────────────────────────────────────────────────────────────────────
select ok(
  (select count(*) from net.http_request_queue q where q.url like '%/outbound/run') >= 1
  or not exists (select from vault.decrypted_secrets where name = 'renum_functions_url'),
  'the appends queued a pg_net request to the outbound function (when Vault knows its address)');
select ok((select count(*) from net.http_request_queue q where q.url like '%/outbound/run') <= 1,
  'one waiting wake-up, however many replies were appended');

-- ─── the delivery jobs, per actor ────────────────────────────────────────────────────────────
select tests.rls_enabled('private', 'outbound_deliveries');
select ok(has_table_privilege('service_role', 'private.outbound_deliveries', 'select'), 'the service role reads the jobs');
select ok(not has_table_privilege('service_role', 'private.outbound_deliveries', 'insert'), 'and writes them only through the functions');
select ok(not has_table_privilege('authenticated', 'private.outbound_deliveries', 'select'), 'signed-in people cannot read them');
select ok(not has_table_privilege('anon', 'private.outbound_deliveries', 'select'), 'nor anon');
select ok(not has_function_privilege('authenticated', 'private.append_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric)', 'execute'),
  'signed-in people cannot execute the append');
select ok(not has_function_privilege('anon', 'private.kick_outbound()', 'execute'), 'nor anon the wake-up');

select tests.authenticate_as('member_a');
select is((select count(*)::int from public.messages where direction = 'out'), 3, 'a member of A reads A''s three replies');
select is((select status::text from public.messages where id = (select message_id from appended where label = 'first')), 'queued',
  'with their delivery status');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.messages where direction = 'out'), 0, 'a member of B reads none of them');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.messages where direction = 'out'), 3, 'an analyst of A reads them');

select * from finish();
rollback;
