-- A suspended company's bot says nothing (#13): with the company suspended (as a platform admin's
-- suspend_company does, through public.admin_set_tenant_status) a contact's message opens no turn
-- and gets no out-of-hours reply nor a handoff; a turn due when it was suspended is dropped with no
-- run; a run in flight that completes after the suspension appends no reply; reactivated, the bot
-- answers again. The contact's messages themselves are still recorded.
begin;
set search_path to public, extensions, tests;

select plan(14);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Slow line', null, '{"zapi_instance_id": "slow-line"}',
  '{"instance_token": "zapi-instance-s", "client_token": "zapi-client-s"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Night line', null, '{"zapi_instance_id": "night-line"}',
  '{"instance_token": "zapi-instance-n", "client_token": "zapi-client-n"}');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, team_id, debounce_ms) values (tests.tenant_id('tenant-a'), tests.team_id('Front desk'), 0);
insert into public.responder_settings (tenant_id, inbox_id, team_id) values (tests.tenant_id('tenant-a'), tests.inbox_id('Slow line'), tests.team_id('Front desk'));
insert into public.responder_settings (tenant_id, inbox_id, team_id, business_hours, out_of_hours_reply)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Night line'), tests.team_id('Front desk'), '{}', 'We are closed.');

create function pg_temp.say(inbox text, phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.turns(inbox text, phone text) returns text
language sql as $$
  select coalesce(string_agg(t.status || coalesce(':' || t.outcome, ''), ',' order by t.created_at, t.status), '')
  from private.conversation_turns t where t.conversation_id = tests.conversation_id(inbox, phone)
$$;
create function pg_temp.replies(inbox text, phone text) returns integer
language sql as $$
  select count(*)::int from public.messages m where m.conversation_id = tests.conversation_id(inbox, phone) and m.direction = 'out'
$$;
-- The engine's worker: claims the conversation's ready step and records `answer` for it.
create function pg_temp.answer(inbox text, phone text, answer text) returns boolean
language plpgsql as $$
declare
  claimed record;
begin
  select * into claimed from private.claim_steps('worker-' || phone, 50, 60) c
  where c.execution_id = (select t.execution_id from private.conversation_turns t
                          where t.conversation_id = tests.conversation_id(inbox, phone) and t.status = 'running');
  return private.complete_step(claimed.step_id, 'worker-' || phone, claimed.attempt, answer, 100, 50, 12);
end;
$$;

-- ─── a run in flight when the company is suspended sends nothing ─────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.1', 'Quanto custa?');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
select is(pg_temp.turns('Line A', '+5511987650001'), 'running', 'active: a debounce of 0 starts the run at the next pass');
-- A turn still collecting on another inbox when the suspension comes.
select pg_temp.say('Slow line', '+5511987650002', 'wamid.2', 'Oi');
select is(pg_temp.turns('Slow line', '+5511987650002'), 'collecting', 'and a turn waits out its debounce on another inbox');

select tests.authenticate_as('platform_admin');
select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'suspended');
reset role;
select ok(pg_temp.answer('Line A', '+5511987650001', 'O plano custa R$ 99.'), 'the engine records the run''s answer after the suspension');
select is(pg_temp.replies('Line A', '+5511987650001'), 0, 'but no reply is appended');
select is(pg_temp.turns('Line A', '+5511987650001'), 'dropped:company_not_active', 'the turn is dropped, saying why');

-- ─── a due turn starts no run ────────────────────────────────────────────────────────────────
select is(private.start_due_turns(now() + interval '1 minute'), 0, 'the due turn of the suspended company starts no run');
select is(pg_temp.turns('Slow line', '+5511987650002'), 'dropped:company_not_active', 'it is dropped, saying why');
select is((select count(*)::int from public.executions e where e.tenant_id = tests.tenant_id('tenant-a')), 1, 'no run besides the first');

-- ─── new messages open nothing ───────────────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650003', 'wamid.3', 'Olá?');
select is(pg_temp.turns('Line A', '+5511987650003'), '', 'a contact''s message opens no turn');
select is((select count(*)::int from public.messages m where m.conversation_id = tests.conversation_id('Line A', '+5511987650003')), 1,
  'while the message itself is recorded');
select pg_temp.say('Night line', '+5511987650004', 'wamid.4', 'Tem alguém?');
select is(pg_temp.replies('Night line', '+5511987650004'), 0, 'outside business hours no out-of-hours reply goes');
select pg_temp.say('Line A', '+5511987650005', 'wamid.5', 'quero um atendente');
select is((select assignee::text from public.conversations where id = tests.conversation_id('Line A', '+5511987650005')), 'bot',
  'a handoff keyword hands nothing off (nobody would answer either way)');

-- ─── reactivated, it answers again ───────────────────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'active');
reset role;
select pg_temp.say('Line A', '+5511987650003', 'wamid.6', 'E agora?');
select private.start_due_turns(now());
select is(pg_temp.turns('Line A', '+5511987650003'), 'running', 'reactivated: the next message starts a run');
select ok(pg_temp.answer('Line A', '+5511987650003', 'Estamos de volta.') and pg_temp.replies('Line A', '+5511987650003') = 1,
  'whose answer is appended');

select * from finish();
rollback;
