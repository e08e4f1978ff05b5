-- The tools a running step may call (private.step_tools) and its tool_call events
-- (private.record_tool_call), as the engine (service role) reads and writes them. Company tools are
-- resolved in the run's company only: a tool of the same name in another company is never handed
-- over, nor is an inactive one; secret headers are decrypted for the engine and nobody else.
--
-- Cast: tenant A (owner_a makes the tool, the agent, the team and starts the run), tenant B (owner_b
-- has a tool of the same name with a secret of its own), the service role as the engine's worker-1.
begin;
set search_path to public, extensions, tests;
select plan(12);

select tests.create_two_tenants();
reset role;
update public.tenants set plan = 'enterprise' where slug in ('tenant-a', 'tenant-b');

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
insert into public.tenant_tools (tenant_id, name, url) values (tests.tenant_id('tenant-b'), 'crm_lookup', 'https://crm-b.example.com/lookup');
select public.set_tenant_tool_secret((select id from public.tenant_tools where name = 'crm_lookup'), 'Authorization', 'Bearer secret-of-b');

select tests.authenticate_as('owner_a');
insert into public.tenant_tools (tenant_id, name, url, headers)
values (tests.tenant_id('tenant-a'), 'crm_lookup', 'https://crm-a.example.com/lookup', '{"X-Plain": "a"}');
select public.set_tenant_tool_secret((select id from public.tenant_tools where name = 'crm_lookup'), 'Authorization', 'Bearer secret-of-a');
insert into public.agents (tenant_id, name, model, status, tools)
values (tests.tenant_id('tenant-a'), 'Tool Agent', 'demo-small', 'active', array['crm_lookup', 'current_time']);
insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, continue_on_error, timeout_seconds)
values (tests.tenant_id('tenant-a'), 'Tool team', 'sequential', 5, false, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Tool team'), tests.agent_id('Tool Agent'), 'member', 1, '{"source": "initial_prompt"}', '[]');

-- ─── as the service role (the engine) ───────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(private.step_tools(gen_random_uuid()), '[]'::jsonb, 'a step that is not running has no tools');

select tests.authenticate_as('owner_a');
select public.start_execution(tests.team_id('Tool team'), 'Look it up');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5)), 1, 'worker-1 claims the step');

select is(
  jsonb_path_query_array(private.step_tools(tests.step_id('Look it up', 'Tool Agent')), '$[*].name'),
  '["crm_lookup", "current_time"]'::jsonb,
  'the running step gets the agent''s company tool and built-in'
);
select is(
  (select t -> 'headers' from jsonb_array_elements(private.step_tools(tests.step_id('Look it up', 'Tool Agent'))) t where t ->> 'name' = 'crm_lookup'),
  '{"X-Plain": "a", "Authorization": "Bearer secret-of-a"}'::jsonb,
  'the company tool carries its plain and secret headers, for the engine'
);
select is(
  (select t ->> 'url' from jsonb_array_elements(private.step_tools(tests.step_id('Look it up', 'Tool Agent'))) t where t ->> 'name' = 'crm_lookup'),
  'https://crm-a.example.com/lookup',
  'it is the run''s company''s tool, not the other company''s of the same name'
);
select ok(
  private.step_tools(tests.step_id('Look it up', 'Tool Agent'))::text not like '%secret-of-b%',
  'another company''s secret never reaches the step'
);

-- ─── tool_call events ────────────────────────────────────────────────────────────────────────
select is(
  private.record_tool_call(tests.step_id('Look it up', 'Tool Agent'), 'worker-2', 1, '{"tool": "crm_lookup"}'),
  false, 'a worker without the lease records nothing'
);
select is(
  tests.error_code($$select private.record_tool_call(tests.step_id('Look it up', 'Tool Agent'), 'worker-1', 1, to_jsonb('{"tool": "crm_lookup"}'::text))$$),
  'tool_call_not_object', 'a call sent as one JSON string is refused'
);
select is(
  private.record_tool_call(tests.step_id('Look it up', 'Tool Agent'), 'worker-1', 1, '{"tool": "crm_lookup", "status": "succeeded", "round": 1}'),
  true, 'the lease holder records the call'
);
select is(
  (select payload - 'agent_id' from public.execution_events where step_id = tests.step_id('Look it up', 'Tool Agent') and event = 'tool_call'),
  '{"tool": "crm_lookup", "status": "succeeded", "round": 1, "attempt": 1}'::jsonb,
  'the event carries the call''s fields and the attempt'
);

-- ─── as owner of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
update public.tenant_tools set is_active = false where name = 'crm_lookup';
select tests.authenticate_as_service_role();
select is(
  jsonb_path_query_array(private.step_tools(tests.step_id('Look it up', 'Tool Agent')), '$[*].name'),
  '["current_time"]'::jsonb,
  'an inactive company tool is not handed over, and the other company''s active one of that name is not either'
);

-- ─── as member of tenant B ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_b');
select is(
  (select count(*)::int from public.execution_events where step_id = tests.step_id('Look it up', 'Tool Agent')),
  0, 'another company''s member reads none of the run''s tool calls'
);

select * from finish();
rollback;
