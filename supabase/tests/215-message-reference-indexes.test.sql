-- Every key from messages to another table is served by an index of messages that starts with the
-- key's columns (20261122009700): deleting the row it points at (a run, a user, a conversation)
-- then finds its messages instead of reading every monthly partition — at 10 million messages an
-- unindexed key cost 2.6 s per deleted run. Also that deleting a run or a user clears the key on
-- its replies and keeps them.
begin;
set search_path to public, extensions, tests;

select plan(5);

-- Each foreign key of messages, and whether some index of messages leads with the key's first
-- column (the conversation key's four columns are found through conversation_id alone). A partial
-- index counts: the key is cleared only where it is set.
create temporary view message_keys as
  select c.conname::text as key,
         exists (
           select 1 from pg_catalog.pg_index i
           where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]
         ) as indexed
  from pg_catalog.pg_constraint c
  where c.conrelid = 'public.messages'::regclass and c.contype = 'f';

select ok((select count(*) from message_keys) >= 3, 'messages has its keys to conversations, runs and users');
select is(
  (select coalesce(pg_catalog.array_agg(key order by key), '{}') from message_keys where not indexed),
  '{}'::text[],
  'every key of messages is served by an index that starts with its first column'
);

-- ─── what the keys do ────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
reset role;
select private.record_webhook_message(tests.inbox_id('Line A'),
  '{"contact_phone": "5511987654001", "direction": "in", "role": "user", "type": "text", "provider_message_id": "wamid.ref1"}');

insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Reference team');
insert into public.executions (id, tenant_id, team_id, status, workflow_type, initial_prompt, team_config)
values ('00000000-0000-4000-8000-00000000e215', tests.tenant_id('tenant-a'), tests.team_id('Reference team'), 'completed', 'sequential',
        'Oi', '{"timeout_seconds": 10}');
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, execution_id, sent_by)
select tenant_id, inbox_id, id, contact_id, last_message_index + 1, 'out'::public.message_direction, 'assistant'::public.message_role, 'queued'::public.message_status,
       '00000000-0000-4000-8000-00000000e215'::uuid, null::uuid
from public.conversations where id = tests.conversation_id('Line A', '+5511987654001')
union all
select tenant_id, inbox_id, id, contact_id, last_message_index + 2, 'out'::public.message_direction, 'human'::public.message_role, 'queued'::public.message_status,
       null::uuid, tests.get_supabase_uid('member_a')
from public.conversations where id = tests.conversation_id('Line A', '+5511987654001');

delete from public.executions where id = '00000000-0000-4000-8000-00000000e215';
select is((select count(*)::int from public.messages where conversation_id = tests.conversation_id('Line A', '+5511987654001') and role = 'assistant' and execution_id is null), 1,
  'deleting a run keeps its reply, without the run');

delete from auth.users where id = tests.get_supabase_uid('member_a');
select is((select count(*)::int from public.messages where conversation_id = tests.conversation_id('Line A', '+5511987654001') and role = 'human' and sent_by is null), 1,
  'deleting a person keeps what they sent, without their name on it');
select is((select count(*)::int from public.messages where conversation_id = tests.conversation_id('Line A', '+5511987654001')), 3,
  'and the thread keeps all its messages');

select * from finish();
rollback;
