-- Company budget (#18): only the company's owners set its monthly budget and its US$→R$ rate,
-- through public.set_company_budget (the columns are not among what members may update); the ledger
-- stays in US$; the month's spend crossing 80 % of the budget is noticed once per month.
--
-- Cast: tests.create_two_tenants().

begin;
set search_path to public, extensions, tests;

select plan(18);

select tests.create_two_tenants();

-- ─── who may set it ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select results_eq(
  $$ select monthly_budget_usd, usd_brl_rate from public.set_company_budget(tests.tenant_id('tenant-a'), 100, 5.25) $$,
  $$ values (100.00::numeric(12, 2), 5.2500::numeric(10, 4)) $$,
  'an owner sets the monthly budget and the dollar rate'
);
select results_eq(
  $$ select monthly_budget_usd, usd_brl_rate from public.tenants where id = tests.tenant_id('tenant-a') $$,
  $$ values (100.00::numeric(12, 2), 5.2500::numeric(10, 4)) $$,
  'members of the company read them with the company'
);
select is(
  tests.raised($$ update public.tenants set monthly_budget_usd = 1000000 where id = tests.tenant_id('tenant-a') $$) ->> 'state',
  '42501',
  'not even an owner writes the budget column directly (only through the function)'
);
select is(
  tests.raised($$ select public.set_company_budget(tests.tenant_id('tenant-a'), -1, null) $$) ->> 'state',
  '23514',
  'a negative budget is refused by the column''s check'
);
select is(
  tests.raised($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 10, 0) $$) ->> 'state',
  '23514',
  'a zero rate is refused by the column''s check'
);
select tests.authenticate_as('admin_a');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$), 'budget_owner_only',
  'an admin may not set the budget');
select tests.authenticate_as('member_a');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$), 'budget_owner_only',
  'a member may not');
select tests.authenticate_as('analyst_a');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$), 'budget_owner_only',
  'an analyst may not');
select tests.authenticate_as('owner_b');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$), 'not_found',
  'another company''s owner finds no such company');
select tests.authenticate_as('platform_admin');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$), 'not_found',
  'a platform admin outside the company does not set it either');
select tests.clear_authentication();
set local role anon;
select is(tests.raised($$ select public.set_company_budget(tests.tenant_id('tenant-a'), 999, null) $$) ->> 'state', '42501',
  'anon may not call it');
reset role;
select is((select monthly_budget_usd from public.tenants where id = tests.tenant_id('tenant-a')), 100.00::numeric(12, 2),
  'the refusals changed nothing');

-- A suspended company is read-only, its budget too.
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-b');
select tests.authenticate_as('owner_b');
select is(tests.error_code($$ select public.set_company_budget(tests.tenant_id('tenant-b'), 5, null) $$), 'tenant_read_only',
  'a suspended company''s owner cannot change its budget');
reset role;

-- ─── the 80 % notice ─────────────────────────────────────────────────────────────────────────
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Budget agent', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Budget team');
create function pg_temp.spend(cost numeric) returns void
language plpgsql as $$
declare
  run uuid;
  step uuid;
begin
  insert into public.executions (tenant_id, team_id, workflow_type, initial_prompt, team_config)
  values (tests.tenant_id('tenant-a'), tests.team_id('Budget team'), 'sequential', 'spend ' || cost, '{}')
  returning id into run;
  insert into public.execution_steps (execution_id, tenant_id, agent_id, agent_version, agent_definition, role, position, input_spec,
                                      conditions, overrides)
  values (run, tests.tenant_id('tenant-a'), tests.agent_id('Budget agent'), 1, '{}', 'member', 1, '{}', '[]', '{}')
  returning id into step;
  insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                   input_usd_per_million, output_usd_per_million, cost_usd)
  values (tests.tenant_id('tenant-a'), run, step, tests.agent_id('Budget agent'), 'demo', 'demo-small', 1, 1, 1, 1, cost);
end;
$$;

select pg_temp.spend(79.99);
select is((select count(*)::int from private.budget_notices where tenant_id = tests.tenant_id('tenant-a')), 0,
  'under 80 % of the budget, no notice');
select pg_temp.spend(0.01);
select results_eq(
  $$ select month, budget_usd, spent_usd from private.budget_notices where tenant_id = tests.tenant_id('tenant-a') $$,
  $$ values (date_trunc('month', now())::date, 100.00::numeric(12, 2), 80.000000::numeric(14, 6)) $$,
  'reaching 80 % records the month''s notice with the budget and the spend'
);
select is((select array_agg(recipient_user_id) from public.notifications where tenant_id = tests.tenant_id('tenant-a') and event = 'budget_80'),
  array[tests.get_supabase_uid('owner_a')], 'and queues the budget_80 notification for the owner (private.notify)');
select pg_temp.spend(15);
select is((select count(*)::int from private.budget_notices where tenant_id = tests.tenant_id('tenant-a')), 1,
  'spending more the same month sends no second notice');
select is((select count(*)::int from private.budget_notices where tenant_id = tests.tenant_id('tenant-b')), 0,
  'another company gets no notice from this one''s spend');

select * from finish();
rollback;
