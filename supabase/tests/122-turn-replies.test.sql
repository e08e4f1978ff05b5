-- Replies with a frozen clock, as the engine records them (claim_steps, complete_step): a
-- completed run's answer becomes the conversation's assistant message in the transaction that
-- records the result (the run's id, tokens and cost from the ledger), queued for delivery; a run
-- superseded, or whose conversation a person took over meanwhile, sends nothing; an empty answer
-- fails the turn and hands off; a person taking over stops the run in flight; the out-of-hours
-- reply goes once per conversation per 12 hours; a reply step reads the conversation as chat.
begin;
set search_path to public, extensions, tests;

select plan(26);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Night line', null, '{"zapi_instance_id": "night-line"}',
  '{"instance_token": "zapi-instance-n", "client_token": "zapi-client-n"}');
insert into public.model_prices (provider, model, input_usd_per_million, output_usd_per_million, effective_from)
values ('demo', 'replies-model', 2.00, 8.00, now() - interval '1 day');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'replies-model', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, team_id, debounce_ms) values (tests.tenant_id('tenant-a'), tests.team_id('Front desk'), 0);
insert into public.responder_settings (tenant_id, inbox_id, team_id, business_hours, out_of_hours_reply)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Night line'), tests.team_id('Front desk'), '{}', 'Voltamos às 9h.');

create function pg_temp.say(inbox text, phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.turns(phone text, inbox text default 'Line A') returns text
language sql as $$
  select coalesce(string_agg(t.status, ',' order by t.status in ('collecting', 'running'), t.created_at, t.status), '')
  from private.conversation_turns t where t.conversation_id = tests.conversation_id(inbox, phone)
$$;
create function pg_temp.replies(phone text, inbox text default 'Line A') returns setof public.messages
language sql as $$
  select * from public.messages m where m.conversation_id = tests.conversation_id(inbox, phone) and m.direction = 'out' order by m.message_index
$$;
-- The engine's worker: claims the conversation's ready step and records `answer` for it.
create function pg_temp.answer(phone text, answer text) returns boolean
language plpgsql as $$
declare
  claimed record;
begin
  select * into claimed from private.claim_steps('worker-' || phone, 50, 60) c
  where c.execution_id = (select t.execution_id from private.conversation_turns t
                          where t.conversation_id = tests.conversation_id('Line A', phone) and t.status = 'running');
  return private.complete_step(claimed.step_id, 'worker-' || phone, claimed.attempt, answer, 1000, 500, 12);
end;
$$;

-- ─── a completed run answers ─────────────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.1', 'Quanto custa?');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
select is(pg_temp.turns('+5511987650001'), 'running', 'a debounce of 0 starts the run right after the message');
select is(private.step_conversation_transcript(s.id), '[{"role": "user", "author": "contact", "content": "Quanto custa?", "message_index": 1}]'::jsonb,
  'the reply step reads the conversation as chat')
from public.execution_steps s join private.conversation_turns t on t.execution_id = s.execution_id
where t.conversation_id = tests.conversation_id('Line A', '+5511987650001');
select ok(pg_temp.answer('+5511987650001', 'O plano custa R$ 99.'), 'the engine records the answer');
select is((select body || '|' || role || '|' || direction || '|' || status || '|' || message_index from pg_temp.replies('+5511987650001')),
  'O plano custa R$ 99.|assistant|out|queued|2', 'in the same transaction the answer is the conversation''s next message, queued');
select is((select execution_id from pg_temp.replies('+5511987650001')),
  (select execution_id from private.conversation_turns where conversation_id = tests.conversation_id('Line A', '+5511987650001')),
  'with the run''s id');
select is((select input_tokens || '/' || output_tokens || '/' || cost_usd from pg_temp.replies('+5511987650001')), '1000/500/0.006000',
  'and its tokens and cost from the ledger (1000 × 2 + 500 × 8 per million)');
select is((select count(*)::int from private.outbound_deliveries d join pg_temp.replies('+5511987650001') r on r.id = d.message_id), 1,
  'its delivery is queued');
select is(pg_temp.turns('+5511987650001'), 'answered', 'the turn is answered');
select ok(private.step_conversation_transcript((select id from public.execution_steps limit 1)) is not null, 'a reply run''s step has a transcript');

-- ─── the next message reads the reply as the assistant's turn ────────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.2', 'E o anual?');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
select is((select jsonb_agg(e ->> 'role') from public.executions x join private.conversation_turns t on t.execution_id = x.id,
          jsonb_array_elements(x.variables -> 'conversation' -> 'transcript') e
          where t.conversation_id = tests.conversation_id('Line A', '+5511987650001') and t.status = 'running'),
  '["user", "assistant", "user"]'::jsonb, 'the next run reads the reply as the assistant''s');

-- ─── superseded: the stale answer is never sent ──────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.3', 'Na verdade, o mensal');
create temporary table stale_step as
  select s.id, s.execution_id from public.execution_steps s join private.conversation_turns t on t.execution_id = s.execution_id
  where t.status = 'superseded';
select is((select count(*)::int from pg_temp.replies('+5511987650001')), 1, 'a superseded run sends nothing');
select private.start_due_turns(now());
select is((select status from public.executions where id = (select execution_id from stale_step)), 'cancelled'::execution_status,
  'the next pass stops the superseded run');

-- ─── a person takes over while the run thinks ────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650002', 'wamid.20', 'Oi');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
create temporary table taken_run as
  select execution_id from private.conversation_turns where conversation_id = tests.conversation_id('Line A', '+5511987650002');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('member_a')
where id = tests.conversation_id('Line A', '+5511987650002');
select is(pg_temp.turns('+5511987650002'), 'handed_off', 'taking over ends the turn');
select is(private.start_due_turns(now()), 0, 'the next pass');
select is((select status from public.executions where id = (select execution_id from taken_run)), 'cancelled'::execution_status,
  'stops its run through the engine''s stop');
select is((select count(*)::int from pg_temp.replies('+5511987650002')), 0, 'and nothing is sent');
select is((select assignee::text from public.conversations where id = tests.conversation_id('Line A', '+5511987650002')), 'member',
  'the person keeps the conversation (no handoff announced over them)');

-- ─── a pass is not stopped by a run that is gone ────────────────────────────────────────────
reset role;  -- the service role reads turns but only the functions write them
update private.conversation_turns set run_stop_pending = true, execution_id = null
where conversation_id = tests.conversation_id('Line A', '+5511987650002');
select tests.authenticate_as_service_role();
select lives_ok($$ select private.start_due_turns(now()) $$, 'a turn to stop whose run is gone does not stop the pass');
select ok(not (select run_stop_pending from private.conversation_turns where conversation_id = tests.conversation_id('Line A', '+5511987650002')),
  'its flag is cleared');

-- ─── an answer that cannot be sent ───────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650003', 'wamid.30', 'Oi');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
select ok(pg_temp.answer('+5511987650003', '   '), 'the engine records a blank answer');
select is((select status || '/' || outcome from private.conversation_turns where conversation_id = tests.conversation_id('Line A', '+5511987650003')),
  'failed/message_body_empty', 'the turn fails with the reason');
select is((select assignee || '/' || status from public.conversations where id = tests.conversation_id('Line A', '+5511987650003')), 'unassigned/pending',
  'and the conversation goes to people');
select is((select count(*)::int from pg_temp.replies('+5511987650003')), 0, 'nothing is sent');

-- ─── outside business hours ──────────────────────────────────────────────────────────────────
select pg_temp.say('Night line', '+5511987650004', 'wamid.40', 'Oi');
select pg_temp.say('Night line', '+5511987650004', 'wamid.41', 'Alguém?');
select is((select string_agg(body || '/' || role, ',') from pg_temp.replies('+5511987650004', 'Night line')), 'Voltamos às 9h./assistant',
  'the out-of-hours reply goes once, however many messages follow');
select is(pg_temp.turns('+5511987650004', 'Night line'), 'out_of_hours,out_of_hours', 'and no run starts');
select is((select count(*)::int from public.executions e join private.conversation_turns t on t.execution_id = e.id
           where t.conversation_id = tests.conversation_id('Night line', '+5511987650004')), 0, 'no run at all');

select * from finish();
rollback;
