-- The rules that count other rows, in one session as `authenticated` (their behaviour under two
-- sessions at once is proven in scripts/stack/tests/concurrency-invariants.test.ts): a company keeps
-- an owner through every way an owner goes (demotion, leaving, removal, their account deleted) and
-- ownership can still be handed over; a run starts only when the month's spend, what the runs in
-- flight may still cost and what it may cost fit the budget, and what a finished run reserved is
-- released.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, admin_a, member_a, analyst_a), tenant B
-- (owner_b, member_b), and the service role.

begin;
set search_path to public, extensions, tests;

select plan(11);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────

select tests.create_two_tenants();
select tests.create_supabase_user('second_owner_a', 'second.owner.a@renum.test');
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-a'), tests.get_supabase_uid('second_owner_a'), 'owner');

-- ─── as owner of tenant A: handing ownership over ────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ update public.memberships set role = 'admin' where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('second_owner_a') $$,
  'an owner may demote a co-owner while an owner remains'
);
select throws_ok(
  $$ update public.memberships set role = 'admin' where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('owner_a') $$,
  'P0001', 'a company must keep at least one owner',
  'the last owner cannot demote themselves'
);
select throws_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('owner_a') $$,
  'P0001', 'a company must keep at least one owner',
  'the last owner cannot leave'
);
select lives_ok(
  $$ update public.memberships set role = 'owner' where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('admin_a');
     delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('owner_a') $$,
  'ownership is handed over by promoting another, then leaving'
);

-- ─── as the database owner (the service side): accounts deleted ───────────────────────────────
reset role;
select throws_ok(
  $$ delete from auth.users where id = tests.get_supabase_uid('admin_a') $$,
  'P0001', 'a company must keep at least one owner',
  'deleting the account of the last owner is refused (the cascade would leave the company without one)'
);
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-b'), tests.get_supabase_uid('analyst_a'), 'owner');
select lives_ok(
  $$ delete from auth.users where id = tests.get_supabase_uid('owner_b') $$,
  'deleting the account of an owner who created the company works while another owner remains'
);
select is(
  (select created_by from public.tenants where id = tests.tenant_id('tenant-b')),
  null,
  'and the company no longer names its creator (created_by went null by cascade)'
);

-- ─── as member of tenant A: the budget counts what runs in flight may still cost ─────────────
update public.tenants set monthly_budget_usd = 0.05 where id = tests.tenant_id('tenant-a');
select tests.authenticate_as('member_a');
-- One demo-large agent of 10000 max tokens at US$ 4 per 1M output tokens: a run may cost US$ 0.04.
insert into public.agents (tenant_id, name, model, max_tokens, status) values (tests.tenant_id('tenant-a'), 'Costly', 'demo-large', 10000, 'active');
insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Costly team', 'sequential');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Costly team'), tests.agent_id('Costly'), 1);

select is(
  (select status::text from public.start_execution(tests.team_id('Costly team'), 'First costly run')),
  'running',
  'a run that may cost US$ 0.04 starts under a budget of US$ 0.05'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Costly team'), 'Second costly run') $$,
  'P0001', 'the monthly budget of US$ 0.05 cannot cover this run: US$ 0.00 used this month, US$ 0.04 reserved by runs in progress, and this run may cost up to US$ 0.0400',
  'a second one is refused while the first may still spend its reservation'
);
select is(
  tests.error_code($$ select public.start_execution(tests.team_id('Costly team'), 'Second costly run') $$),
  'budget_exhausted',
  'the refusal carries budget_exhausted (the API answers 402)'
);
select public.stop_execution(tests.run_id('First costly run'));
select is(
  (select status::text from public.start_execution(tests.team_id('Costly team'), 'After the first stopped')),
  'running',
  'once the first run is stopped its reservation is released and another run starts'
);

select * from finish();
rollback;
