-- A run's variables are checked when written (20261122009910), with the answers the CHECK
-- constraints gave: the same SQLSTATE, constraint names and wording, in the same order (too deep
-- or too large before too many keys; not an object left to executions_variables_is_object), on
-- insert and on an update of the variables, and not at the run's other updates.
begin;
set search_path to public, extensions, tests;

select plan(11);

select tests.create_two_tenants();
reset role;
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Variables team');

create function pg_temp.run_with(variables jsonb) returns void language sql as $$
  insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, variables, team_config)
  values (tests.tenant_id('tenant-a'), tests.team_id('Variables team'), 'pending', 'sequential', 'Oi', variables, '{"timeout_seconds": 10}');
$$;
create function pg_temp.nested(levels integer) returns jsonb language sql as $$
  select (pg_catalog.repeat('[', levels) || pg_catalog.repeat(']', levels))::jsonb
$$;

-- ─── the trigger, and only on writes of the variables ────────────────────────────────────────
select is(
  (select array_agg(a.attname::text) from pg_catalog.pg_trigger t
   cross join lateral pg_catalog.unnest(t.tgattr::int2[]) as col(num)
   join pg_catalog.pg_attribute a on a.attrelid = t.tgrelid and a.attnum = col.num
   where t.tgrelid = 'public.executions'::regclass and t.tgname = 'executions_variables_checked'),
  '{variables}'::text[], 'the check runs on an update only when it writes the variables');
select is(
  (select count(*)::int from pg_catalog.pg_constraint
   where conrelid = 'public.executions'::regclass and conname in ('executions_variables_bounded', 'executions_variables_limits')),
  0, 'and the two CHECKs that ran at every update are gone');

-- ─── inserts ─────────────────────────────────────────────────────────────────────────────────
select lives_ok($$ select pg_temp.run_with('{"cliente": "Ana", "itens": [1, 2, 3]}') $$, 'ordinary variables are written');
select throws_ok($$ select pg_temp.run_with(jsonb_build_object('data', pg_temp.nested(16))) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_bounded"',
  'seventeen levels: executions_variables_bounded, in Postgres''s words');
select throws_ok($$ select pg_temp.run_with(jsonb_build_object('big', repeat('x', 70000))) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_bounded"',
  'over 64 KiB: executions_variables_bounded');
select throws_ok($$ select pg_temp.run_with((select jsonb_object_agg('v' || n, n) from generate_series(1, 101) n)) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_limits"',
  '101 variables: executions_variables_limits');
select throws_ok($$ select pg_temp.run_with(jsonb_build_object(repeat('k', 65), 1)) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_limits"',
  'a name of 65 characters: executions_variables_limits');
select throws_ok($$ select pg_temp.run_with('[1, 2]') $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_is_object"',
  'a list is still reported by executions_variables_is_object');
select is(tests.error_code($$ select pg_temp.run_with(jsonb_build_object('data', pg_temp.nested(16))) $$),
  'executions_variables_bounded', 'the API reads the constraint''s name as the error code');

-- ─── updates ─────────────────────────────────────────────────────────────────────────────────
select throws_ok(
  $$ update public.executions set variables = jsonb_build_object('data', pg_temp.nested(16)) where team_id = tests.team_id('Variables team') $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_bounded"',
  'an update that writes variables too deep is refused');
select lives_ok(
  $$ update public.executions set last_event_seq = last_event_seq + 1 where team_id = tests.team_id('Variables team') $$,
  'an update of another column passes untouched');

select * from finish();
rollback;
