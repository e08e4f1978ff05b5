-- Live inbox and thread: each new message is broadcast as message_created on inbox:<id> and
-- conversation:<id>, a status change as message_status on conversation:<id>, a conversation's
-- change as conversation_updated on inbox:<id> — without bodies — and only members of the inbox's
-- company receive them (RLS on realtime.messages); nobody may send on these topics.
begin;
set search_path to public, extensions, tests;

select plan(16);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987655001', 'direction', 'in',
  'role', 'user', 'type', 'text', 'body', 'a secret body', 'provider_message_id', 'wamid.live'));
select private.apply_message_status(tests.inbox_id('Line A'), 'wamid.live', 'read', now());

create function pg_temp.events(topic text) returns text[]
language sql as $$ select coalesce(array_agg(event order by event), '{}') from realtime.messages where realtime.messages.topic = events.topic $$;
create function pg_temp.inbox_topic() returns text language sql as $$ select 'inbox:' || tests.inbox_id('Line A') $$;
create function pg_temp.conversation_topic() returns text language sql as $$ select 'conversation:' || tests.conversation_id('Line A', '+5511987655001') $$;
grant execute on function pg_temp.events(text), pg_temp.inbox_topic(), pg_temp.conversation_topic() to authenticated, anon;

-- ─── what is sent ────────────────────────────────────────────────────────────────────────────
reset role;
select is(pg_temp.events(pg_temp.inbox_topic()), array['conversation_updated', 'message_created'],
  'the inbox topic carries the new message and the conversation opened');
select is(pg_temp.events(pg_temp.conversation_topic()), array['message_created', 'message_status'],
  'the conversation topic carries the new message and its status');
select is(
  (select payload - 'id' - 'message_id' - 'conversation_id' - 'inbox_id' - 'contact_id' - 'created_at' - 'topic' from realtime.messages
   where topic = pg_temp.conversation_topic() and event = 'message_created'),
  '{"role": "user", "type": "text", "status": "received", "direction": "in", "message_index": 1}'::jsonb,
  'message_created says which message, its index, status, direction and type');
select ok(not exists (select from realtime.messages where payload::text like '%a secret body%'), 'no broadcast carries a message''s body');
select is((select payload ->> 'status' from realtime.messages where topic = pg_temp.conversation_topic() and event = 'message_status'), 'read',
  'message_status carries the new status');
select private.apply_message_status(tests.inbox_id('Line A'), 'wamid.live', 'delivered', now());
select is((select count(*)::int from realtime.messages where event = 'message_status'), 1, 'a status that does not move sends nothing');
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
select tenant_id, inbox_id, id, contact_id, 1 + n, 'out', 'assistant', 'queued'
from public.conversations, generate_series(1, 5) n where id = tests.conversation_id('Line A', '+5511987655001');
select is((select count(*)::int from realtime.messages where topic = pg_temp.conversation_topic() and event = 'message_created'), 6,
  'a bulk insert broadcasts each of its messages');

-- ─── who receives ────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select set_config('realtime.topic', pg_temp.inbox_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 7, 'a member of the company receives the inbox topic (six messages, one conversation opened)');
select throws_ok(
  $$ insert into realtime.messages (topic, extension, event, payload, private) values (realtime.topic(), 'broadcast', 'message_created', '{}', true) $$,
  '42501', 'new row violates row-level security policy for table "messages"', 'a member cannot send on an inbox topic');
select set_config('realtime.topic', pg_temp.conversation_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 7, 'and the conversation topic');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 7, 'an analyst receives them too');
select tests.authenticate_as('member_b');
select set_config('realtime.topic', pg_temp.inbox_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'another company''s member receives nothing of the inbox');
select set_config('realtime.topic', pg_temp.conversation_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'nor of the conversation');
select set_config('realtime.topic', 'inbox:not-a-uuid', true);
select lives_ok($$ select count(*) from realtime.messages where topic = realtime.topic() $$, 'a malformed topic raises no error');
select tests.authenticate_as('platform_admin');
select set_config('realtime.topic', pg_temp.inbox_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'a platform admin receives nothing');
select tests.clear_authentication();
select set_config('realtime.topic', pg_temp.inbox_topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'anon receives nothing');

select * from finish();
rollback;
