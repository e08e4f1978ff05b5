-- billing: what runs cost and what a tenant may spend. Model prices with the dates they are in
-- force, a monthly budget per tenant, how many runs a plan may have in flight, and the immutable
-- usage ledger: one row per recorded step result, written in the same transaction as the result
-- and priced at the price of its day. start_execution reserves budget for runs in flight under the
-- per-tenant admission lock, which the engine's plan limit takes too.
--
-- Who may do what: signed-in users read prices; members of the tenant read its usage.
-- Who writes each table: model_prices, migrations and the service role; tenants.monthly_budget_usd,
-- the service role; usage_ledger, the engine's security-definer functions only.

-- ─── extensions ───────────────────────────────────────────────────────────────────────────────
-- btree_gist: price periods of one model may not overlap (an exclusion constraint on = and &&).
create extension if not exists btree_gist with schema extensions;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- Money per tenant: a monthly budget (null = no limit) and how many runs may be in flight.
alter table public.tenants add column monthly_budget_usd numeric(12, 2)
  constraint tenants_monthly_budget_usd_range check (monthly_budget_usd >= 0);

-- Prices per 1M tokens, with the dates they are in force; usage is priced at the price of its day.
create table public.model_prices (
  id uuid primary key default gen_random_uuid(),
  provider public.agent_provider not null,
  model text not null,
  input_usd_per_million numeric(12, 6) not null constraint model_prices_input_range check (input_usd_per_million >= 0),
  output_usd_per_million numeric(12, 6) not null constraint model_prices_output_range check (output_usd_per_million >= 0),
  effective_from timestamptz not null,
  effective_to timestamptz,
  created_at timestamptz not null default now(),
  constraint model_prices_dates_ordered check (effective_to is null or effective_to > effective_from),
  constraint model_prices_no_overlap exclude using gist (
    provider with =, model with =, tstzrange(effective_from, effective_to) with &&
  )
);

-- Immutable: one row per recorded step result, priced at the price in force when it ran.
create table public.usage_ledger (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  execution_id uuid not null references public.executions (id) on delete cascade,
  step_id uuid not null references public.execution_steps (id) on delete cascade,
  agent_id uuid references public.agents (id) on delete set null,
  provider public.agent_provider not null,
  model text not null,
  input_tokens bigint not null constraint usage_ledger_input_tokens_range check (input_tokens >= 0),
  output_tokens bigint not null constraint usage_ledger_output_tokens_range check (output_tokens >= 0),
  price_id uuid references public.model_prices (id),
  input_usd_per_million numeric(12, 6) not null,
  output_usd_per_million numeric(12, 6) not null,
  cost_usd numeric(14, 6) not null,
  recorded_at timestamptz not null default now(),
  constraint usage_ledger_once_per_step unique (step_id)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index usage_ledger_tenant_id_recorded_at_idx on public.usage_ledger (tenant_id, recorded_at);
create index usage_ledger_execution_id_idx on public.usage_ledger (execution_id);
create index usage_ledger_agent_id_idx on public.usage_ledger (agent_id);
create index model_prices_lookup_idx on public.model_prices (provider, model, effective_from desc);

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- How many runs of one tenant may be in flight at once, by plan.
create or replace function private.max_running_executions(plan public.tenant_plan)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case plan when 'basic' then 2 when 'pro' then 10 when 'enterprise' then 50 end;
$$;

create or replace function private.tenant_spend_this_month(target_tenant_id uuid)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(l.cost_usd), 0) from public.usage_ledger l
  where l.tenant_id = target_tenant_id and l.recorded_at >= date_trunc('month', now());
$$;

/*
 * The most a step can still cost in replies: its effective max_tokens (the team's per-agent
 * override, else the team's, else the agent's) at the output price in force now for its model.
 * Input is not bounded here (it is priced when recorded). Zero for a model without a price.
 * Used by start_execution to reserve budget for runs in flight; callable by the engine only.
 */
create or replace function private.step_cost_ceiling(agent_definition jsonb, overrides jsonb, team_config jsonb)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((overrides ->> 'max_tokens')::numeric, (team_config ->> 'max_tokens')::numeric, (agent_definition ->> 'max_tokens')::numeric, 0)
         * coalesce((select p.output_usd_per_million from public.model_prices p
                     where p.provider::text = agent_definition ->> 'provider' and p.model = agent_definition ->> 'model'
                       and p.effective_from <= now() and (p.effective_to is null or p.effective_to > now())
                     limit 1), 0)
         / 1000000.0;
$$;

/*
 * What the tenant's runs in flight (pending, running or waiting for an approval) may still spend: the cost ceiling of every
 * step not yet finished. Steps already finished are in the usage ledger, so spend + reservation is
 * the most the month can reach if every run in flight finishes. Engine and start_execution only.
 */
create or replace function private.tenant_reserved_usd(target_tenant_id uuid)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(private.step_cost_ceiling(s.agent_definition, s.overrides, e.team_config)), 0)
  from public.executions e join public.execution_steps s on s.execution_id = e.id
  where e.tenant_id = target_tenant_id and e.status in ('pending', 'running', 'waiting_approval')
    and s.status in ('pending', 'ready', 'running');
$$;

/*
 * Takes the per-tenant lock that serializes everything deciding how many runs a tenant may have and
 * what they may spend: start_execution's budget check and start_waiting_executions' plan limit.
 * A transaction-level advisory lock, not a row lock, so nothing else that touches the tenant or its
 * runs waits on it; held until commit, so the next holder's counts (new snapshots under read
 * committed) include what the previous one started. Engine and start functions only.
 */
create or replace function private.lock_tenant_run_admission(target_tenant_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('renum:executions:' || target_tenant_id::text, 0));
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger usage_ledger_append_only before update or delete on public.usage_ledger
  for each row execute function private.forbid_changes();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.model_prices enable row level security;
alter table public.usage_ledger enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "signed-in users read model prices" on public.model_prices
  for select to authenticated
  using (true);
create policy "members read their tenant's usage" on public.usage_ledger
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── reference data ───────────────────────────────────────────────────────────────────────────
insert into public.model_prices (provider, model, input_usd_per_million, output_usd_per_million, effective_from) values
  ('demo', 'demo-small', 0.10, 0.40, '2026-01-01'),
  ('demo', 'demo-large', 1.00, 4.00, '2026-01-01'),
  ('openai-compatible', 'gpt-4o-mini', 0.15, 0.60, '2026-01-01'),
  ('openai-compatible', 'gpt-4o', 2.50, 10.00, '2026-01-01'),
  ('anthropic', 'claude-sonnet-4-5', 3.00, 15.00, '2026-01-01'),
  ('anthropic', 'claude-haiku-4-5', 1.00, 5.00, '2026-01-01')
on conflict do nothing;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.model_prices, public.usage_ledger from anon, authenticated;
grant select on public.model_prices, public.usage_ledger to authenticated;
revoke insert, update, delete, truncate on public.usage_ledger from service_role;
