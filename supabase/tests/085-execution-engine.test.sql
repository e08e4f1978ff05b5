-- The execution engine, driven as the workers drive it (service role): claiming ready steps with a
-- lease, recording a result exactly once with its priced usage, how each strategy hands results
-- on (sequential, pipeline, conditional, parallel), failures and retries, the reaper (expired
-- leases and deadlines), and the numbered event log that is broadcast on `execution:<id>`.
--
-- Cast: tenant A (member_a starts the runs; plan enterprise), the service role as the engine with
-- workers named worker-1, worker-2, ..., and postgres standing in for the clock (leases, retries and
-- deadlines are moved into the past instead of waiting for them).
--
-- claim_steps hands out any ready step of any run, so each scenario drives its run to the end (or
-- leaves nothing ready) before the next one starts.

begin;
set search_path to public, extensions, tests;

select plan(108);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- Row ids that every actor can name, whatever RLS lets them see (transaction-local helpers).
-- The worker holding a step's lease, as the worker itself would know it.
create function pg_temp.lease_owner(prompt text, agent_name text) returns text
language sql stable security definer set search_path = ''
as $$ select s.lease_owner from public.execution_steps s where s.id = tests.step_id(prompt, agent_name) $$;
grant execute on function pg_temp.lease_owner(text, text) to anon, authenticated, service_role;

select tests.create_supabase_user('owner_a', 'owner.a@renum.test');
select tests.create_supabase_user('member_a', 'member.a@renum.test');

select tests.authenticate_as('owner_a');
select public.create_tenant('Tenant A', 'tenant-a');

select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('member_a'), 'member');
update public.tenants set plan = 'enterprise' where id = tests.tenant_id('tenant-a');

-- Prices of a model of our own: one expired, one in force, one not yet in force; and a second model.
reset role;
insert into public.model_prices (provider, model, input_usd_per_million, output_usd_per_million, effective_from, effective_to) values
  ('demo', 'priced-model', 5.00, 5.00, '2020-01-01', now() - interval '1 day'),
  ('demo', 'priced-model', 0.15, 0.60, now() - interval '1 day', now() + interval '1 day'),
  ('demo', 'priced-model', 9.00, 9.00, now() + interval '1 day', null),
  ('demo', 'priced-model-xl', 1.00, 2.00, '2020-01-01', null);

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Priced Agent', 'priced-model', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 1', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 2', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 3', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 4', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Lead', 'demo-small', 'active');
-- Agents at the same order run in agent id order; fixed ids make that order known.
insert into public.agents (id, tenant_id, name, model, status) values
  ('a0000000-0000-4000-8000-000000000001', tests.tenant_id('tenant-a'), 'Researcher 1', 'demo-small', 'active'),
  ('a0000000-0000-4000-8000-000000000002', tests.tenant_id('tenant-a'), 'Researcher 2', 'demo-small', 'active');

insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, continue_on_error, timeout_seconds) values
  (tests.tenant_id('tenant-a'), 'Solo team', 'sequential', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Pricing team', 'sequential', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Pipeline team', 'pipeline', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Conditional team', 'conditional', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Parallel team', 'parallel', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Narrow team', 'parallel', 1, false, 600),
  (tests.tenant_id('tenant-a'), 'Fragile team', 'sequential', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Resilient team', 'sequential', 5, true, 600),
  (tests.tenant_id('tenant-a'), 'Slow team', 'sequential', 5, false, 30);

insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions) values
  (tests.team_id('Solo team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Pricing team'), tests.agent_id('Priced Agent'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Pricing team'), tests.agent_id('Agent 1'), 'member', 2, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Pipeline team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Pipeline team'), tests.agent_id('Agent 2'), 'member', 2, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Pipeline team'), tests.agent_id('Agent 3'), 'member', 3, jsonb_build_object(
     'source', 'combined',
     'sources', jsonb_build_array(
       jsonb_build_object('type', 'initial_prompt'),
       jsonb_build_object('type', 'agent_result', 'agent_id', tests.agent_id('Agent 1')),
       jsonb_build_object('type', 'variable', 'name', 'lang')),
     'template', 'Brief: {{initial_prompt}} | First draft: {{agent:' || tests.agent_id('Agent 1') || '}} | Language: {{variables.lang}}'), '[]'),
  (tests.team_id('Pipeline team'), tests.agent_id('Agent 4'), 'member', 4, jsonb_build_object(
     'source', 'combined',
     'sources', jsonb_build_array(
       jsonb_build_object('type', 'agent_result', 'agent_id', tests.agent_id('Agent 2')),
       jsonb_build_object('type', 'initial_prompt'))), '[]'),

  (tests.team_id('Conditional team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Conditional team'), tests.agent_id('Agent 2'), 'member', 2, '{"source": "initial_prompt"}',
   jsonb_build_array(jsonb_build_object('field', 'agents.' || tests.agent_id('Agent 1') || '.output', 'operator', 'contains', 'value', 'urgent'))),
  (tests.team_id('Conditional team'), tests.agent_id('Agent 3'), 'member', 3, '{"source": "initial_prompt"}',
   '[{"field": "variables.score", "operator": "greater_than", "value": 5}]'),
  (tests.team_id('Conditional team'), tests.agent_id('Agent 4'), 'member', 4, '{"source": "initial_prompt"}',
   '[{"field": "variables.score", "operator": "less_than", "value": 3}]'),

  (tests.team_id('Parallel team'), tests.agent_id('Researcher 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Parallel team'), tests.agent_id('Researcher 2'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Parallel team'), tests.agent_id('Lead'), 'leader', 2, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Narrow team'), tests.agent_id('Researcher 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Narrow team'), tests.agent_id('Researcher 2'), 'member', 1, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Fragile team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Fragile team'), tests.agent_id('Agent 2'), 'member', 2, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Fragile team'), tests.agent_id('Agent 3'), 'member', 3, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Resilient team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Resilient team'), tests.agent_id('Agent 2'), 'member', 2, '{"source": "initial_prompt"}', '[]'),

  (tests.team_id('Slow team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]');

-- The teams above must pass the workflow check they would face at commit.
set constraints all immediate;

-- ─── who may drive the engine ────────────────────────────────────────────────────────────────
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(p.proname || ':' || r.rolname order by p.proname, r.rolname)
   from pg_proc p cross join (values ('anon'), ('authenticated'), ('service_role')) r (rolname)
   where p.pronamespace = 'private'::regnamespace
     and p.proname in ('claim_steps', 'renew_step_lease', 'complete_step', 'fail_step', 'reap_executions', 'advance_execution')
     and has_function_privilege(r.rolname, p.oid, 'execute')),
  array['advance_execution:service_role', 'claim_steps:service_role', 'complete_step:service_role',
        'fail_step:service_role', 'reap_executions:service_role', 'renew_step_lease:service_role'],
  'only the service role may call the engine functions'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select * from private.claim_steps('sneaky-worker', 5) $$,
  '42501', 'permission denied for schema private',
  'a signed-in user cannot claim steps'
);
select throws_ok(
  $$ select private.reap_executions() $$,
  '42501', 'permission denied for schema private',
  'a signed-in user cannot run the reaper'
);

-- ─── one run from start to end: every state change is one numbered event ─────────────────────
select public.start_execution(tests.team_id('Solo team'), 'Say hello');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(agent_id, attempt)::text) from private.claim_steps('worker-1', 5)),
  array[row(tests.agent_id('Agent 1'), 1)::text],
  'the engine claims the solo agent''s step at attempt 1'
);
select ok(
  private.complete_step(tests.step_id('Say hello', 'Agent 1'), 'worker-1', 1, 'Hello!', 10, 5, 100),
  'the engine records the solo agent''s result'
);
select is(
  (select array_agg(event || coalesce(':' || (payload ->> 'status'), '') order by seq)
   from public.execution_events where execution_id = tests.run_id('Say hello')),
  array['status_update:pending', 'status_update:running', 'agent_status_update:ready', 'progress_update',
        'agent_status_update:running', 'agent_status_update:succeeded', 'result_update', 'progress_update',
        'result_update', 'status_update:completed'],
  'each state change of the run appended one event, in order'
);
select is(
  (select array_agg(seq order by seq) from public.execution_events where execution_id = tests.run_id('Say hello')),
  array[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]::bigint[],
  'the events are numbered 1..n without gaps'
);
select is(
  (select array_agg(row((m.payload ->> 'seq')::int, m.event, m.payload ->> 'execution_id')::text order by (m.payload ->> 'seq')::int)
   from realtime.messages m where m.topic = 'execution:' || tests.run_id('Say hello') and m.extension = 'broadcast' and m.private),
  (select array_agg(row(e.seq, e.event, e.execution_id)::text order by e.seq) from public.execution_events e
   where e.execution_id = tests.run_id('Say hello')),
  'every event was broadcast privately on execution:<id> with its seq'
);
select is(
  (select row(status, finished_steps, final_result ->> 'summary', jsonb_array_length(final_result -> 'details'), finished_at is not null)::text
   from public.executions where id = tests.run_id('Say hello')),
  row('completed', 1, 'Hello!', 1, true)::text,
  'the run completed with the agent''s output as its answer'
);

-- ─── claiming, exactly-once results and pricing ──────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Pricing team'), 'Price the plan');

-- as service role
select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(step_id = tests.step_id('Price the plan', 'Priced Agent'), attempt, resolved_input,
                        lease_expires_at = now() + interval '60 seconds', agent_definition ->> 'model', team_config ->> 'team_name')::text)
   from private.claim_steps('worker-1', 5)),
  array[row(true, 1, 'Price the plan', true, 'priced-model', 'Pricing team')::text],
  'a worker claims the ready step with a lease, its attempt counted, and what it needs to run it'
);
select is(
  (select row(status, lease_owner, attempt_count, started_at is not null)::text
   from public.execution_steps where id = tests.step_id('Price the plan', 'Priced Agent')),
  row('running', 'worker-1', 1, true)::text,
  'the claimed step is running under worker-1''s lease'
);
select is_empty(
  $$ select * from private.claim_steps('worker-2', 5) $$,
  'a second worker gets nothing: the one ready step is already leased and the next waits for it'
);
select ok(
  private.renew_step_lease(tests.step_id('Price the plan', 'Priced Agent'), 'worker-1', 1, 120),
  'the worker holding the lease extends it'
);
select is(
  (select lease_expires_at from public.execution_steps where id = tests.step_id('Price the plan', 'Priced Agent')),
  now() + interval '120 seconds',
  'the lease now ends lease_seconds from now'
);
select is(
  private.renew_step_lease(tests.step_id('Price the plan', 'Priced Agent'), 'worker-2', 1, 120),
  false,
  'another worker cannot extend the lease'
);
select is(
  private.complete_step(tests.step_id('Price the plan', 'Priced Agent'), 'worker-2', 1, 'Stolen answer', 1, 1, 1),
  false,
  'another worker cannot record the result'
);
select is(
  private.complete_step(tests.step_id('Price the plan', 'Priced Agent'), 'worker-1', 2, 'Answer of another attempt', 1, 1, 1),
  false,
  'an attempt that is not the current one cannot record the result'
);
select is(
  private.complete_step(tests.step_id('Price the plan', 'Priced Agent'), 'worker-1', 1, 'It costs R$ 10', 1234, 567, 850),
  true,
  'the worker holding the lease records the result'
);
select is(
  (select row(status, output, input_tokens, output_tokens, latency_ms, cost_usd, lease_owner is null, lease_expires_at is null, finished_at is not null)::text
   from public.execution_steps where id = tests.step_id('Price the plan', 'Priced Agent')),
  row('succeeded', 'It costs R$ 10', 1234, 567, 850, 0.000525, true, true, true)::text,
  'the step records its output, tokens, latency and cost, and lets go of the lease'
);
select is(
  (select array_agg(row(provider, model, input_tokens, output_tokens, input_usd_per_million, output_usd_per_million, cost_usd,
                        price_id = (select p.id from public.model_prices p where p.model = 'priced-model' and p.input_usd_per_million = 0.15),
                        tenant_id = tests.tenant_id('tenant-a'), execution_id = tests.run_id('Price the plan'),
                        agent_id = tests.agent_id('Priced Agent'))::text)
   from public.usage_ledger where step_id = tests.step_id('Price the plan', 'Priced Agent')),
  array[row('demo', 'priced-model', 1234, 567, 0.150000, 0.600000, 0.000525, true, true, true, true)::text],
  'one usage row, priced at the price in force (not the expired or future one): (1234 × 0.15 + 567 × 0.60) / 1e6 rounded to 6 decimals'
);
select is(
  (select row(input_tokens, output_tokens, cost_usd)::text from public.executions where id = tests.run_id('Price the plan')),
  row(1234, 567, 0.000525)::text,
  'the run''s totals add the step''s usage'
);
select is(
  private.complete_step(tests.step_id('Price the plan', 'Priced Agent'), 'worker-1', 1, 'It costs R$ 10', 1234, 567, 850),
  false,
  'recording the same result again returns false'
);
select is(
  (select row((select count(*) from public.usage_ledger l where l.execution_id = e.id), e.input_tokens, e.cost_usd,
              (select s.output from public.execution_steps s where s.id = tests.step_id('Price the plan', 'Priced Agent')))::text
   from public.executions e where e.id = tests.run_id('Price the plan')),
  row(1, 1234, 0.000525, 'It costs R$ 10')::text,
  'and changes nothing: one usage row, the same totals and output'
);
select is(
  (select row(status, resolved_input)::text from public.execution_steps where id = tests.step_id('Price the plan', 'Agent 1')),
  row('ready', 'Price the plan')::text,
  'the next step of the sequential run is ready, with the prompt'
);
select is(
  (select array_agg(row(agent_id, attempt)::text) from private.claim_steps('worker-2', 5)),
  array[row(tests.agent_id('Agent 1'), 1)::text],
  'another worker claims the next step'
);
select ok(
  private.complete_step(tests.step_id('Price the plan', 'Agent 1'), 'worker-2', 1, 'Summary of the price', 1000, 500, 400, 'priced-model-xl'),
  'the worker records a result made by the model the provider reports'
);
select is(
  (select row(model, input_usd_per_million, output_usd_per_million, cost_usd)::text
   from public.usage_ledger where step_id = tests.step_id('Price the plan', 'Agent 1')),
  row('priced-model-xl', 1.000000, 2.000000, 0.002000)::text,
  'usage is priced at the reported model''s price: (1000 × 1.00 + 500 × 2.00) / 1e6'
);
select is(
  (select row(status, input_tokens, output_tokens, cost_usd, final_result ->> 'summary',
              (select array_agg(d ->> 'agent_name' || ':' || (d ->> 'cost_usd') order by (d ->> 'position')::int)
               from jsonb_array_elements(final_result -> 'details') d))::text
   from public.executions where id = tests.run_id('Price the plan')),
  row('completed', 2234, 1067, 0.002525, 'Summary of the price', array['Priced Agent:0.000525', 'Agent 1:0.002000'])::text,
  'the run completes with the last output as its answer, and each agent''s cost in the details'
);

-- ─── pipeline: each agent receives what the previous one produced ────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Pipeline team'), 'Write a post', '{"lang": "pt-BR"}');

select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(agent_id, resolved_input)::text) from private.claim_steps('worker-1', 5)),
  array[row(tests.agent_id('Agent 1'), 'Write a post')::text],
  'the pipeline''s first agent receives the prompt'
);
select ok(private.complete_step(tests.step_id('Write a post', 'Agent 1'), 'worker-1', 1, 'draft one', 10, 10, 10), 'agent 1 writes draft one');
select is(
  (select row(status, resolved_input)::text from public.execution_steps where id = tests.step_id('Write a post', 'Agent 2')),
  row('ready', 'draft one')::text,
  'in a pipeline the second agent receives the first agent''s output'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 2')],
  'agent 2 is claimed'
);
select ok(private.complete_step(tests.step_id('Write a post', 'Agent 2'), 'worker-1', 1, 'draft two', 10, 10, 10), 'agent 2 writes draft two');
select is(
  (select resolved_input from public.execution_steps where id = tests.step_id('Write a post', 'Agent 3')),
  'Brief: Write a post | First draft: draft one | Language: pt-BR',
  'a combined input fills its template with the prompt, an earlier agent''s result and a variable'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 3')],
  'agent 3 is claimed'
);
select ok(private.complete_step(tests.step_id('Write a post', 'Agent 3'), 'worker-1', 1, 'the post', 10, 10, 10), 'agent 3 writes the post');
select is(
  (select resolved_input from public.execution_steps where id = tests.step_id('Write a post', 'Agent 4')),
  E'## Agent 2\ndraft two\n\nWrite a post',
  'a combined input without a template lists each source, an agent''s result under its name'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 4')],
  'agent 4 is claimed'
);
select ok(private.complete_step(tests.step_id('Write a post', 'Agent 4'), 'worker-1', 1, 'the summary', 10, 10, 10), 'agent 4 writes the summary');
select is(
  (select row(status, finished_steps, total_steps, final_result ->> 'summary')::text from public.executions where id = tests.run_id('Write a post')),
  row('completed', 4, 4, 'the summary')::text,
  'the pipeline completes with its last agent''s output'
);
select is(
  (select shared_context -> 'agent_results' from public.executions where id = tests.run_id('Write a post')),
  jsonb_build_object(tests.agent_id('Agent 1'), 'draft one', tests.agent_id('Agent 2'), 'draft two',
                     tests.agent_id('Agent 3'), 'the post', tests.agent_id('Agent 4'), 'the summary'),
  'the run''s shared context collects each agent''s result under agent_results'
);

-- ─── conditional: a step whose conditions fail is skipped and the next one proceeds ──────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Conditional team'), 'Handle this request', '{"score": 10}');

select tests.authenticate_as_service_role();
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 1')],
  'the classifier is claimed'
);
select ok(private.complete_step(tests.step_id('Handle this request', 'Agent 1'), 'worker-1', 1, 'a routine request', 10, 10, 10), 'the classifier answers');
select is(
  (select array_agg(row(agent_definition ->> 'name', status, skip_reason)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Handle this request') and position > 1),
  array[row('Agent 2', 'skipped', format('condition agents.%s.output contains urgent was not met (value: a routine request)', tests.agent_id('Agent 1')))::text,
        row('Agent 3', 'ready', null)::text,
        row('Agent 4', 'pending', null)::text],
  'a step whose condition fails is skipped with the reason, and the next one (10 greater_than 5, compared as numbers) proceeds'
);
select is(
  (select row(event, payload ->> 'status', payload ->> 'reason')::text from public.execution_events
   where execution_id = tests.run_id('Handle this request') and step_id = tests.step_id('Handle this request', 'Agent 2')),
  row('agent_status_update', 'skipped', format('condition agents.%s.output contains urgent was not met (value: a routine request)', tests.agent_id('Agent 1')))::text,
  'the skip is announced with its reason'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 3')],
  'agent 3 is claimed'
);
select ok(private.complete_step(tests.step_id('Handle this request', 'Agent 3'), 'worker-1', 1, 'escalated to sales', 10, 10, 10), 'agent 3 answers');
select is(
  (select row(e.status, e.final_result ->> 'summary', s.status, s.skip_reason)::text
   from public.executions e join public.execution_steps s on s.execution_id = e.id
   where e.id = tests.run_id('Handle this request') and s.id = tests.step_id('Handle this request', 'Agent 4')),
  row('completed', 'escalated to sales', 'skipped', 'condition variables.score less_than 3 was not met (value: 10)')::text,
  'a less_than that fails skips the last step and the run completes with the last output'
);

-- ─── parallel: every member at once, the leader sums up ──────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Parallel team'), 'Compare vendors');

select tests.authenticate_as_service_role();
select is(
  (select count(*)::int from private.claim_steps('worker-1', 1)),
  1,
  'worker-1 claims one researcher'
);
select is(
  (select count(*)::int from private.claim_steps('worker-2', 1)),
  1,
  'worker-2, claiming next, gets one too'
);
select is(
  (select array_agg(row(agent_definition ->> 'name', status)::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Compare vendors')),
  array[row('Researcher 1', 'running')::text, row('Researcher 2', 'running')::text, row('Lead', 'pending')::text],
  'both researchers are running, the leader waits'
);
select is(
  (select array_agg(lease_owner order by lease_owner) from public.execution_steps where execution_id = tests.run_id('Compare vendors')),
  array['worker-1', 'worker-2', null],
  'the two workers hold different steps: no step was handed out twice'
);
select is_empty(
  $$ select * from private.claim_steps('worker-3', 5) $$,
  'a third worker gets nothing: the leader waits for the researchers'
);
select ok(
  private.complete_step(tests.step_id('Compare vendors', 'Researcher 2'), pg_temp.lease_owner('Compare vendors', 'Researcher 2'), 1, 'vendor B is cheaper', 100, 50, 10),
  'researcher 2 answers'
);
select is(
  (select status::text from public.execution_steps where id = tests.step_id('Compare vendors', 'Lead')),
  'pending',
  'the leader still waits for researcher 1'
);
select ok(
  private.complete_step(tests.step_id('Compare vendors', 'Researcher 1'), pg_temp.lease_owner('Compare vendors', 'Researcher 1'), 1, 'vendor A is faster', 100, 50, 10),
  'researcher 1 answers'
);
select is(
  (select row(status, resolved_input)::text from public.execution_steps where id = tests.step_id('Compare vendors', 'Lead')),
  row('ready', E'Compare vendors\n\n## Researcher 1\nvendor A is faster\n\n## Researcher 2\nvendor B is cheaper')::text,
  'the leader receives the prompt and everyone''s results'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-3', 5)),
  array[tests.agent_id('Lead')],
  'the leader is claimed'
);
select ok(
  private.complete_step(tests.step_id('Compare vendors', 'Lead'), 'worker-3', 1, 'Pick vendor A', 300, 100, 20),
  'the leader answers'
);
select is(
  (select row(status, final_result ->> 'summary',
              (select array_agg(row(d ->> 'agent_name', d ->> 'role', d ->> 'status', d ->> 'output')::text order by (d ->> 'position')::int)
               from jsonb_array_elements(final_result -> 'details') d))::text
   from public.executions where id = tests.run_id('Compare vendors')),
  row('completed', 'Pick vendor A', array[
    row('Researcher 1', 'member', 'succeeded', 'vendor A is faster')::text,
    row('Researcher 2', 'member', 'succeeded', 'vendor B is cheaper')::text,
    row('Lead', 'leader', 'succeeded', 'Pick vendor A')::text])::text,
  'the answer is the leader''s output, and the details list each agent''s contribution'
);

-- ─── parallel with max_parallel_agents = 1 ───────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Narrow team'), 'One at a time');

select tests.authenticate_as_service_role();
select is(
  (select count(*)::int from private.claim_steps('worker-1', 5)),
  1,
  'asking for five steps of a run limited to one agent at a time gets one'
);
select is_empty(
  $$ select * from private.claim_steps('worker-2', 5) $$,
  'while it runs, the run''s other ready step is not claimed'
);
select ok(
  (select bool_and(private.complete_step(s.id, s.lease_owner, s.attempt_count, 'findings of ' || (s.agent_definition ->> 'name'), 10, 10, 10))
   from public.execution_steps s where s.execution_id = tests.run_id('One at a time') and s.status = 'running'),
  'the running step finishes'
);
select is(
  (select count(*)::int from private.claim_steps('worker-2', 5)),
  1,
  'then the other step is claimed'
);
select ok(
  (select bool_and(private.complete_step(s.id, s.lease_owner, s.attempt_count, 'findings of ' || (s.agent_definition ->> 'name'), 10, 10, 10))
   from public.execution_steps s where s.execution_id = tests.run_id('One at a time') and s.status = 'running'),
  'and finishes'
);
select is(
  (select row(status, final_result ->> 'summary')::text from public.executions where id = tests.run_id('One at a time')),
  row('completed', E'findings of Researcher 1\n\nfindings of Researcher 2')::text,
  'without a leader, a parallel run''s answer is every output in order'
);

-- ─── failures: retry, give up, stop the team or carry on ─────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Fragile team'), 'Fragile run');

select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(agent_id, attempt)::text) from private.claim_steps('worker-1', 5)),
  array[row(tests.agent_id('Agent 1'), 1)::text],
  'agent 1 is claimed at attempt 1'
);
select is(
  private.fail_step(tests.step_id('Fragile run', 'Agent 1'), 'worker-1', 1, 'provider answered 429', true, 30000),
  true,
  'the worker records a retryable failure'
);
select is(
  (select row(status, attempt_count, error_message, lease_owner is null, next_attempt_at >= now() + interval '30 seconds', finished_at is null)::text
   from public.execution_steps where id = tests.step_id('Fragile run', 'Agent 1')),
  row('ready', 1, 'provider answered 429', true, true, true)::text,
  'with attempts left the step is ready again, not before now + retry_after'
);
select is_empty(
  $$ select * from private.claim_steps('worker-2', 5) $$,
  'a step waiting for its retry is not claimed early'
);
reset role;
update public.execution_steps set next_attempt_at = now() where id = tests.step_id('Fragile run', 'Agent 1');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(agent_id, attempt)::text) from private.claim_steps('worker-2', 5)),
  array[row(tests.agent_id('Agent 1'), 2)::text],
  'once its retry time has come, the step is claimed at attempt 2'
);
select is(
  private.fail_step(tests.step_id('Fragile run', 'Agent 1'), 'worker-2', 2, 'invalid API key', false),
  true,
  'the worker records a failure that retrying cannot fix'
);
select is(
  (select array_agg(row(agent_definition ->> 'name', status, coalesce(error_message, skip_reason))::text order by position)
   from public.execution_steps where execution_id = tests.run_id('Fragile run')),
  array[row('Agent 1', 'failed', 'invalid API key')::text,
        row('Agent 2', 'cancelled', 'an earlier agent failed and the team stops on errors')::text,
        row('Agent 3', 'cancelled', 'an earlier agent failed and the team stops on errors')::text],
  'the step fails and, as the team stops on errors, the remaining steps are cancelled'
);
select is(
  (select row(status, error_message, finished_at is not null)::text from public.executions where id = tests.run_id('Fragile run')),
  row('failed', 'agent "Agent 1" failed: invalid API key', true)::text,
  'the run fails with a message naming the agent'
);
select is(
  (select array_agg(payload ->> 'will_retry' order by seq) from public.execution_events
   where execution_id = tests.run_id('Fragile run') and event = 'error_update'),
  array['true', 'false'],
  'each failure is announced, saying whether it will be retried'
);
select is(
  private.fail_step(tests.step_id('Fragile run', 'Agent 1'), 'worker-2', 2, 'invalid API key', false),
  false,
  'a failure is recorded once'
);

-- out of attempts
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Fragile team'), 'Fragile run 2');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(attempt) from private.claim_steps('worker-1', 1)),
  array[1],
  'attempt 1 is claimed'
);
select ok(private.fail_step(tests.step_id('Fragile run 2', 'Agent 1'), 'worker-1', 1, 'provider timed out', true, 0), 'attempt 1 fails, retryable');
select is(
  (select array_agg(attempt) from private.claim_steps('worker-1', 1)),
  array[2],
  'attempt 2 is claimed at once (no retry delay asked)'
);
select ok(private.fail_step(tests.step_id('Fragile run 2', 'Agent 1'), 'worker-1', 2, 'provider timed out', true, 0), 'attempt 2 fails, retryable');
select is(
  (select array_agg(attempt) from private.claim_steps('worker-1', 1)),
  array[3],
  'attempt 3 is claimed'
);
select ok(private.fail_step(tests.step_id('Fragile run 2', 'Agent 1'), 'worker-1', 3, 'provider timed out', true, 0), 'attempt 3 fails, retryable');
select is(
  (select row(s.status, s.attempt_count, s.max_attempts, e.status, e.error_message)::text
   from public.execution_steps s join public.executions e on e.id = s.execution_id where s.id = tests.step_id('Fragile run 2', 'Agent 1')),
  row('failed', 3, 3, 'failed', 'agent "Agent 1" failed: provider timed out')::text,
  'a retryable failure with no attempts left fails the step and the run'
);

-- continue on error
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Resilient team'), 'Resilient run');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 1')],
  'agent 1 of the resilient team is claimed'
);
select ok(private.fail_step(tests.step_id('Resilient run', 'Agent 1'), 'worker-1', 1, 'bad answer', false), 'agent 1 fails for good');
select is(
  (select row(e.status, s.status, s.resolved_input)::text
   from public.executions e join public.execution_steps s on s.execution_id = e.id
   where e.id = tests.run_id('Resilient run') and s.id = tests.step_id('Resilient run', 'Agent 2')),
  row('running', 'ready', 'Resilient run')::text,
  'a team that continues on error goes on to the next agent'
);
select is(
  (select array_agg(agent_id) from private.claim_steps('worker-1', 5)),
  array[tests.agent_id('Agent 2')],
  'agent 2 is claimed'
);
select ok(private.complete_step(tests.step_id('Resilient run', 'Agent 2'), 'worker-1', 1, 'recovered', 10, 10, 10), 'agent 2 answers');
select is(
  (select row(status, error_message, final_result ->> 'summary',
              (select array_agg(row(d ->> 'agent_name', d ->> 'status', d ->> 'error')::text order by (d ->> 'position')::int)
               from jsonb_array_elements(final_result -> 'details') d))::text
   from public.executions where id = tests.run_id('Resilient run')),
  row('completed', null, 'recovered', array[row('Agent 1', 'failed', 'bad answer')::text, row('Agent 2', 'succeeded', null)::text])::text,
  'the run completes, and its details keep the failure'
);

-- ─── the reaper: expired leases ──────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Slow team'), 'Slow run');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(attempt) from private.claim_steps('worker-1', 5)),
  array[1],
  'worker-1 claims the slow step at attempt 1'
);
reset role;
update public.execution_steps set lease_expires_at = now() - interval '1 second' where id = tests.step_id('Slow run', 'Agent 1');
select tests.authenticate_as_service_role();
select is(private.reap_executions(), 1, 'the reaper finds the one expired lease');
select is(
  (select row(status, attempt_count, lease_owner, lease_expires_at)::text from public.execution_steps where id = tests.step_id('Slow run', 'Agent 1')),
  row('ready', 1, null, null)::text,
  'a step whose lease expired goes back to ready; the attempt it used still counts'
);
select is(
  (select array_agg(attempt) from private.claim_steps('worker-2', 5)),
  array[2],
  'worker-2 claims it at attempt 2'
);
select is(
  private.complete_step(tests.step_id('Slow run', 'Agent 1'), 'worker-1', 1, 'late answer', 10, 10, 10),
  false,
  'the worker whose lease was reaped cannot record its late result'
);
reset role;
update public.execution_steps set lease_expires_at = now() - interval '1 second' where id = tests.step_id('Slow run', 'Agent 1');
select tests.authenticate_as_service_role();
select private.reap_executions();
select is(
  (select array_agg(attempt) from private.claim_steps('worker-3', 5)),
  array[3],
  'after a second expiry the step is claimed at attempt 3'
);
reset role;
update public.execution_steps set lease_expires_at = now() - interval '1 second' where id = tests.step_id('Slow run', 'Agent 1');
select tests.authenticate_as_service_role();
select is(private.reap_executions(), 1, 'the reaper finds the last attempt expired');
select is(
  (select row(s.status, s.error_message, e.status, e.error_message)::text
   from public.execution_steps s join public.executions e on e.id = s.execution_id where s.id = tests.step_id('Slow run', 'Agent 1')),
  row('failed', 'the worker stopped answering on every attempt', 'failed', 'agent "Agent 1" failed: the worker stopped answering on every attempt')::text,
  'out of attempts, the step fails and so does the run'
);

-- ─── the reaper: deadlines ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Slow team'), 'Overdue run');
select tests.authenticate_as_service_role();
select is(
  (select array_agg(row(agent_id, deadline_at = now() + interval '30 seconds')::text) from private.claim_steps('worker-1', 5)),
  array[row(tests.agent_id('Agent 1'), true)::text],
  'the worker learns the run''s deadline (the team''s 30 s) when it claims the step'
);
reset role;
update public.executions set deadline_at = now() - interval '1 second' where id = tests.run_id('Overdue run');
select tests.authenticate_as_service_role();
select is(
  private.renew_step_lease(tests.step_id('Overdue run', 'Agent 1'), 'worker-1', 1),
  false,
  'a lease cannot be extended past the run''s deadline'
);
select is(private.reap_executions(), 1, 'the reaper finds the run past its deadline');
select is(
  (select row(e.status, e.error_message, e.finished_at is not null, s.status, s.skip_reason)::text
   from public.executions e join public.execution_steps s on s.execution_id = e.id where e.id = tests.run_id('Overdue run')),
  row('failed', 'the run passed its time limit of 30 s', true, 'cancelled', 'the run passed its time limit')::text,
  'a run past its deadline fails, its open steps cancelled'
);
select is(
  private.complete_step(tests.step_id('Overdue run', 'Agent 1'), 'worker-1', 1, 'too late', 10, 10, 10),
  false,
  'the worker cannot record a result after the deadline'
);
select is(private.reap_executions(), 0, 'with nothing expired, the reaper touches nothing');

reset role;
select ok(
  exists (select from cron.job where jobname = 'renum-heartbeat' and schedule = '* * * * *'
          and command = 'call private.heartbeat()' and active),
  'the reaper runs in the heartbeat, started every minute as renum-heartbeat'
);

-- ─── the event log of every run above ────────────────────────────────────────────────────────
-- as postgres
select is(
  (select count(*)::int from public.executions where tenant_id = tests.tenant_id('tenant-a')),
  11,
  'the scenarios above made eleven runs'
);
select is(
  (select array_agg(e.initial_prompt order by e.initial_prompt) from public.executions e
   where (select array_agg(v.seq order by v.seq) from public.execution_events v where v.execution_id = e.id)
         is distinct from (select array_agg(g::bigint) from generate_series(1, e.last_event_seq) g)),
  null,
  'every run''s events are numbered 1..n without gaps, n being its last seq'
);
select is(
  (select array_agg(e.initial_prompt order by e.initial_prompt) from public.executions e
   where (select array_agg(row(v.seq, v.event)::text order by v.seq) from public.execution_events v where v.execution_id = e.id)
         is distinct from (select array_agg(row((m.payload ->> 'seq')::bigint, m.event)::text order by (m.payload ->> 'seq')::bigint)
                           from realtime.messages m where m.topic = 'execution:' || e.id and m.extension = 'broadcast')),
  null,
  'every event of every run was broadcast on its topic with its seq, and nothing else was'
);
select is(
  (select array_agg(e.initial_prompt order by e.initial_prompt) from public.executions e
   where e.status not in ('completed', 'failed')
      or exists (select from public.execution_steps s where s.execution_id = e.id and s.status in ('pending', 'ready', 'running'))),
  null,
  'every run ended, with no step left open'
);

select * from finish();
rollback;
