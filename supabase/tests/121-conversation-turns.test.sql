-- Conversation turns with a frozen clock (a transaction's now() does not move; start_due_turns
-- takes the time to judge by): a contact's messages within the debounce make one turn; a due turn
-- starts one run of the responder team through start_execution with the conversation as its
-- input; a message arriving while the run is in flight supersedes it (the run stopped through
-- stop_execution, a new turn with the new context); the bot stays out of conversations a member
-- holds; handoff keywords and the turn limit hand the conversation to people and announce it; a
-- run that fails or cannot start hands off too; outside business hours no run starts.
begin;
set search_path to public, extensions, tests;

select plan(50);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Night line', null, '{"zapi_instance_id": "night-line"}',
  '{"instance_token": "zapi-instance-n", "client_token": "zapi-client-n"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'People line', null, '{"zapi_instance_id": "people-line"}',
  '{"instance_token": "zapi-instance-p", "client_token": "zapi-client-p"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Instant line', null, '{"zapi_instance_id": "instant-line"}',
  '{"instance_token": "zapi-instance-i", "client_token": "zapi-client-i"}');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk'), (tests.tenant_id('tenant-a'), 'Empty desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, team_id, max_bot_turns) values (tests.tenant_id('tenant-a'), tests.team_id('Front desk'), 2);
insert into public.responder_settings (tenant_id, inbox_id, team_id, business_hours, out_of_hours_reply)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Night line'), tests.team_id('Front desk'), '{}', 'We are closed.');
insert into public.responder_settings (tenant_id, inbox_id, team_id) values (tests.tenant_id('tenant-a'), tests.inbox_id('People line'), null);
insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms) values (tests.tenant_id('tenant-a'), tests.inbox_id('Instant line'), tests.team_id('Front desk'), 0);

create function pg_temp.say(inbox text, phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.turns(inbox text, phone text) returns text
language sql as $$
  select coalesce(string_agg(t.status, ',' order by t.status in ('collecting', 'running'), t.created_at, t.status), '')
  from private.conversation_turns t where t.conversation_id = tests.conversation_id(inbox, phone)
$$;
create function pg_temp.open_turn(inbox text, phone text) returns private.conversation_turns
language sql as $$
  select * from private.conversation_turns t where t.conversation_id = tests.conversation_id(inbox, phone) and t.status in ('collecting', 'running')
$$;
create function pg_temp.run_of(inbox text, phone text) returns public.executions
language sql as $$ select * from public.executions e where e.id = (pg_temp.open_turn(inbox, phone)).execution_id $$;

-- ─── three quick messages make one turn ──────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.1', 'Oi');
select pg_temp.say('Line A', '+5511987650001', 'wamid.2', 'tudo bem?');
select pg_temp.say('Line A', '+5511987650001', 'wamid.3', 'Quanto custa o plano?');
select is(pg_temp.turns('Line A', '+5511987650001'), 'collecting', 'three messages in a row open one turn');
select is((pg_temp.open_turn('Line A', '+5511987650001')).first_message_index || '-' || (pg_temp.open_turn('Line A', '+5511987650001')).last_message_index, '1-3',
  'that covers all three');
select is((pg_temp.open_turn('Line A', '+5511987650001')).due_at, now() + interval '3 seconds', 'due 3 s after the last one');
select is(private.start_due_turns(now() + interval '2.999 seconds'), 0, 'nothing starts inside the window');
select is((select count(*)::int from public.executions), 0, 'and no run exists yet');

-- A message a little later moves the window.
select private.note_contact_messages(tests.conversation_id('Line A', '+5511987650001'), 3, 3, array['e o anual?'], now() + interval '2 seconds');
select is((pg_temp.open_turn('Line A', '+5511987650001')).due_at, now() + interval '5 seconds', 'a later message moves the due time');
select is(private.start_due_turns(now() + interval '4 seconds'), 0, 'so the old due time starts nothing');
select is(private.start_due_turns(now() + interval '5 seconds'), 1, 'the due turn starts one run');
select is(private.start_due_turns(now() + interval '6 seconds'), 0, 'once');

-- ─── the run: the responder team on the conversation ─────────────────────────────────────────
select is(pg_temp.turns('Line A', '+5511987650001'), 'running', 'the turn is running');
select is((pg_temp.run_of('Line A', '+5511987650001')).team_id, tests.team_id('Front desk'), 'a run of the responder team');
select is((pg_temp.run_of('Line A', '+5511987650001')).status, 'running'::execution_status, 'started by the engine (room under the plan)');
select is((pg_temp.run_of('Line A', '+5511987650001')).created_by, null, 'started by nobody: the company''s shared keys pay');
select is((pg_temp.run_of('Line A', '+5511987650001')).variables -> 'conversation' -> 'transcript',
  '[{"role": "user", "author": "contact", "content": "Oi", "message_index": 1},
    {"role": "user", "author": "contact", "content": "tudo bem?", "message_index": 2},
    {"role": "user", "author": "contact", "content": "Quanto custa o plano?", "message_index": 3}]'::jsonb,
  'its variables carry the transcript with roles');
select is((pg_temp.run_of('Line A', '+5511987650001')).variables -> 'conversation' -> 'contact' ->> 'name', 'Maria Souza', 'and the contact''s name');
select is((pg_temp.run_of('Line A', '+5511987650001')).variables -> 'conversation' -> 'contact' ->> 'phone', '+5511987650001', 'phone');
select is((pg_temp.run_of('Line A', '+5511987650001')).variables -> 'conversation' ->> 'id', tests.conversation_id('Line A', '+5511987650001')::text,
  'and conversation');
select is((pg_temp.run_of('Line A', '+5511987650001')).initial_prompt, E'Maria Souza: Oi\nMaria Souza: tudo bem?\nMaria Souza: Quanto custa o plano?',
  'its prompt is the transcript as text, for agents that read text');
select is((select status from public.execution_steps s where s.execution_id = (pg_temp.run_of('Line A', '+5511987650001')).id), 'ready'::step_status,
  'its step is ready for a worker');

-- ─── a new message supersedes the run in flight ──────────────────────────────────────────────
create temporary table first_run as select (pg_temp.run_of('Line A', '+5511987650001')).id;
select pg_temp.say('Line A', '+5511987650001', 'wamid.4', 'Esquece, quero o anual');
select is(pg_temp.turns('Line A', '+5511987650001'), 'superseded,collecting', 'a new message supersedes the running turn and opens another');
select ok((select run_stop_pending from private.conversation_turns where status = 'superseded'), 'whose run is to be stopped');
select is((pg_temp.open_turn('Line A', '+5511987650001')).first_message_index || '-' || (pg_temp.open_turn('Line A', '+5511987650001')).last_message_index, '1-4',
  'the new turn answers everything since the superseded one began');
select is(private.start_due_turns(now() + interval '3 seconds'), 1, 'the next pass stops the old run and starts the new one');
select is((select status from public.executions where id = (select id from first_run)), 'cancelled'::execution_status,
  'the superseded run was stopped through the engine''s stop');
select ok(exists (select from public.execution_events where execution_id = (select id from first_run) and payload ->> 'status' = 'cancelled'),
  'its live monitor shows it cancelled');
select is(pg_temp.turns('Line A', '+5511987650001'), 'superseded,running', 'the superseded turn stays superseded (its run ending changes nothing)');
select is(jsonb_array_length((pg_temp.run_of('Line A', '+5511987650001')).variables -> 'conversation' -> 'transcript'), 4, 'the new run reads the new message');

-- ─── a run that fails or is stopped hands the conversation to people ─────────────────────────
select public.stop_execution((pg_temp.run_of('Line A', '+5511987650001')).id);
select is(pg_temp.turns('Line A', '+5511987650001'), 'failed,superseded', 'a stopped run fails its turn');
select is((select assignee || '/' || status from public.conversations where id = tests.conversation_id('Line A', '+5511987650001')), 'unassigned/pending',
  'and the conversation goes to people');
select is((select payload ->> 'reason' from realtime.messages where topic = 'inbox:' || tests.inbox_id('Line A') and event = 'handoff_requested'),
  'responder_failed', 'announced on the inbox''s topic with the reason');
select pg_temp.say('Line A', '+5511987650001', 'wamid.5', 'alô?');
select is(pg_temp.turns('Line A', '+5511987650001'), 'failed,superseded', 'the bot stays out of a conversation waiting for a person');

-- ─── a member holds the conversation ─────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650002', 'wamid.20', 'Bom dia');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('member_a')
where id = tests.conversation_id('Line A', '+5511987650002');
select is(private.start_due_turns(now() + interval '3 seconds'), 0, 'a turn whose conversation a member took meanwhile starts no run');
select is(pg_temp.turns('Line A', '+5511987650002'), 'handed_off', 'it ended when the member took the conversation (20261122001740)');
select pg_temp.say('Line A', '+5511987650002', 'wamid.21', 'Alguém aí?');
select is(pg_temp.turns('Line A', '+5511987650002'), 'handed_off', 'and a member''s conversation opens no turn');

-- ─── handoff keyword ─────────────────────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650003', 'wamid.30', 'Oi');
select pg_temp.say('Line A', '+5511987650003', 'wamid.31', 'Quero falar com um ATENDENTE, por favor');
select is(pg_temp.turns('Line A', '+5511987650003'), 'handed_off', 'a handoff keyword ends the open turn');
select is((select assignee || '/' || status from public.conversations where id = tests.conversation_id('Line A', '+5511987650003')), 'unassigned/pending',
  'and hands the conversation to people');
select ok(exists (select from realtime.messages where topic = 'inbox:' || tests.inbox_id('Line A') and event = 'handoff_requested'
                  and payload ->> 'reason' = 'handoff_keyword' and payload ->> 'conversation_id' = tests.conversation_id('Line A', '+5511987650003')::text),
  'announced with the reason handoff_keyword');
select ok(not private.mentions_handoff_keyword(array['Meu agente de viagens'], array['agent']), 'a keyword matches whole words only');
select ok(private.mentions_handoff_keyword(array['HUMANO!'], array['humano']), 'in any case, beside punctuation');

-- ─── the turn limit ──────────────────────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650004', 'wamid.40', 'Oi');
reset role;  -- the service role reads turns but only these functions write them
update private.conversation_turns set status = 'answered' where conversation_id = tests.conversation_id('Line A', '+5511987650004');
select pg_temp.say('Line A', '+5511987650004', 'wamid.41', 'E o preço?');
update private.conversation_turns set status = 'answered' where conversation_id = tests.conversation_id('Line A', '+5511987650004');
select tests.authenticate_as_service_role();
select pg_temp.say('Line A', '+5511987650004', 'wamid.42', 'E o prazo?');
select is(pg_temp.turns('Line A', '+5511987650004'), 'answered,answered', 'past the bot-turn limit (2) no turn opens');
select ok(exists (select from realtime.messages where event = 'handoff_requested' and payload ->> 'reason' = 'turn_limit'
                  and payload ->> 'conversation_id' = tests.conversation_id('Line A', '+5511987650004')::text),
  'the conversation is handed off for the turn limit');

-- ─── outside business hours, nobody answering, no debounce ───────────────────────────────────
select pg_temp.say('Night line', '+5511987650005', 'wamid.50', 'Oi');
select is(pg_temp.turns('Night line', '+5511987650005'), 'out_of_hours', 'outside business hours no run turn opens');
select pg_temp.say('People line', '+5511987650006', 'wamid.60', 'Oi');
select is(pg_temp.turns('People line', '+5511987650006'), '', 'an inbox nobody answers opens no turn');
select pg_temp.say('Instant line', '+5511987650007', 'wamid.70', 'Oi');
select is((pg_temp.open_turn('Instant line', '+5511987650007')).status || '/' || ((pg_temp.open_turn('Instant line', '+5511987650007')).due_at = now()),
  'collecting/true', 'a debounce of 0 makes the turn due at once, but starts no run inside the message''s transaction (lock order)');
select private.start_due_turns(now());  -- the drain's pass once the message is committed
select is((pg_temp.run_of('Instant line', '+5511987650007')).status, 'running'::execution_status, 'the next pass starts its run');

-- ─── a run that cannot start ─────────────────────────────────────────────────────────────────
update public.responder_settings set team_id = tests.team_id('Empty desk') where inbox_id is null;
select pg_temp.say('Line A', '+5511987650008', 'wamid.80', 'Oi');
select is(private.start_due_turns(now() + interval '3 seconds'), 0, 'a team without agents starts no run');
select is((select status || '/' || outcome from private.conversation_turns where conversation_id = tests.conversation_id('Line A', '+5511987650008')),
  'failed/team_has_no_agents', 'the turn fails with the engine''s reason');
select is((select assignee::text from public.conversations where id = tests.conversation_id('Line A', '+5511987650008')), 'unassigned',
  'and the conversation goes to people');

-- ─── people never reach turns ────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select count(*) from private.conversation_turns $$, '42501', null, 'an owner cannot read turns directly');
select throws_ok($$ select private.start_due_turns() $$, '42501', null, 'nor start them');

select * from finish();
rollback;
