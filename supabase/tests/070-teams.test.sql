-- Teams: each tenant builds and reads only its own teams and team agents (by role), ids, tenant
-- and authorship never move, and a team's workflow is checked as a whole when the transaction that
-- changed it commits, refusing with a message that names the agent and the field.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, admin_a, member_a, analyst_a), tenant B
-- (owner_b, member_b), anon and the service role.
--
-- The workflow check is a pair of deferred constraint triggers (teams_workflow_valid,
-- team_agents_workflow_valid) that run at COMMIT, and a test never commits. So each workflow case
-- below runs its statements inside lives_ok/throws_ok and ends with
-- `set constraints teams_workflow_valid, team_agents_workflow_valid immediate`, which runs the
-- pending checks at once. A refused case is rolled back by throws_ok together with its pending
-- checks, so it cannot leak into the next case; a case that passes puts the checks back to deferred.

begin;
set search_path to public, extensions, tests;

select plan(89);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Agent 1', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 2', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 3', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 4', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Archived Agent', 'demo-small', 'archived');

select tests.authenticate_as('owner_b');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-b'), 'Agent of B', 'demo-small', 'active');
insert into public.teams (tenant_id, name, description) values (tests.tenant_id('tenant-b'), 'B team', 'Secret plans of B');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('B team'), tests.agent_id('Agent of B'), 1);

-- ─── row level security ──────────────────────────────────────────────────────────────────────
select tests.clear_authentication(); reset role;
select tests.rls_enabled('public', 'teams');
select tests.rls_enabled('public', 'team_agents');

-- ─── building teams by role ──────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.teams (tenant_id, name, description, workflow_type)
     values (tests.tenant_id('tenant-a'), 'Launch team', 'Plans product launches', 'sequential') $$,
  'a member creates a team in their tenant'
);
select is(
  (select row(tenant_id = tests.tenant_id('tenant-a'), created_by = auth.uid(), is_active, timeout_seconds,
              max_parallel_agents, continue_on_error)::text
   from public.teams where name = 'Launch team'),
  row(true, true, true, 600, 5, false)::text,
  'the new team belongs to the tenant, is authored by its creator and starts with the default settings'
);
select lives_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order, input) values
       (tests.team_id('Launch team'), tests.agent_id('Agent 1'), 1, '{"source": "initial_prompt"}') $$,
  'a member adds an agent to a team'
);
select lives_ok(
  $$ insert into public.team_agents (team_id, tenant_id, agent_id, execution_order, input) values
       (tests.team_id('Launch team'), tests.tenant_id('tenant-b'), tests.agent_id('Agent 2'), 2,
        jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 1'))) $$,
  'a member adds a second agent that reads the first one''s result'
);
select is(
  (select array_agg(distinct tenant_id) from public.team_agents where team_id = tests.team_id('Launch team')),
  array[tests.tenant_id('tenant-a')],
  'a team agent carries its team''s tenant, filled in by the database whatever the caller sent'
);
update public.teams set description = 'Plans launches end to end', timeout_seconds = 900 where id = tests.team_id('Launch team');
select is(
  (select row(description, timeout_seconds)::text from public.teams where id = tests.team_id('Launch team')),
  row('Plans launches end to end', 900)::text,
  'a member updates a team'
);
update public.team_agents set config = '{"temperature": 0.2, "max_tokens": 500}'
where team_id = tests.team_id('Launch team') and agent_id = tests.agent_id('Agent 2');
select is(
  (select config from public.team_agents where team_id = tests.team_id('Launch team') and agent_id = tests.agent_id('Agent 2')),
  '{"temperature": 0.2, "max_tokens": 500}'::jsonb,
  'a member sets per-agent overrides on a team agent'
);
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-b'), 'Planted team') $$,
  '42501', 'new row violates row-level security policy for table "teams"',
  'member of A cannot create a team in tenant B'
);
select throws_ok(
  $$ insert into public.teams (tenant_id, name, created_by)
     values (tests.tenant_id('tenant-a'), 'Forged team', tests.get_supabase_uid('owner_a')) $$,
  '42501', 'new row violates row-level security policy for table "teams"',
  'a member cannot create a team in someone else''s name'
);
select throws_ok(
  $$ update public.teams set tenant_id = tests.tenant_id('tenant-b') where id = tests.team_id('Launch team') $$,
  '42501', 'permission denied for table teams',
  'a member cannot move a team to another tenant'
);
select throws_ok(
  $$ update public.teams set created_by = tests.get_supabase_uid('owner_a') where id = tests.team_id('Launch team') $$,
  '42501', 'permission denied for table teams',
  'a member cannot change a team''s author'
);
select throws_ok(
  $$ update public.team_agents set agent_id = tests.agent_id('Agent 3') where team_id = tests.team_id('Launch team') $$,
  '42501', 'permission denied for table team_agents',
  'a team agent cannot be turned into another agent'
);
select throws_ok(
  $$ update public.team_agents set team_id = tests.team_id('B team') where team_id = tests.team_id('Launch team') $$,
  '42501', 'permission denied for table team_agents',
  'a team agent cannot be moved to another team'
);
select is_empty(
  $$ delete from public.teams where id = tests.team_id('Launch team') returning id $$,
  'a member cannot delete a team'
);
select is_empty(
  $$ update public.teams set name = 'Hijacked' where id = tests.team_id('B team') returning id $$,
  'member of A cannot update tenant B''s team'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Scratch team', 'parallel');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Scratch team'), tests.agent_id('Agent 3'), 1);
select lives_ok(
  $$ delete from public.teams where id = tests.team_id('Scratch team') $$,
  'an admin deletes a team'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
update public.teams set continue_on_error = true, max_parallel_agents = 3 where id = tests.team_id('Launch team');
select is(
  (select row(continue_on_error, max_parallel_agents)::text from public.teams where id = tests.team_id('Launch team')),
  row(true, 3)::text,
  'an owner updates a team''s run settings'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is(
  (select array_agg(name order by name) from public.teams),
  array['Launch team'],
  'an analyst reads the tenant''s teams and none of B'
);
select is(
  (select count(*)::int from public.team_agents),
  2,
  'an analyst reads the tenant''s team agents'
);
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Analyst team') $$,
  '42501', 'new row violates row-level security policy for table "teams"',
  'an analyst cannot create teams'
);
select is_empty(
  $$ update public.teams set name = 'Analyst was here' where id = tests.team_id('Launch team') returning id $$,
  'an analyst cannot update teams'
);
select is_empty(
  $$ delete from public.teams where id = tests.team_id('Launch team') returning id $$,
  'an analyst cannot delete teams'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Launch team'), tests.agent_id('Agent 3'), 3) $$,
  '42501', 'new row violates row-level security policy for table "team_agents"',
  'an analyst cannot add agents to a team'
);
select is_empty(
  $$ update public.team_agents set config = '{"temperature": 1.5}' where team_id = tests.team_id('Launch team') returning id $$,
  'an analyst cannot change team agents'
);
select is_empty(
  $$ delete from public.team_agents where team_id = tests.team_id('Launch team') returning id $$,
  'an analyst cannot remove agents from a team'
);

-- as owner of tenant B
select tests.authenticate_as('owner_b');
select is(
  (select array_agg(name) from public.teams),
  array['B team'],
  'owner of B reads only tenant B''s teams'
);
select is_empty(
  $$ select id from public.teams where id = tests.team_id('Launch team') $$,
  'owner of B cannot read tenant A''s team'
);
select is_empty(
  $$ update public.teams set name = 'Taken over' where id = tests.team_id('Launch team') returning id $$,
  'owner of B cannot update tenant A''s team'
);
select is_empty(
  $$ delete from public.teams where id = tests.team_id('Launch team') returning id $$,
  'owner of B cannot delete tenant A''s team'
);
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Planted by B') $$,
  '42501', 'new row violates row-level security policy for table "teams"',
  'owner of B cannot create a team in tenant A'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is_empty(
  $$ select id from public.team_agents where tenant_id = tests.tenant_id('tenant-a') $$,
  'member of B reads none of tenant A''s team agents'
);
select is_empty(
  $$ update public.team_agents set config = '{}' where team_id = tests.team_id('Launch team') returning id $$,
  'member of B cannot change tenant A''s team agents'
);
select is_empty(
  $$ delete from public.team_agents where team_id = tests.team_id('Launch team') returning id $$,
  'member of B cannot remove agents from tenant A''s team'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Launch team'), tests.agent_id('Agent of B'), 3) $$,
  '42501', 'new row violates row-level security policy for table "team_agents"',
  'member of B cannot add an agent to tenant A''s team'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.teams $$, '42501', 'permission denied for table teams', 'anon cannot read teams');
select throws_ok($$ select id from public.team_agents $$, '42501', 'permission denied for table team_agents', 'anon cannot read team agents');
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Anon team') $$,
  '42501', 'permission denied for table teams', 'anon cannot create teams'
);
select throws_ok(
  $$ update public.teams set name = 'Anon' $$, '42501', 'permission denied for table teams', 'anon cannot update teams'
);
select throws_ok(
  $$ delete from public.team_agents $$, '42501', 'permission denied for table team_agents', 'anon cannot remove team agents'
);

-- as service role
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.teams set tenant_id = tests.tenant_id('tenant-b') where id = tests.team_id('Launch team') $$,
  '42501', 'teams.tenant_id cannot be changed',
  'not even the service role can move a team to another tenant'
);
select throws_ok(
  $$ update public.teams set created_by = tests.get_supabase_uid('owner_b') where id = tests.team_id('Launch team') $$,
  '42501', 'teams.created_by cannot be changed',
  'not even the service role can change a team''s author'
);
select throws_ok(
  $$ update public.team_agents set team_id = tests.team_id('B team') where team_id = tests.team_id('Launch team') $$,
  '42501', 'team_agents.team_id cannot be changed',
  'not even the service role can move a team agent to another team'
);
select throws_ok(
  $$ update public.team_agents set tenant_id = tests.tenant_id('tenant-b') where team_id = tests.team_id('Launch team') $$,
  '42501', 'team_agents.tenant_id cannot be changed',
  'not even the service role can move a team agent to another tenant'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select row(name, description, timeout_seconds, max_parallel_agents, continue_on_error, tenant_id = tests.tenant_id('tenant-a'),
              created_by = tests.get_supabase_uid('member_a'))::text
   from public.teams where id = tests.team_id('Launch team')),
  row('Launch team', 'Plans launches end to end', 900, 3, true, true, true)::text,
  'Launch team holds the changes of its builders and nothing else'
);
select is(
  (select array_agg(row(a.name, ta.execution_order, ta.config)::text order by ta.execution_order)
   from public.team_agents ta join public.agents a on a.id = ta.agent_id where ta.team_id = tests.team_id('Launch team')),
  array[row('Agent 1', 1, '{}'::jsonb)::text, row('Agent 2', 2, '{"max_tokens": 500, "temperature": 0.2}'::jsonb)::text],
  'Launch team''s agents are exactly the two its member added'
);
select is(
  (select row(name, description)::text from public.teams where id = tests.team_id('B team')),
  row('B team', 'Secret plans of B')::text,
  'B team is untouched by tenant A'
);
select ok(
  not exists (select from public.teams where name = 'Scratch team')
    and not exists (select from public.team_agents where agent_id = tests.agent_id('Agent 3')),
  'deleting a team removes it and its team agents'
);
select is(
  (select array_agg(row(action, actor_id = tests.get_supabase_uid('member_a'))::text order by id) from public.audit_log
   where table_name = 'teams' and record_id = tests.team_id('Launch team')::text and action = 'insert'),
  array[row('insert', true)::text],
  'creating a team is audited with its author'
);

-- ─── workflow validation: valid definitions of every strategy ────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Sequential team', 'sequential');
     insert into public.team_agents (team_id, agent_id, execution_order, input) values
       (tests.team_id('Sequential team'), tests.agent_id('Agent 1'), 1, '{"source": "initial_prompt"}'),
       (tests.team_id('Sequential team'), tests.agent_id('Agent 2'), 2,
        jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 1'))),
       (tests.team_id('Sequential team'), tests.agent_id('Agent 3'), 3, jsonb_build_object(
          'source', 'combined',
          'sources', jsonb_build_array(
            jsonb_build_object('type', 'initial_prompt'),
            jsonb_build_object('type', 'agent_result', 'agent_id', tests.agent_id('Agent 2')),
            jsonb_build_object('type', 'context', 'key', 'region'),
            jsonb_build_object('type', 'variable', 'name', 'language')),
          'template', 'Brief: {{initial_prompt}} Draft: {{agent:' || tests.agent_id('Agent 2') || '}}'));
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'a sequential team whose agents read earlier results, a context key and a variable is valid'
);
select lives_ok(
  $$ insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Parallel team', 'parallel');
     insert into public.team_agents (team_id, agent_id, role, execution_order) values
       (tests.team_id('Parallel team'), tests.agent_id('Agent 1'), 'member', 1),
       (tests.team_id('Parallel team'), tests.agent_id('Agent 2'), 'member', 1),
       (tests.team_id('Parallel team'), tests.agent_id('Agent 3'), 'member', 1),
       (tests.team_id('Parallel team'), tests.agent_id('Agent 4'), 'leader', 2);
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'a parallel team of three agents at the same order and a leader after them is valid'
);
select lives_ok(
  $$ insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Pipeline team', 'pipeline');
     insert into public.team_agents (team_id, agent_id, execution_order, input) values
       (tests.team_id('Pipeline team'), tests.agent_id('Agent 1'), 1, '{"source": "initial_prompt"}'),
       (tests.team_id('Pipeline team'), tests.agent_id('Agent 2'), 2, '{"source": "initial_prompt"}'),
       (tests.team_id('Pipeline team'), tests.agent_id('Agent 3'), 3,
        jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 1')));
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'a pipeline whose agents read only earlier agents is valid'
);
select lives_ok(
  $$ insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Conditional team', 'conditional');
     insert into public.team_agents (team_id, agent_id, role, execution_order, conditions) values
       (tests.team_id('Conditional team'), tests.agent_id('Agent 1'), 'member', 1, '[]'),
       (tests.team_id('Conditional team'), tests.agent_id('Agent 2'), 'member', 2, jsonb_build_array(
          jsonb_build_object('field', 'agents.' || tests.agent_id('Agent 1') || '.output', 'operator', 'contains', 'value', 'urgent'))),
       (tests.team_id('Conditional team'), tests.agent_id('Agent 3'), 'member', 3, jsonb_build_array(
          jsonb_build_object('field', 'variables.score', 'operator', 'greater_than', 'value', 5),
          jsonb_build_object('field', 'context.region', 'operator', 'equals', 'value', 'BR'),
          jsonb_build_object('field', 'initial_prompt', 'operator', 'contains', 'value', 'launch'),
          jsonb_build_object('field', 'agents.' || tests.agent_id('Agent 2') || '.status', 'operator', 'equals', 'value', 'skipped'))),
       (tests.team_id('Conditional team'), tests.agent_id('Agent 4'), 'coordinator', 4, jsonb_build_array(
          jsonb_build_object('field', 'variables.score', 'operator', 'less_than', 'value', 3)));
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'a conditional team with every kind of condition on what earlier agents, the prompt, context and variables produce is valid'
);
select lives_ok(
  $$ insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Built in steps', 'sequential');
     insert into public.team_agents (team_id, agent_id, execution_order, input) values
       (tests.team_id('Built in steps'), tests.agent_id('Agent 2'), 2,
        jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 1')));
     insert into public.team_agents (team_id, agent_id, execution_order) values
       (tests.team_id('Built in steps'), tests.agent_id('Agent 1'), 1);
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'the check waits for the commit: an agent may be added before the agent it reads from'
);

-- ─── workflow validation: refused definitions name the agent and the field ───────────────────
select throws_ok(
  $$ update public.team_agents set input = jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 3'))
     where team_id = tests.team_id('Pipeline team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": input.agent_id reads the result of a later agent (order 3); a pipeline only feeds forward',
  'a pipeline agent cannot read the result of a later agent'
);
select throws_ok(
  $$ update public.team_agents set input = jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 2'))
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 1": input.agent_id reads the result of an agent that does not run before it (order 2), which would make a cycle',
  'two agents reading each other''s results (a cycle) are refused'
);
select throws_ok(
  $$ update public.team_agents set input = jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 1'))
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 1": input.agent_id refers to the agent itself (a cycle)',
  'an agent cannot read its own result'
);
select throws_ok(
  $$ update public.team_agents set execution_order = 5
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": input.agent_id reads the result of an agent that does not run before it (order 5), which would make a cycle',
  'reordering so that an agent runs after the one that reads it is refused'
);
select throws_ok(
  $$ update public.team_agents set input = jsonb_build_object('source', 'agent_result', 'agent_id', tests.agent_id('Agent 4'))
     where team_id = tests.team_id('Pipeline team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent "Agent 2": input.agent_id refers to agent %s, which is not in this team, so nothing produces it', tests.agent_id('Agent 4')),
  'an input from an agent that is not in the team is refused'
);
select throws_ok(
  $$ update public.team_agents set input = jsonb_set(input, '{sources,1,agent_id}', to_jsonb(tests.agent_id('Agent 4')::text))
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 3');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent "Agent 3": input.sources[1].agent_id refers to agent %s, which is not in this team, so nothing produces it', tests.agent_id('Agent 4')),
  'a combined input from an agent that is not in the team is refused, naming the source'
);
select throws_ok(
  $$ update public.team_agents set conditions = jsonb_build_array(
       jsonb_build_object('field', 'agents.' || tests.agent_id('Agent 4') || '.output', 'operator', 'contains', 'value', 'yes'))
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent "Agent 2": conditions[0].field refers to agent %s, which is not in this team, so nothing produces it', tests.agent_id('Agent 4')),
  'a condition on the output of an agent that is not in the team is refused'
);
select throws_ok(
  $$ update public.team_agents set conditions = jsonb_build_array(
       jsonb_build_object('field', 'initial_prompt', 'operator', 'contains', 'value', 'x'),
       jsonb_build_object('field', 'agents.' || tests.agent_id('Agent 1') || '.score', 'operator', 'greater_than', 'value', 3))
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent "Agent 2": conditions[1].field "agents.%s.score" is not something the team produces (use initial_prompt, agents.<agent id>.output, agents.<agent id>.status, context.<key> or variables.<name>)', tests.agent_id('Agent 1')),
  'a condition on a field no agent produces is refused, naming the condition'
);
select throws_ok(
  $$ update public.team_agents set conditions = '[{"field": "lead.score", "operator": "equals", "value": 1}]'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": conditions[0].field "lead.score" is not something the team produces (use initial_prompt, agents.<agent id>.output, agents.<agent id>.status, context.<key> or variables.<name>)',
  'a condition on an unknown kind of field is refused'
);
select throws_ok(
  $$ update public.team_agents set conditions = '[{"field": "initial_prompt", "operator": "matches", "value": "launch"}]'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": conditions[0].operator must be equals, contains, greater_than or less_than',
  'a condition with an unknown operator is refused'
);
select throws_ok(
  $$ update public.team_agents set conditions = '[{"field": "initial_prompt", "operator": "equals"}]'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": conditions[0] needs field, operator and value',
  'a condition without a value is refused'
);
select throws_ok(
  $$ update public.team_agents set input = '{"source": "telepathy"}'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 1": input.source must be initial_prompt, agent_result or combined',
  'an unknown input source is refused'
);
select throws_ok(
  $$ update public.team_agents set input = '{"source": "agent_result"}'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 2": input.agent_id must name an agent of the team',
  'an agent_result input without an agent is refused'
);
select throws_ok(
  $$ update public.team_agents set input = '{"source": "combined", "sources": []}'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 3');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Agent 3": input.sources must list at least one source',
  'a combined input without sources is refused'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values
       (tests.team_id('Sequential team'), tests.agent_id('Agent of B'), 4);
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent %s is not an agent of this company', tests.agent_id('Agent of B')),
  'an agent of another tenant is refused by id, without revealing its name'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values
       (tests.team_id('Sequential team'), tests.agent_id('Agent 4'), 3);
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'two agents share the same execution_order; a sequential team runs agents one after another',
  'two agents at the same order are refused in a sequential team'
);
select throws_ok(
  $$ update public.teams set workflow_type = 'sequential' where id = tests.team_id('Parallel team');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'two agents share the same execution_order; a sequential team runs agents one after another',
  'changing a team''s strategy checks its agents again'
);
select throws_ok(
  $$ update public.team_agents set role = 'leader'
     where team_id = tests.team_id('Parallel team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'a team has at most one leader or coordinator',
  'a second leader is refused'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values
       (tests.team_id('Sequential team'), tests.agent_id('Archived Agent'), 4);
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', 'agent "Archived Agent" is archived; restore it or remove it from the team',
  'an archived agent is refused'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order, config) values
       (tests.team_id('Sequential team'), tests.agent_id('Agent 4'), 4, '{"max_tokens": 256, "persona": "pirate"}') $$,
  '22023', 'config.persona is not a per-agent team setting (allowed: max_tokens, temperature, tools, approval)',
  'an unknown per-agent setting is refused at once when the agent is added'
);
select throws_ok(
  $$ update public.team_agents set config = '{"temperature": 0.5, "persona": "pirate"}'
     where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 2') $$,
  '22023', 'config.persona is not a per-agent team setting (allowed: max_tokens, temperature, tools, approval)',
  'an unknown per-agent setting is refused when a team agent is changed'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values
       (tests.team_id('Sequential team'), tests.agent_id('Agent 2'), 4) $$,
  '23505', 'duplicate key value violates unique constraint "team_agents_one_per_agent"',
  'an agent is in a team once'
);
select throws_ok(
  $$ delete from public.team_agents where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 1');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate $$,
  '22023', format('agent "Agent 2": input.agent_id refers to agent %s, which is not in this team, so nothing produces it', tests.agent_id('Agent 1')),
  'removing an agent that another one reads from is refused'
);
select lives_ok(
  $$ delete from public.team_agents where team_id = tests.team_id('Sequential team') and agent_id = tests.agent_id('Agent 3');
     set constraints teams_workflow_valid, team_agents_workflow_valid immediate;
     set constraints teams_workflow_valid, team_agents_workflow_valid deferred $$,
  'a member removes an agent that nobody reads from'
);

-- as postgres: refused definitions left nothing behind
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(row(a.name, ta.execution_order, ta.input ->> 'source', ta.conditions, ta.config)::text order by ta.execution_order)
   from public.team_agents ta join public.agents a on a.id = ta.agent_id where ta.team_id = tests.team_id('Sequential team')),
  array[row('Agent 1', 1, 'initial_prompt', '[]'::jsonb, '{}'::jsonb)::text, row('Agent 2', 2, 'agent_result', '[]'::jsonb, '{}'::jsonb)::text],
  'Sequential team holds only what passed the check'
);
select is(
  (select row(t.workflow_type, (select count(*) from public.team_agents ta where ta.team_id = t.id and ta.role = 'leader'))::text
   from public.teams t where t.id = tests.team_id('Parallel team')),
  row('parallel', 1)::text,
  'Parallel team keeps its strategy and its one leader'
);
select is(
  (select input from public.team_agents where team_id = tests.team_id('Pipeline team') and agent_id = tests.agent_id('Agent 2')),
  '{"source": "initial_prompt"}'::jsonb,
  'Pipeline team keeps its forward-only inputs'
);
select lives_ok(
  $$ set constraints all immediate $$,
  'every team left in the transaction passes the check it will face at commit'
);
set constraints all deferred;

-- ─── a suspended tenant reads its teams but does not change them ─────────────────────────────
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select count(*)::int from public.teams),
  6,
  'a member of a suspended tenant still reads its teams'
);
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'While suspended') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot create teams'
);
select throws_ok(
  $$ update public.teams set description = 'While suspended' where id = tests.team_id('Launch team') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot update teams'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Launch team'), tests.agent_id('Agent 3'), 3) $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot add agents to teams'
);
select throws_ok(
  $$ delete from public.team_agents where team_id = tests.team_id('Launch team') and agent_id = tests.agent_id('Agent 2') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot remove agents from teams'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ delete from public.teams where id = tests.team_id('Launch team') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot delete teams'
);

select * from finish();
rollback;
