-- Executions: who may start, read, watch and stop a team's runs. A run starts only for a builder of
-- the team's tenant (not an analyst, not another tenant, not a suspended tenant, not an inactive or
-- empty team, not past the monthly budget) and waits as pending when the plan's limit of runs in
-- flight is reached; its rows are read by the tenant's members and written by nobody but the
-- engine; events and usage are append-only; every event is broadcast on `execution:<id>` to the
-- tenant's members only; a stop cancels the run at once and nothing moves it afterwards.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, admin_a, member_a, analyst_a; plan pro), tenant B (owner_b, member_b;
-- plan basic: two runs in flight), anon, and the service role acting as the engine.

begin;
set search_path to public, extensions, tests;

select plan(104);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- Row ids that every actor can name, whatever RLS lets them see (transaction-local helpers).
create function pg_temp.last_seq(prompt text) returns integer
language sql stable security definer set search_path = ''
as $$ select e.last_event_seq::integer from public.executions e where e.initial_prompt = prompt $$;
grant execute on function pg_temp.last_seq(text) to anon, authenticated, service_role;

select tests.create_two_tenants();
update public.tenants set plan = 'pro' where id = tests.tenant_id('tenant-a');

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Planner', 'demo-large', 'active'),
  (tests.tenant_id('tenant-a'), 'Writer', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Researcher 1', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Researcher 2', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Lead', 'demo-small', 'active');
insert into public.teams (tenant_id, name, workflow_type) values
  (tests.tenant_id('tenant-a'), 'Launch team', 'sequential'),
  (tests.tenant_id('tenant-a'), 'Parallel team', 'parallel'),
  (tests.tenant_id('tenant-a'), 'Pipeline team', 'pipeline'),
  (tests.tenant_id('tenant-a'), 'Conditional team', 'conditional'),
  (tests.tenant_id('tenant-a'), 'Empty team', 'sequential');
insert into public.teams (tenant_id, name, is_active) values (tests.tenant_id('tenant-a'), 'Paused team', false);
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions) values
  (tests.team_id('Launch team'), tests.agent_id('Planner'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Launch team'), tests.agent_id('Writer'), 'member', 2,
   jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Planner')), '[]'),
  (tests.team_id('Parallel team'), tests.agent_id('Researcher 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Parallel team'), tests.agent_id('Researcher 2'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Parallel team'), tests.agent_id('Lead'), 'leader', 2, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Pipeline team'), tests.agent_id('Planner'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Pipeline team'), tests.agent_id('Writer'), 'member', 2, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Conditional team'), tests.agent_id('Planner'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Conditional team'), tests.agent_id('Writer'), 'member', 2, '{"source": "initial_prompt"}',
   jsonb_build_array(jsonb_build_object('field', 'agents.' || tests.agent_id('Planner') || '.output', 'operator', 'contains', 'value', 'go'))),
  (tests.team_id('Paused team'), tests.agent_id('Planner'), 'member', 1, '{"source": "initial_prompt"}', '[]');

select tests.authenticate_as('owner_b');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-b'), 'B Agent', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-b'), 'B team');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('B team'), tests.agent_id('B Agent'), 1);

-- The teams above must pass the workflow check they would face at commit.
set constraints all immediate;

-- ─── row level security ──────────────────────────────────────────────────────────────────────
select tests.clear_authentication(); reset role;
select tests.rls_enabled('public', 'executions');
select tests.rls_enabled('public', 'execution_steps');
select tests.rls_enabled('public', 'execution_events');
select tests.rls_enabled('public', 'usage_ledger');
select tests.rls_enabled('public', 'model_prices');

-- ─── starting runs ───────────────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select status::text from public.start_execution(tests.team_id('Launch team'), 'Plan the launch')),
  'running',
  'a member starts a run of a sequential team and it runs at once'
);
select is(
  (select array_agg(row(position, agent_definition ->> 'name', status)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Plan the launch')),
  array[row(1, 'Planner', 'ready')::text, row(2, 'Writer', 'pending')::text],
  'a sequential run has one step per agent: the first ready, the next waiting'
);
select is(
  (select row(resolved_input, agent_version, agent_definition ->> 'model', agent_definition ->> 'provider')::text
   from public.execution_steps where id = tests.step_id('Plan the launch', 'Planner')),
  row('Plan the launch', 1, 'demo-large', 'demo')::text,
  'the ready step receives the prompt and records the agent version that runs'
);
select is(
  (select row(created_by = auth.uid(), workflow_type, total_steps, finished_steps, started_at is not null,
              deadline_at = started_at + interval '600 seconds', team_config ->> 'team_name')::text
   from public.executions where id = tests.run_id('Plan the launch')),
  row(true, 'sequential', 2, 0, true, true, 'Launch team')::text,
  'the run records who started it, its steps and a deadline from the team''s timeout'
);

-- as service role (the engine): the planner's step runs, the writer's is in flight
select tests.authenticate_as_service_role();
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Planner')],
  'the engine claims the one ready step'
);
select ok(
  private.complete_step(tests.step_id('Plan the launch', 'Planner'), 'worker-1', 1, 'Launch on Monday', 10000, 5000, 1200),
  'the engine records the planner''s result'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-2', 5)),
  array[tests.agent_id('Writer')],
  'the writer''s step became ready and is claimed'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select status::text from public.start_execution(tests.team_id('B team'), 'B run 1')),
  'running',
  'a member of B starts a run of B''s team'
);
select tests.authenticate_as_service_role();
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-b', 5)),
  array[tests.agent_id('B Agent')],
  'B''s step is claimed and stays in flight'
);

-- as member of tenant A: the other strategies
select tests.authenticate_as('member_a');
select is(
  (select status::text from public.start_execution(tests.team_id('Parallel team'), 'Compare vendors')),
  'running',
  'a member starts a run of a parallel team'
);
select is(
  (select array_agg(row(agent_definition ->> 'name', role, status)::text order by agent_definition ->> 'name')
   from public.execution_steps where execution_id = tests.run_id('Compare vendors')),
  array[row('Lead', 'leader', 'pending')::text, row('Researcher 1', 'member', 'ready')::text, row('Researcher 2', 'member', 'ready')::text],
  'a parallel run makes every agent but the leader ready at once; the leader waits'
);
select is(
  (select status::text from public.start_execution(tests.team_id('Pipeline team'), 'Draft the post')),
  'running',
  'a member starts a run of a pipeline team'
);
select is(
  (select array_agg(row(position, agent_definition ->> 'name', status)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Draft the post')),
  array[row(1, 'Planner', 'ready')::text, row(2, 'Writer', 'pending')::text],
  'a pipeline run makes its first step ready'
);
select is(
  (select status::text from public.start_execution(tests.team_id('Conditional team'), 'Decide the launch')),
  'running',
  'a member starts a run of a conditional team'
);
select is(
  (select array_agg(row(position, agent_definition ->> 'name', status)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Decide the launch')),
  array[row(1, 'Planner', 'ready')::text, row(2, 'Writer', 'pending')::text],
  'a conditional run makes its first step ready'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Empty team'), 'Anything') $$,
  'P0001', 'team has no agents',
  'a team with no agents cannot run'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Paused team'), 'Anything') $$,
  'P0001', 'team is inactive',
  'an inactive team cannot run'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Launch team'), 'Anything', '["not", "an", "object"]') $$,
  '22023', 'variables must be an object',
  'variables must be an object'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select status::text from public.start_execution(tests.team_id('Launch team'), 'Admin run')),
  'running',
  'an admin starts a run'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ select public.start_execution(tests.team_id('Launch team'), 'Analyst run') $$,
  '42501', 'analysts can read runs but not start them',
  'an analyst cannot start a run'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.start_execution(tests.team_id('Launch team'), 'Run of another company') $$,
  'P0002', 'team not found',
  'member of B cannot start tenant A''s team, nor learn that it exists'
);

-- as anon
select tests.clear_authentication();
select throws_ok(
  $$ select public.start_execution(tests.team_id('Launch team'), 'Anon run') $$,
  '42501', 'permission denied for function start_execution',
  'anon cannot start runs'
);

-- as postgres: the refused starts left nothing behind
reset role;
select is(
  (select array_agg(initial_prompt order by initial_prompt) from public.executions),
  array['Admin run', 'B run 1', 'Compare vendors', 'Decide the launch', 'Draft the post', 'Plan the launch'],
  'only the allowed starts made runs'
);

-- ─── reading runs ────────────────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select array_agg(initial_prompt order by initial_prompt) from public.executions),
  array['Admin run', 'Compare vendors', 'Decide the launch', 'Draft the post', 'Plan the launch'],
  'member of A reads tenant A''s runs and none of B'
);
select is(
  (select array_agg(distinct tenant_id) from public.execution_steps),
  array[tests.tenant_id('tenant-a')],
  'member of A reads only tenant A''s steps'
);
select is(
  (select array_agg(distinct tenant_id) from public.execution_events),
  array[tests.tenant_id('tenant-a')],
  'member of A reads only tenant A''s events'
);
select is(
  (select array_agg(row(model, input_tokens, output_tokens, cost_usd)::text) from public.usage_ledger),
  array[row('demo-large', 10000, 5000, 0.030000)::text],
  'member of A reads tenant A''s usage: the planner''s tokens priced at demo-large'
);
select ok(
  exists (select from public.model_prices where provider = 'demo' and model = 'demo-small'),
  'members read the model prices'
);
select throws_ok(
  $$ insert into public.executions (tenant_id, team_id, workflow_type, initial_prompt, team_config)
     values (tests.tenant_id('tenant-a'), tests.team_id('Launch team'), 'sequential', 'Forged run', '{}') $$,
  '42501', 'permission denied for table executions',
  'a member cannot insert runs directly'
);
select throws_ok(
  $$ update public.executions set status = 'completed' where id = tests.run_id('Plan the launch') $$,
  '42501', 'permission denied for table executions',
  'a member cannot change a run directly'
);
select throws_ok(
  $$ delete from public.executions where id = tests.run_id('Plan the launch') $$,
  '42501', 'permission denied for table executions',
  'a member cannot delete runs'
);
select throws_ok(
  $$ update public.execution_steps set status = 'succeeded', output = 'forged' where id = tests.step_id('Plan the launch', 'Writer') $$,
  '42501', 'permission denied for table execution_steps',
  'a member cannot write a step''s result'
);
select throws_ok(
  $$ insert into public.execution_events (execution_id, seq, tenant_id, event)
     values (tests.run_id('Plan the launch'), 999, tests.tenant_id('tenant-a'), 'log') $$,
  '42501', 'permission denied for table execution_events',
  'a member cannot append events'
);
select throws_ok(
  $$ insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                      input_usd_per_million, output_usd_per_million, cost_usd)
     values (tests.tenant_id('tenant-a'), tests.run_id('Plan the launch'), tests.step_id('Plan the launch', 'Writer'),
             tests.agent_id('Writer'), 'demo', 'demo-small', 0, 0, 0, 0, 0) $$,
  '42501', 'permission denied for table usage_ledger',
  'a member cannot write usage'
);
select throws_ok(
  $$ update public.model_prices set input_usd_per_million = 0 $$,
  '42501', 'permission denied for table model_prices',
  'a member cannot change model prices'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is(
  (select row((select count(*) from public.executions), (select count(*) from public.execution_steps where execution_id = tests.run_id('Plan the launch')),
              (select count(*) from public.execution_events where execution_id = tests.run_id('Plan the launch')) = pg_temp.last_seq('Plan the launch'),
              (select count(*) from public.usage_ledger))::text),
  row(5, 2, true, 1)::text,
  'an analyst reads the tenant''s runs, steps, events and usage'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select array_agg(initial_prompt) from public.executions),
  array['B run 1'],
  'member of B reads only tenant B''s runs'
);
select is_empty(
  $$ select id from public.execution_steps where execution_id = tests.run_id('Plan the launch') $$,
  'member of B reads none of tenant A''s steps'
);
select is_empty(
  $$ select seq from public.execution_events where execution_id = tests.run_id('Plan the launch') $$,
  'member of B reads none of tenant A''s events'
);
select is_empty(
  $$ select id from public.usage_ledger where tenant_id = tests.tenant_id('tenant-a') $$,
  'member of B reads none of tenant A''s usage'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.executions $$, '42501', 'permission denied for table executions', 'anon cannot read runs');
select throws_ok($$ select id from public.execution_steps $$, '42501', 'permission denied for table execution_steps', 'anon cannot read steps');
select throws_ok($$ select seq from public.execution_events $$, '42501', 'permission denied for table execution_events', 'anon cannot read events');
select throws_ok($$ select id from public.usage_ledger $$, '42501', 'permission denied for table usage_ledger', 'anon cannot read usage');
select throws_ok($$ select id from public.model_prices $$, '42501', 'permission denied for table model_prices', 'anon cannot read model prices');

-- ─── events and usage are append-only ────────────────────────────────────────────────────────
-- as service role
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.execution_events set payload = '{}' where execution_id = tests.run_id('Plan the launch') $$,
  '42501', 'permission denied for table execution_events',
  'not even the service role can change events'
);
select throws_ok(
  $$ delete from public.execution_events where execution_id = tests.run_id('Plan the launch') $$,
  '42501', 'permission denied for table execution_events',
  'not even the service role can delete events'
);
select throws_ok(
  $$ update public.usage_ledger set cost_usd = 0 $$,
  '42501', 'permission denied for table usage_ledger',
  'not even the service role can change usage'
);
select throws_ok(
  $$ delete from public.usage_ledger $$,
  '42501', 'permission denied for table usage_ledger',
  'not even the service role can delete usage'
);

-- as postgres
select tests.clear_authentication(); reset role;
select throws_ok(
  $$ update public.execution_events set payload = '{}' where execution_id = tests.run_id('Plan the launch') $$,
  '42501', 'execution_events is append-only: rows cannot be changed or deleted',
  'not even postgres can change events'
);
select throws_ok(
  $$ delete from public.execution_events where execution_id = tests.run_id('Plan the launch') $$,
  '42501', 'execution_events is append-only: rows cannot be changed or deleted',
  'not even postgres can delete events'
);
select throws_ok(
  $$ update public.usage_ledger set cost_usd = 0 $$,
  '42501', 'usage_ledger is append-only: rows cannot be changed or deleted',
  'not even postgres can change usage'
);
select throws_ok(
  $$ delete from public.usage_ledger $$,
  '42501', 'usage_ledger is append-only: rows cannot be changed or deleted',
  'not even postgres can delete usage'
);

-- ─── watching runs live (Realtime authorization on realtime.messages) ────────────────────────
-- as postgres: every event was broadcast on the run's private topic
select is(
  (select count(*)::int from realtime.messages
   where topic = 'execution:' || tests.run_id('Plan the launch') and extension = 'broadcast' and private),
  pg_temp.last_seq('Plan the launch'),
  'each of the run''s events was broadcast once on its private topic'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select set_config('realtime.topic', 'execution:' || tests.run_id('Plan the launch'), true);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  pg_temp.last_seq('Plan the launch'),
  'a member of the run''s tenant receives every broadcast on execution:<id>'
);
select throws_ok(
  $$ insert into realtime.messages (topic, extension, event, payload, private)
     values (realtime.topic(), 'broadcast', 'status_update', '{"status": "completed"}', true) $$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'a member cannot broadcast on a run''s topic'
);
select set_config('realtime.topic', 'execution:not-a-uuid', true);
select lives_ok(
  $$ select count(*) from realtime.messages where topic = realtime.topic() $$,
  'a malformed topic raises no error'
);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  0,
  'a malformed topic receives nothing'
);
select set_config('realtime.topic', 'execution:' || gen_random_uuid(), true);
select is(
  (select count(*)::int from realtime.messages),
  0,
  'the topic of a run that does not exist receives nothing'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select set_config('realtime.topic', 'execution:' || tests.run_id('Plan the launch'), true);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  pg_temp.last_seq('Plan the launch'),
  'an analyst watches the tenant''s runs too'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select set_config('realtime.topic', 'execution:' || tests.run_id('Plan the launch'), true);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  0,
  'member of B receives nothing on tenant A''s run topic'
);
select set_config('realtime.topic', 'execution:' || tests.run_id('B run 1'), true);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  pg_temp.last_seq('B run 1'),
  'member of B receives the broadcasts of B''s own run'
);

-- as anon
select tests.clear_authentication();
select set_config('realtime.topic', 'execution:' || tests.run_id('Plan the launch'), true);
select is(
  (select count(*)::int from realtime.messages where topic = realtime.topic()),
  0,
  'anon receives nothing'
);

-- ─── stopping runs ───────────────────────────────────────────────────────────────────────────
-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ select public.stop_execution(tests.run_id('Plan the launch')) $$,
  '42501', 'analysts can read runs but not stop them',
  'an analyst cannot stop a run'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.stop_execution(tests.run_id('Plan the launch')) $$,
  'P0002', 'execution not found',
  'member of B cannot stop tenant A''s run'
);

-- as member of tenant A: the writer's step is in flight (leased by worker-2)
select tests.authenticate_as('member_a');
select is(
  (select row(status, cancel_requested_at is not null, finished_at is not null)::text
   from public.stop_execution(tests.run_id('Plan the launch'))),
  row('cancelled', true, true)::text,
  'a member stops a run and it is cancelled at once'
);
select is(
  (select array_agg(row(agent_definition ->> 'name', status, skip_reason)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Plan the launch')),
  array[row('Planner', 'succeeded', null)::text, row('Writer', 'cancelled', 'the run was stopped')::text],
  'stopping cancels the steps not yet finished, the one in flight included'
);
select is(
  (select row(event, payload ->> 'status', payload ->> 'cancelled_by')::text from public.execution_events
   where execution_id = tests.run_id('Plan the launch') order by seq desc limit 1),
  row('status_update', 'cancelled', auth.uid()::text)::text,
  'the stop is announced with who stopped it'
);
select is(
  (select final_result ->> 'summary' from public.executions where id = tests.run_id('Plan the launch')),
  'Launch on Monday',
  'a stopped run keeps what its finished steps produced'
);
select is(
  (select array_agg(row(payload ->> 'status', payload ->> 'reason')::text) from public.execution_events
   where execution_id = tests.run_id('Plan the launch') and event = 'agent_status_update'
     and step_id = tests.step_id('Plan the launch', 'Writer') and payload ->> 'status' = 'cancelled'),
  array[row('cancelled', 'the run was stopped')::text],
  'each cancelled step is announced on its own, so a live view never shows it as still running'
);

-- as service role: the engine cannot move a stopped run
select tests.authenticate_as_service_role();
select is(
  private.complete_step(tests.step_id('Plan the launch', 'Writer'), 'worker-2', 1, 'Too late', 100, 100, 10),
  false,
  'the worker in flight cannot record its result after the stop'
);
select is(
  private.fail_step(tests.step_id('Plan the launch', 'Writer'), 'worker-2', 1, 'aborted', true),
  false,
  'nor record a failure'
);
select is(
  private.renew_step_lease(tests.step_id('Plan the launch', 'Writer'), 'worker-2', 1),
  false,
  'nor extend its lease: the worker learns it must stop'
);
select lives_ok(
  $$ select private.advance_execution(tests.run_id('Plan the launch')) $$,
  'the engine may advance a stopped run'
);
select is(
  (select row(status, (select count(*) from public.usage_ledger l where l.execution_id = e.id),
              (select array_agg(s.status::text order by s.position) from public.execution_steps s where s.execution_id = e.id))::text
   from public.executions e where e.id = tests.run_id('Plan the launch')),
  row('cancelled', 1, array['succeeded', 'cancelled'])::text,
  'a stopped run stays cancelled: nothing recorded or advanced after the stop changed it'
);

-- as owner of tenant A: stop every other run of A
select tests.authenticate_as('owner_a');
select is(
  (with open_runs as materialized (select id from public.executions where status in ('pending', 'running'))
   select array_agg(s.status::text) from open_runs r, lateral public.stop_execution(r.id) s),
  array['cancelled', 'cancelled', 'cancelled', 'cancelled'],
  'an owner stops the tenant''s other runs'
);
select is(
  (select row(status)::text from public.stop_execution(tests.run_id('Plan the launch'))),
  row('cancelled')::text,
  'stopping a finished run returns it unchanged'
);

-- as postgres: even a step put back to ready by hand is not claimed once its run is stopped
reset role;
update public.execution_steps set status = 'ready', next_attempt_at = now() where id = tests.step_id('Compare vendors', 'Researcher 1');
select tests.authenticate_as_service_role();
select is_empty(
  $$ select * from private.claim_steps('worker-3', 10) $$,
  'no step of a stopped run is claimed'
);

-- ─── runs in flight per plan (tenant B: basic, two at a time) ────────────────────────────────
-- as member of tenant B ('B run 1' is running, its step in flight)
select tests.authenticate_as('member_b');
select is(
  (select status::text from public.start_execution(tests.team_id('B team'), 'B run 2')),
  'running',
  'a basic tenant''s second run starts at once'
);
select is(
  (select row(status, started_at is null, deadline_at is null)::text from public.start_execution(tests.team_id('B team'), 'B run 3')),
  row('pending', true, true)::text,
  'a basic tenant''s third run waits as pending'
);
select is(
  (select array_agg(row(status)::text) from public.execution_steps where execution_id = tests.run_id('B run 3')),
  array[row('pending')::text],
  'a waiting run''s steps are not ready'
);

-- as service role: B run 1 finishes
select tests.authenticate_as_service_role();
select ok(
  private.complete_step(tests.step_id('B run 1', 'B Agent'), 'worker-b', 1, 'Done for B', 100, 100, 10),
  'B''s first run finishes'
);
select is(
  (select array_agg(row(initial_prompt, status)::text order by initial_prompt) from public.executions where tenant_id = tests.tenant_id('tenant-b')),
  array[row('B run 1', 'completed')::text, row('B run 2', 'running')::text, row('B run 3', 'running')::text],
  'when a run finishes, the waiting run starts'
);
select is(
  (select row(s.status, e.started_at is not null, e.deadline_at is not null)::text
   from public.execution_steps s join public.executions e on e.id = s.execution_id where s.id = tests.step_id('B run 3', 'B Agent')),
  row('ready', true, true)::text,
  'the run that waited begins: its first step is ready and its deadline set'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select status::text from public.start_execution(tests.team_id('B team'), 'B run 4')),
  'pending',
  'with two runs in flight again, the next run waits'
);
select public.stop_execution(tests.run_id('B run 2'));
select is(
  (select status::text from public.executions where id = tests.run_id('B run 4')),
  'running',
  'stopping a run frees its place for the waiting one'
);
select is(
  (select status::text from public.start_execution(tests.team_id('B team'), 'B run 5')),
  'pending',
  'a fifth run waits behind B run 3 and B run 4'
);
select is(
  (select row(status, started_at is null)::text from public.stop_execution(tests.run_id('B run 5'))),
  row('cancelled', true)::text,
  'a waiting run can be stopped before it starts'
);
select is(
  (select array_agg(status::text) from public.execution_steps where execution_id = tests.run_id('B run 5')),
  array['cancelled'],
  'its steps are cancelled'
);
select is(
  (select array_agg(row(initial_prompt, status)::text order by initial_prompt) from public.executions where status in ('pending', 'running')),
  array[row('B run 3', 'running')::text, row('B run 4', 'running')::text],
  'the stopped waiting run never starts, and the two in flight go on'
);

-- ─── the monthly budget ──────────────────────────────────────────────────────────────────────
-- as service role: tenant A has spent US$ 0.03 this month (the planner's step)
select tests.authenticate_as_service_role();
update public.tenants set monthly_budget_usd = 0.03 where id = tests.tenant_id('tenant-a');

-- as member of tenant A
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select public.start_execution(tests.team_id('Launch team'), 'Over budget') $$,
  'P0001', 'the monthly budget of US$ 0.03 is spent (US$ 0.03 used this month); new runs start next month or when the budget is raised',
  'a tenant that spent its monthly budget cannot start runs'
);
select is(
  tests.error_code($$ select public.start_execution(tests.team_id('Launch team'), 'Over budget') $$),
  'budget_exhausted',
  'the budget error carries the budget_exhausted constraint for the API'
);

-- as service role: raise the budget, and book a large spend last month
select tests.authenticate_as_service_role();
update public.tenants set monthly_budget_usd = 1.00 where id = tests.tenant_id('tenant-a');
reset role;
insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                 input_usd_per_million, output_usd_per_million, cost_usd, recorded_at)
values (tests.tenant_id('tenant-a'), tests.run_id('Plan the launch'), tests.step_id('Plan the launch', 'Writer'),
        tests.agent_id('Writer'), 'demo', 'demo-large', 1000000, 1000000, 1, 4, 5, date_trunc('month', now()) - interval '1 day');

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select status::text from public.start_execution(tests.team_id('Launch team'), 'Within budget')),
  'running',
  'with room in this month''s budget runs start again; last month''s spend does not count'
);

-- ─── deleting a team keeps its runs and their cost ───────────────────────────────────────────
select tests.clear_authentication(); reset role;
select private.tenant_spend_this_month(tests.tenant_id('tenant-a')) as spend_before \gset
update public.executions set status = 'completed' where team_id = tests.team_id('Launch team') and status in ('pending', 'running');
select tests.authenticate_as('owner_a');
delete from public.teams where id = tests.team_id('Launch team');
select tests.clear_authentication(); reset role;
select is(
  private.tenant_spend_this_month(tests.tenant_id('tenant-a')),
  :'spend_before'::numeric,
  'deleting a team does not erase the month''s spend (the budget cannot be reset that way)'
);
select ok(
  exists (select from public.executions where tenant_id = tests.tenant_id('tenant-a') and team_id is null and initial_prompt = 'Plan the launch'),
  'the team''s runs stay in the history, detached from the deleted team'
);

-- ─── a suspended tenant reads its runs but does not start them ───────────────────────────────
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-b');

-- as member of tenant B
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.start_execution(tests.team_id('B team'), 'While suspended') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot start runs'
);
select is(
  (select count(*)::int from public.executions),
  5,
  'a suspended tenant still reads its runs'
);

-- ─── append-only rows still leave with their tenant ──────────────────────────────────────────
select tests.clear_authentication(); reset role;
select lives_ok(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-b') $$,
  'deleting a tenant deletes its runs, events and usage with it'
);
select ok(
  not exists (select from public.execution_events e where not exists (select from public.executions x where x.id = e.execution_id))
    and not exists (select from public.usage_ledger l where l.tenant_id not in (select id from public.tenants))
    and not exists (select from public.executions where initial_prompt like 'B run %'),
  'nothing of tenant B''s runs is left behind'
);

select * from finish();
rollback;
