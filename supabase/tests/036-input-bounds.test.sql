-- Input bounds in SQL, for whoever writes through PostgREST as `authenticated`: jsonb columns people
-- write are bounded in depth and size (private.jsonb_is_bounded in a CHECK), an agent's provider
-- settings are numbers within bounds, and text Postgres cannot store is refused with a data error
-- (class 22, a 4xx) rather than anything the API would answer with a 500.
--
-- Cast (tests.create_two_tenants): member_a of tenant A builds agents, teams and runs.

begin;
set search_path to public, extensions, tests;

select plan(23);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- `{"a": {"a": ... 1}}` with `levels` objects.
create function pg_temp.nested(levels integer) returns jsonb
language sql immutable
as $$ select (repeat('{"a": ', levels) || '1' || repeat('}', levels))::jsonb $$;
grant execute on function pg_temp.nested(integer) to authenticated, service_role;

select tests.create_two_tenants();

-- ─── the bound itself ────────────────────────────────────────────────────────────────────────
select ok(private.jsonb_is_bounded('1', 1, 10), 'a scalar is one level');
select ok(private.jsonb_is_bounded('{"a": [1, {"b": 2}]}', 3, 100), '{"a": [1, {"b": 2}]} nests three levels');
select ok(not private.jsonb_is_bounded('{"a": [1, {"b": []}]}', 3, 100), 'one more level and a bound of three refuses it');
select ok(private.jsonb_is_bounded(pg_temp.nested(4000), 5000, 100000), 'a value 4000 levels deep is walked without running out of stack');
select ok(not private.jsonb_is_bounded('{"a": "xxxxxxxx"}', 8, 10), 'a value longer than its byte bound is refused');
select ok(private.jsonb_is_bounded(null, 1, 1), 'null is bounded (not null is a separate rule)');

-- ─── as member of tenant A: agents ───────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');

select lives_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'Eight deep', 'demo-small', jsonb_build_object('reply', pg_temp.nested(7))) $$,
  'an agent config eight levels deep is stored'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'Nine deep', 'demo-small', jsonb_build_object('reply', pg_temp.nested(8))) $$,
  '23514', 'new row for relation "agents" violates check constraint "agents_config_bounded"',
  'an agent config nine levels deep is refused by its check'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'Large', 'demo-small', jsonb_build_object('reply', repeat('x', 17000))) $$,
  '23514', 'new row for relation "agents" violates check constraint "agents_config_bounded"',
  'an agent config over 16 KB is refused by its check'
);
select throws_ok(
  $$ update public.agents set config = jsonb_build_object('reply', pg_temp.nested(30)) where name = 'Eight deep' $$,
  '23514', 'new row for relation "agents" violates check constraint "agents_config_bounded"',
  'an update cannot nest it deeper either'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'Huge', 'demo-small', '{"tokens_per_reply": 1e18}') $$,
  '22023', 'config.tokens_per_reply must be a number between 0 and 1000000',
  'the demo provider''s tokens_per_reply has bounds'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config) values (tests.tenant_id('tenant-a'), 'Penalty', 'openai-compatible', 'gpt-4o-mini', '{"frequency_penalty": -3}') $$,
  '22023', 'config.frequency_penalty must be a number between -2 and 2',
  'penalties have bounds'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config) values (tests.tenant_id('tenant-a'), 'Top k', 'anthropic', 'claude-haiku-4-5', '{"top_k": 100000}') $$,
  '22023', 'config.top_k must be a number between 1 and 1000',
  'top_k has bounds'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config) values (tests.tenant_id('tenant-a'), 'Presence', 'openai-compatible', 'gpt-4o-mini', '{"presence_penalty": "2"}') $$,
  '22023', 'config.presence_penalty must be a number between -2 and 2',
  'a bounded setting must be a number, not text'
);
select lives_ok(
  $$ insert into public.agents (tenant_id, name, model, config, status) values (tests.tenant_id('tenant-a'), 'Within bounds', 'demo-small', '{"tokens_per_reply": 1000000, "latency_ms": 0}', 'active') $$,
  'settings at their bounds are stored'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'NUL', 'demo-small', '{"reply": "a\u0000b"}') $$,
  '22P05', null,
  'a NUL in a jsonb string is a data error (class 22, answered 422), not stored'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, config) values (tests.tenant_id('tenant-a'), 'Surrogate', 'demo-small', '{"reply": "\ud800"}') $$,
  '22P02', null,
  'an unpaired surrogate in a jsonb string is a data error (class 22), not stored'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), convert_from('\x610062'::bytea, 'UTF8'), 'demo-small') $$,
  '22021', null,
  'a NUL in text is a data error (class 22), not stored'
);

-- ─── as member of tenant A: teams ────────────────────────────────────────────────────────────
insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Bounded team', 'sequential');

select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order, input) values
       (tests.team_id('Bounded team'), tests.agent_id('Within bounds'), 1, jsonb_build_object('source', 'initial_prompt', 'x', pg_temp.nested(8))) $$,
  '23514', 'new row for relation "team_agents" violates check constraint "team_agents_input_bounded"',
  'a team agent''s input nine levels deep is refused by its check'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order, conditions) values
       (tests.team_id('Bounded team'), tests.agent_id('Within bounds'), 1, jsonb_build_array(jsonb_build_object('field', 'initial_prompt', 'operator', 'equals', 'value', pg_temp.nested(8)))) $$,
  '23514', 'new row for relation "team_agents" violates check constraint "team_agents_conditions_bounded"',
  'a team agent''s conditions nested too deeply are refused by their check'
);
select throws_ok(
  $$ insert into public.team_agents (team_id, agent_id, execution_order, config) values
       (tests.team_id('Bounded team'), tests.agent_id('Within bounds'), 1, jsonb_build_object('tools', jsonb_build_array(repeat('t', 70000)))) $$,
  '22023', 'config.tools must list at most 64 tool names',
  'a team agent''s config over 64 KB is refused (prepare_team_agent''s override rules, before the size check)'
);
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Bounded team'), tests.agent_id('Within bounds'), 1);

-- ─── as member of tenant A: runs ─────────────────────────────────────────────────────────────
select throws_ok(
  $$ select public.start_execution(tests.team_id('Bounded team'), 'Too deep', jsonb_build_object('data', pg_temp.nested(16))) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_bounded"',
  'run variables seventeen levels deep are refused by their check'
);
select is(
  (select status::text from public.start_execution(tests.team_id('Bounded team'), 'Deep enough', jsonb_build_object('data', pg_temp.nested(15)))),
  'running',
  'run variables sixteen levels deep start a run'
);

select * from finish();
rollback;
