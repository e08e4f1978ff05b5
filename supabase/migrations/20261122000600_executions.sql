-- executions: a team run is rows, not a process (docs/architecture.md, "Request path"). An execution, one step per
-- team agent, and an append-only numbered event log. Workers claim ready steps with
-- `for no key update skip locked` and a lease; a result is recorded exactly once, in the same transaction
-- as its priced usage; a reaper re-queues expired leases and fails runs past their deadline; cancel
-- is a column that workers honour between and during calls. Every state change appends an event
-- and broadcasts it on the private Realtime topic `execution:<id>`.
--
-- Who may do what: members of the tenant read executions, steps, events and usage; owners, admins
-- and members start and stop runs (analysts read only). Only the engine (service role) writes.
-- Who writes each table: model_prices, migrations and the service role; executions and
-- execution_steps, start_execution()/stop_execution() (API or direct) and the engine (service
-- only); execution_events and usage_ledger, the engine's security-definer functions only.

-- ─── extensions ───────────────────────────────────────────────────────────────────────────────
-- btree_gist: price periods of one model may not overlap (an exclusion constraint on = and &&).
create extension if not exists btree_gist with schema extensions;

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.execution_status as enum ('pending', 'running', 'completed', 'failed', 'cancelled');
create type public.step_status as enum ('pending', 'ready', 'running', 'succeeded', 'failed', 'skipped', 'cancelled');

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

create table public.executions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- Runs outlive their team and agents: their cost stays in the month's spend and the history.
  team_id uuid references public.teams (id) on delete set null,
  status public.execution_status not null default 'pending',
  workflow_type public.workflow_type not null,
  initial_prompt text not null constraint executions_initial_prompt_length check (char_length(initial_prompt) between 1 and 100000)
    constraint executions_initial_prompt_not_blank check (btrim(initial_prompt, E' \t\r\n') <> ''),
  variables jsonb not null default '{}' constraint executions_variables_is_object check (jsonb_typeof(variables) = 'object')
    constraint executions_variables_bounded check (private.jsonb_is_bounded(variables, 16, 65536)),
  shared_context jsonb not null default '{}',
  -- The team's settings as they were when the run started.
  team_config jsonb not null,
  final_result jsonb,
  error_message text,
  total_steps integer not null default 0,
  finished_steps integer not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric(14, 6) not null default 0,
  last_event_seq bigint not null default 0,
  cancel_requested_at timestamptz,
  deadline_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.execution_steps (
  id uuid primary key default gen_random_uuid(),
  execution_id uuid not null references public.executions (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid references public.agents (id) on delete set null,
  agent_version integer not null,
  -- What ran: the agent version's definition and the team's settings for this agent.
  agent_definition jsonb not null,
  role public.team_agent_role not null,
  position integer not null,
  input_spec jsonb not null,
  conditions jsonb not null,
  overrides jsonb not null,
  status public.step_status not null default 'pending',
  resolved_input text,
  output text,
  skip_reason text,
  error_message text,
  attempt_count integer not null default 0,
  max_attempts integer not null default 3,
  lease_owner text,
  lease_expires_at timestamptz,
  next_attempt_at timestamptz,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric(14, 6) not null default 0,
  latency_ms integer,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint execution_steps_one_per_position unique (execution_id, position)
);

-- Append-only, numbered per execution, so a client that reconnects asks for seq > the last it saw.
create table public.execution_events (
  execution_id uuid not null references public.executions (id) on delete cascade,
  seq bigint not null,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  event text not null constraint execution_events_event_values
    check (event in ('status_update', 'agent_status_update', 'progress_update', 'result_update', 'error_update', 'log')),
  step_id uuid,
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (execution_id, seq)
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
create index executions_tenant_id_created_at_idx on public.executions (tenant_id, created_at desc, id);
create index executions_team_id_created_at_idx on public.executions (team_id, created_at desc);
create index executions_tenant_id_status_idx on public.executions (tenant_id, status) where status in ('pending', 'running');
create index executions_deadline_idx on public.executions (deadline_at) where status = 'running';
create index executions_created_by_idx on public.executions (created_by);
create index execution_steps_execution_id_idx on public.execution_steps (execution_id, position);
create index execution_steps_ready_idx on public.execution_steps (next_attempt_at nulls first, created_at) where status = 'ready';
create index execution_steps_lease_idx on public.execution_steps (lease_expires_at) where status = 'running';
create index execution_steps_tenant_id_idx on public.execution_steps (tenant_id);
create index execution_steps_agent_id_idx on public.execution_steps (agent_id);
create index execution_events_tenant_id_idx on public.execution_events (tenant_id);
create index usage_ledger_tenant_id_recorded_at_idx on public.usage_ledger (tenant_id, recorded_at);
create index usage_ledger_execution_id_idx on public.usage_ledger (execution_id);
create index usage_ledger_agent_id_idx on public.usage_ledger (agent_id);
create index model_prices_lookup_idx on public.model_prices (provider, model, effective_from desc);

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- A run's variables: at most 100, each named by 1 to 64 characters (what the API's zod says earlier).
create or replace function private.are_run_variables(variables jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(variables) = 'object'
     and (select count(*) <= 100 and coalesce(bool_and(char_length(k) between 1 and 64), true)
          from pg_catalog.jsonb_object_keys(variables) k);
$$;
alter table public.executions add constraint executions_variables_limits check (private.are_run_variables(variables));
grant execute on function private.are_run_variables(jsonb) to authenticated, service_role;

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
 * What the tenant's runs in flight (pending or running) may still spend: the cost ceiling of every
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
  where e.tenant_id = target_tenant_id and e.status in ('pending', 'running')
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

-- Appends the next numbered event and broadcasts it (with its seq) on `execution:<id>`.
create or replace function private.append_execution_event(target_execution_id uuid, event_name text, event_payload jsonb, target_step_id uuid default null)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  next_seq bigint;
  target_tenant_id uuid;
begin
  update public.executions set last_event_seq = last_event_seq + 1
  where id = target_execution_id
  returning last_event_seq, tenant_id into next_seq, target_tenant_id;
  insert into public.execution_events (execution_id, seq, tenant_id, event, step_id, payload)
  values (target_execution_id, next_seq, target_tenant_id, event_name, target_step_id, event_payload);
  perform realtime.send(
    event_payload || pg_catalog.jsonb_build_object('seq', next_seq, 'execution_id', target_execution_id, 'step_id', target_step_id),
    event_name,
    'execution:' || target_execution_id,
    true
  );
  return next_seq;
end;
$$;

-- The value a condition field names, as text (null when nothing produced it).
create or replace function private.execution_field_value(target_execution_id uuid, field text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  parts text[] := pg_catalog.string_to_array(field, '.');
  run public.executions;
  value text;
begin
  select * into run from public.executions e where e.id = target_execution_id;
  if field = 'initial_prompt' then
    return run.initial_prompt;
  elsif parts[1] = 'variables' then
    value := run.variables ->> parts[2];
  elsif parts[1] = 'context' then
    value := run.shared_context ->> parts[2];
  elsif parts[1] = 'agents' then
    select case parts[3] when 'output' then s.output when 'status' then s.status::text end into value
    from public.execution_steps s where s.execution_id = target_execution_id and s.agent_id::text = parts[2];
  end if;
  return value;
end;
$$;

-- Null when every condition holds, else the reason the step is skipped (recorded for people).
create or replace function private.failed_condition(target_execution_id uuid, conditions jsonb)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  condition jsonb;
  actual text;
  expected text;
  holds boolean;
begin
  for condition in select c from pg_catalog.jsonb_array_elements(conditions) c loop
    actual := private.execution_field_value(target_execution_id, condition ->> 'field');
    expected := case when pg_catalog.jsonb_typeof(condition -> 'value') = 'string' then condition ->> 'value' else (condition -> 'value')::text end;
    holds := case condition ->> 'operator'
      when 'equals' then actual = expected
      when 'contains' then pg_catalog.strpos(lower(actual), lower(expected)) > 0
      when 'greater_than' then case when actual ~ '^\s*-?\d+(\.\d+)?\s*$' and expected ~ '^-?\d+(\.\d+)?$' then actual::numeric > expected::numeric end
      when 'less_than' then case when actual ~ '^\s*-?\d+(\.\d+)?\s*$' and expected ~ '^-?\d+(\.\d+)?$' then actual::numeric < expected::numeric end
    end;
    if holds is not true then
      return format('condition %s %s %s was not met (value: %s)', condition ->> 'field', condition ->> 'operator', expected,
                    coalesce(left(actual, 200), 'nothing produced'));
    end if;
  end loop;
  return null;
end;
$$;

-- The text a step receives, from its input spec (pipeline steps default to the previous output).
create or replace function private.resolve_step_input(step public.execution_steps)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  run public.executions;
  source jsonb;
  parts text[] := '{}';
  rendered text;
  previous_output text;
begin
  select * into run from public.executions e where e.id = step.execution_id;
  if step.input_spec ->> 'source' = 'agent_result' then
    return (select s.output from public.execution_steps s where s.execution_id = step.execution_id and s.agent_id::text = step.input_spec ->> 'agent_id');
  elsif step.input_spec ->> 'source' = 'combined' then
    if step.input_spec ? 'template' then
      rendered := step.input_spec ->> 'template';
      rendered := replace(rendered, '{{initial_prompt}}', run.initial_prompt);
      select coalesce(rendered, '') into rendered;
      for source in select s from pg_catalog.jsonb_array_elements(step.input_spec -> 'sources') s loop
        rendered := case source ->> 'type'
          when 'agent_result' then replace(rendered, '{{agent:' || (source ->> 'agent_id') || '}}',
            coalesce((select s.output from public.execution_steps s where s.execution_id = step.execution_id and s.agent_id::text = source ->> 'agent_id'), ''))
          when 'context' then replace(rendered, '{{context.' || (source ->> 'key') || '}}', coalesce(run.shared_context ->> (source ->> 'key'), ''))
          when 'variable' then replace(rendered, '{{variables.' || (source ->> 'name') || '}}', coalesce(run.variables ->> (source ->> 'name'), ''))
          else rendered end;
      end loop;
      return rendered;
    end if;
    for source in select s from pg_catalog.jsonb_array_elements(step.input_spec -> 'sources') s loop
      parts := parts || case source ->> 'type'
        when 'initial_prompt' then run.initial_prompt
        when 'agent_result' then (
          select '## ' || (s.agent_definition ->> 'name') || E'\n' || coalesce(s.output, '')
          from public.execution_steps s where s.execution_id = step.execution_id and s.agent_id::text = source ->> 'agent_id')
        when 'context' then '## ' || (source ->> 'key') || E'\n' || coalesce(run.shared_context ->> (source ->> 'key'), '')
        when 'variable' then '## ' || (source ->> 'name') || E'\n' || coalesce(run.variables ->> (source ->> 'name'), '')
      end;
    end loop;
    return pg_catalog.array_to_string(parts, E'\n\n');
  end if;
  -- initial_prompt
  if run.workflow_type = 'pipeline' and step.position > 1 then
    select s.output into previous_output from public.execution_steps s
    where s.execution_id = step.execution_id and s.position < step.position and s.status = 'succeeded'
    order by s.position desc limit 1;
    return coalesce(previous_output, run.initial_prompt);
  end if;
  if run.workflow_type = 'parallel' and step.role in ('leader', 'coordinator') then
    select run.initial_prompt || E'\n\n' || coalesce(pg_catalog.string_agg('## ' || (s.agent_definition ->> 'name') || E'\n' || s.output, E'\n\n' order by s.position), '')
    into rendered
    from public.execution_steps s
    where s.execution_id = step.execution_id and s.id <> step.id and s.status = 'succeeded';
    return rendered;
  end if;
  return run.initial_prompt;
end;
$$;

-- True when nothing a pending step waits for is still unfinished.
create or replace function private.step_dependencies_finished(step public.execution_steps, run public.executions)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select not exists (
    select 1 from public.execution_steps other
    where other.execution_id = step.execution_id
      and other.id <> step.id
      and other.status in ('pending', 'ready', 'running')
      and (
        -- one after another
        (run.workflow_type in ('sequential', 'pipeline', 'conditional') and other.position < step.position)
        -- a parallel team's leader or coordinator summarises everyone else
        or (run.workflow_type = 'parallel' and step.role in ('leader', 'coordinator'))
        -- results and conditions it reads
        or other.agent_id::text in (select r.agent_ref from private.workflow_references(step.input_spec, step.conditions) r)
      )
  );
$$;

-- The run's answer: the leader's or coordinator's output when there is one, else the last
-- successful output (one after another) or every output (parallel); plus each agent's part.
create or replace function private.execution_final_result(target_execution_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with run as (select * from public.executions where id = target_execution_id),
  steps as (select * from public.execution_steps where execution_id = target_execution_id)
  select pg_catalog.jsonb_build_object(
    'summary', coalesce(
      (select s.output from steps s where s.role in ('leader', 'coordinator') and s.status = 'succeeded' limit 1),
      case when (select workflow_type from run) = 'parallel'
        then (select pg_catalog.string_agg(s.output, E'\n\n' order by s.position) from steps s where s.status = 'succeeded')
        else (select s.output from steps s where s.status = 'succeeded' order by s.position desc limit 1) end),
    'details', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'agent_id', s.agent_id, 'agent_name', s.agent_definition ->> 'name', 'role', s.role, 'position', s.position,
        'status', s.status, 'output', s.output, 'skip_reason', s.skip_reason, 'error', s.error_message,
        'input_tokens', s.input_tokens, 'output_tokens', s.output_tokens, 'cost_usd', s.cost_usd, 'latency_ms', s.latency_ms
      ) order by s.position), '[]') from steps s)
  );
$$;

-- Cancels a run's open steps (those in `statuses`) with a reason, announcing each one, so a live
-- view never leaves a cancelled agent showing as pending.
create or replace function private.cancel_open_steps(target_execution_id uuid, reason text, statuses public.step_status[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  cancelled record;
begin
  for cancelled in
    update public.execution_steps set status = 'cancelled', finished_at = now(), skip_reason = reason,
           lease_owner = null, lease_expires_at = null
    where execution_id = target_execution_id and status = any (statuses)
    returning id, agent_id
  loop
    perform private.append_execution_event(target_execution_id, 'agent_status_update',
      pg_catalog.jsonb_build_object('agent_id', cancelled.agent_id, 'status', 'cancelled', 'reason', reason), cancelled.id);
  end loop;
end;
$$;

/*
 * Moves a running execution forward: pending steps whose dependencies finished become ready (with
 * their input resolved) or skipped (conditions not met, or an upstream failure when the team stops
 * on errors); when every step has finished, the execution completes or fails. Idempotent; called
 * by the engine after every step change. Service role only.
 */
create or replace function private.advance_execution(target_execution_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.executions;
  step public.execution_steps;
  reason text;
  has_failure boolean;
  continue_on_error boolean;
  changed boolean := true;
begin
  select * into run from public.executions e where e.id = target_execution_id for no key update;  -- not `for update`: that would wait on the key-share locks of foreign keys (usage, events) and deadlock
  if run.id is null or run.status <> 'running' then
    return;
  end if;
  continue_on_error := coalesce((run.team_config ->> 'continue_on_error')::boolean, false);

  select exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status = 'failed') into has_failure;
  if has_failure and not continue_on_error then
    perform private.cancel_open_steps(run.id, 'an earlier agent failed and the team stops on errors', array['pending', 'ready']::public.step_status[]);
  end if;

  -- Loop: skipping a step can release the next one in the same call.
  while changed loop
    changed := false;
    for step in
      select * from public.execution_steps s where s.execution_id = run.id and s.status = 'pending' order by s.position
    loop
      if not private.step_dependencies_finished(step, run) then
        continue;
      end if;
      reason := private.failed_condition(run.id, step.conditions);
      if reason is not null then
        update public.execution_steps set status = 'skipped', skip_reason = reason, finished_at = now() where id = step.id;
        perform private.append_execution_event(run.id, 'agent_status_update',
          pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'status', 'skipped', 'reason', reason), step.id);
        changed := true;
      else
        update public.execution_steps
        set status = 'ready', resolved_input = private.resolve_step_input(step), next_attempt_at = now()
        where id = step.id;
        perform private.append_execution_event(run.id, 'agent_status_update',
          pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'status', 'ready'), step.id);
        perform pg_catalog.pg_notify('renum_steps_ready', run.id::text);
      end if;
    end loop;
  end loop;

  update public.executions e
  set finished_steps = (select count(*) from public.execution_steps s where s.execution_id = e.id and s.status in ('succeeded', 'failed', 'skipped', 'cancelled'))
  where e.id = run.id
  returning * into run;
  perform private.append_execution_event(run.id, 'progress_update', pg_catalog.jsonb_build_object(
    'finished_steps', run.finished_steps, 'total_steps', run.total_steps,
    'progress', case when run.total_steps = 0 then 1 else round(run.finished_steps::numeric / run.total_steps, 4) end));

  if not exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status in ('pending', 'ready', 'running')) then
    select exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status = 'failed') into has_failure;
    update public.executions
    set status = case when has_failure and not continue_on_error then 'failed'::public.execution_status else 'completed'::public.execution_status end,
        final_result = private.execution_final_result(run.id),
        error_message = case when has_failure and not continue_on_error
          then (select 'agent "' || (s.agent_definition ->> 'name') || '" failed: ' || coalesce(s.error_message, 'unknown error')
                from public.execution_steps s where s.execution_id = run.id and s.status = 'failed' order by s.position limit 1) end,
        finished_at = now()
    where id = run.id
    returning * into run;
    perform private.append_execution_event(run.id, 'result_update', pg_catalog.jsonb_build_object('final_result', run.final_result));
    perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object(
      'status', run.status, 'error_message', run.error_message, 'cost_usd', run.cost_usd,
      'input_tokens', run.input_tokens, 'output_tokens', run.output_tokens));
    perform private.start_waiting_executions(run.tenant_id);
  end if;
end;
$$;

-- Starts a pending execution (the tenant has room): running, deadline set, first steps ready.
create or replace function private.begin_execution(target_execution_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.executions;
begin
  update public.executions
  set status = 'running', started_at = now(), deadline_at = now() + make_interval(secs => (team_config ->> 'timeout_seconds')::integer)
  where id = target_execution_id and status = 'pending'
  returning * into run;
  if run.id is null then
    return;
  end if;
  perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object('status', 'running', 'deadline_at', run.deadline_at));
  perform private.advance_execution(run.id);
end;
$$;

/*
 * Starts as many waiting executions of the tenant as its plan allows (basic 2, pro 10, enterprise
 * 50 running at once), oldest first. Called by start_execution and by the engine whenever a run
 * ends. Race-proof: under lock_tenant_run_admission, so two callers never both fill the same slot.
 * Cannot deadlock with the engine: the lock is taken last (callers hold only rows of their own run),
 * and a waiting run whose row someone else holds (stop_execution cancelling it) is skipped, not
 * waited for (`for no key update skip locked`).
 */
create or replace function private.start_waiting_executions(target_tenant_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  room integer;
  waiting uuid;
  started integer := 0;
begin
  perform private.lock_tenant_run_admission(target_tenant_id);
  select private.max_running_executions(t.plan) - (select count(*) from public.executions e where e.tenant_id = t.id and e.status = 'running')
  into room from public.tenants t where t.id = target_tenant_id;
  for waiting in
    select e.id from public.executions e where e.tenant_id = target_tenant_id and e.status = 'pending'
    order by e.created_at limit greatest(room, 0)
    for no key update skip locked
  loop
    perform private.begin_execution(waiting);
    started := started + 1;
  end loop;
  return started;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger executions_touch_updated_at before update on public.executions
  for each row execute function private.touch_updated_at();
create trigger execution_steps_touch_updated_at before update on public.execution_steps
  for each row execute function private.touch_updated_at();

create or replace function private.forbid_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception using errcode = '42501', constraint = 'append_only', message = format('%s is append-only: rows cannot be changed or deleted', tg_table_name);
end;
$$;

-- Deleting a team while one of its runs is in flight would leave the run without the team it reads.
-- A team that goes with its company (tenant deleted: the cascade runs after the tenant row is gone) is exempt.
create or replace function private.refuse_deleting_team_with_runs_in_flight()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.executions e where e.team_id = old.id and e.status in ('pending', 'running'))
     and exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    raise exception using errcode = 'P0001', constraint = 'team_has_runs_in_flight',
      message = 'the team has runs in progress: stop them or wait for them to finish first',
      detail = pg_catalog.jsonb_build_object('team_id', old.id)::text;
  end if;
  return old;
end;
$$;
comment on function private.refuse_deleting_team_with_runs_in_flight() is
  'Before-delete trigger on teams: raises P0001 (constraint team_has_runs_in_flight) while a run of the team is pending or running.';

create trigger teams_refuse_delete_with_runs_in_flight before delete on public.teams
  for each row execute function private.refuse_deleting_team_with_runs_in_flight();

create trigger execution_events_append_only before update or delete on public.execution_events
  for each row execute function private.forbid_changes();
create trigger usage_ledger_append_only before update or delete on public.usage_ledger
  for each row execute function private.forbid_changes();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.model_prices enable row level security;
alter table public.executions enable row level security;
alter table public.execution_steps enable row level security;
alter table public.execution_events enable row level security;
alter table public.usage_ledger enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "signed-in users read model prices" on public.model_prices
  for select to authenticated
  using (true);
create policy "members read their tenant's executions" on public.executions
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "members read their tenant's execution steps" on public.execution_steps
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "members read their tenant's execution events" on public.execution_events
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "members read their tenant's usage" on public.usage_ledger
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- Realtime: members of the execution's tenant may listen on `execution:<id>` (nobody may send).
create or replace function private.can_watch_execution_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  execution_tenant uuid;
begin
  if topic !~ '^execution:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  select e.tenant_id into execution_tenant from public.executions e where e.id = pg_catalog.split_part(topic, ':', 2)::uuid;
  return execution_tenant is not null and private.is_member(execution_tenant);
end;
$$;
grant execute on function private.can_watch_execution_topic(text) to authenticated;

create policy "members receive their tenant's execution broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select private.can_watch_execution_topic((select realtime.topic())))
  );

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
/*
 * Starts a run of a team on a prompt. Owners, admins and members of the team's tenant (security
 * definer with a reason: the run's rows are engine state no user may write directly). The run
 * starts at once when the tenant has room under its plan, else waits as pending. Raises 42501 when
 * the caller may not run the team or the tenant is suspended, P0002 when the team is not visible,
 * P0001 'team has no agents' / 'team is inactive', and P0001 with constraint 'budget_exhausted'
 * when the tenant's monthly budget is spent or cannot cover what the runs in flight and this one
 * may still cost.
 */
create or replace function public.start_execution(target_team_id uuid, initial_prompt text, variables jsonb default '{}')
returns public.executions
language plpgsql
security definer
set search_path = ''
as $$
declare
  team public.teams;
  tenant public.tenants;
  run public.executions;
  spent numeric;
  reserved numeric;
  ceiling numeric;
begin
  select * into team from public.teams t where t.id = target_team_id;
  if team.id is null or not (private.is_member(team.tenant_id) or private.is_trusted_caller()) then
    raise exception using errcode = 'P0002', message = 'team not found';
  end if;
  if not (private.has_capability(team.tenant_id, 'run_teams') or private.is_trusted_caller()) then
    raise exception using errcode = '42501', constraint = 'executions_start_by_builders', message = 'analysts can read runs but not start them';
  end if;
  perform private.assert_tenant_writable(team.tenant_id);
  if not team.is_active then
    raise exception using errcode = 'P0001', constraint = 'team_inactive', message = 'team is inactive', hint = 'Activate the team before running it.';
  end if;
  if not exists (select 1 from public.team_agents ta where ta.team_id = team.id) then
    raise exception using errcode = 'P0001', constraint = 'team_has_no_agents', message = 'team has no agents', hint = 'Add at least one agent to the team.';
  end if;
  if variables is null or pg_catalog.jsonb_typeof(variables) <> 'object' then
    raise exception using errcode = '22023', constraint = 'execution_variables_invalid', message = 'variables must be an object', detail = '{"field": "variables"}';
  end if;

  -- The budget rule: spend this month + what the runs in flight may still cost + what this run may
  -- cost stays within the budget. Race-proof: checked and the run inserted under
  -- lock_tenant_run_admission, so two members starting runs at once are checked one after the
  -- other and the second sees the first one's reservation. The lock is taken before this
  -- transaction holds any row the engine locks (it has only read), so it cannot deadlock with it.
  perform private.lock_tenant_run_admission(team.tenant_id);
  select * into tenant from public.tenants t where t.id = team.tenant_id;
  if tenant.monthly_budget_usd is not null then
    spent := private.tenant_spend_this_month(tenant.id);
    if spent >= tenant.monthly_budget_usd then
      raise exception using errcode = 'P0001', constraint = 'budget_exhausted',
        message = format('the monthly budget of US$ %s is spent (US$ %s used this month); new runs start next month or when the budget is raised',
                         tenant.monthly_budget_usd, round(spent, 2)),
        detail = pg_catalog.jsonb_build_object('monthly_budget_usd', tenant.monthly_budget_usd, 'spent_usd', round(spent, 2))::text,
        hint = 'An owner or admin can raise the monthly budget in the company settings.';
    end if;
    reserved := private.tenant_reserved_usd(tenant.id);
    ceiling := (select coalesce(sum(private.step_cost_ceiling(v.definition, ta.config, pg_catalog.jsonb_build_object('max_tokens', team.max_tokens))), 0)
                from public.team_agents ta
                join public.agents a on a.id = ta.agent_id
                join public.agent_versions v on v.agent_id = a.id and v.version = a.version
                where ta.team_id = team.id);
    if spent + reserved + ceiling > tenant.monthly_budget_usd then
      raise exception using errcode = 'P0001', constraint = 'budget_exhausted',
        message = format('the monthly budget of US$ %s cannot cover this run: US$ %s used this month, US$ %s reserved by runs in progress, and this run may cost up to US$ %s',
                         tenant.monthly_budget_usd, round(spent, 2), round(reserved, 2), round(ceiling, 4)),
        detail = pg_catalog.jsonb_build_object('monthly_budget_usd', tenant.monthly_budget_usd, 'spent_usd', round(spent, 2),
                   'reserved_usd', round(reserved, 2), 'run_ceiling_usd', round(ceiling, 4))::text,
        hint = 'Wait for the runs in progress to finish, lower the agents'' max tokens, or ask an owner or admin to raise the monthly budget.';
    end if;
  end if;

  insert into public.executions (tenant_id, team_id, workflow_type, initial_prompt, variables, team_config, created_by)
  values (team.tenant_id, team.id, team.workflow_type, start_execution.initial_prompt, start_execution.variables,
          pg_catalog.jsonb_build_object('max_tokens', team.max_tokens, 'temperature', team.temperature,
            'timeout_seconds', team.timeout_seconds, 'max_parallel_agents', team.max_parallel_agents,
            'continue_on_error', team.continue_on_error, 'team_name', team.name),
          (select auth.uid()))
  returning * into run;

  insert into public.execution_steps (execution_id, tenant_id, agent_id, agent_version, agent_definition, role, position, input_spec, conditions, overrides)
  select run.id, run.tenant_id, ta.agent_id, a.version,
         v.definition || pg_catalog.jsonb_build_object('name', a.name),
         ta.role, row_number() over (order by ta.execution_order, ta.agent_id), ta.input, ta.conditions, ta.config
  from public.team_agents ta
  join public.agents a on a.id = ta.agent_id
  join public.agent_versions v on v.agent_id = a.id and v.version = a.version
  where ta.team_id = team.id;

  update public.executions set total_steps = (select count(*) from public.execution_steps s where s.execution_id = run.id)
  where id = run.id returning * into run;
  perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object('status', 'pending', 'total_steps', run.total_steps));
  perform private.start_waiting_executions(run.tenant_id);
  select * into run from public.executions e where e.id = run.id;
  return run;
end;
$$;

/*
 * Stops a run: at once it is cancelled, no step starts after this, and workers abort in-flight
 * provider calls when they see the flag (they check it while waiting). Owners, admins and members
 * of the tenant; returns the run. A finished run is returned unchanged. Raises P0002 when not visible.
 */
create or replace function public.stop_execution(target_execution_id uuid)
returns public.executions
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.executions;
begin
  select * into run from public.executions e where e.id = target_execution_id;
  if run.id is null or not (private.is_member(run.tenant_id) or private.is_trusted_caller()) then
    raise exception using errcode = 'P0002', message = 'execution not found';
  end if;
  if not (private.has_capability(run.tenant_id, 'run_teams') or private.is_trusted_caller()) then
    raise exception using errcode = '42501', constraint = 'executions_stop_by_builders', message = 'analysts can read runs but not stop them';
  end if;
  -- Locks in the engine's order, the run's open steps and then the run (claim_steps and
  -- complete_step hold a step, then update its run): the other order deadlocked with a worker
  -- claiming a step of this run at the same moment.
  perform 1 from public.execution_steps s
  where s.execution_id = run.id and s.status in ('pending', 'ready', 'running')
  order by s.id
  for no key update;
  select * into run from public.executions e where e.id = run.id for no key update;
  if run.status not in ('pending', 'running') then
    return run;
  end if;
  perform private.cancel_open_steps(run.id, 'the run was stopped', array['pending', 'ready', 'running']::public.step_status[]);
  update public.executions
  set status = 'cancelled', cancel_requested_at = now(), finished_at = now(),
      final_result = private.execution_final_result(run.id)
  where id = run.id
  returning * into run;
  perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object('status', 'cancelled', 'cancelled_by', (select auth.uid())));
  perform pg_catalog.pg_notify('renum_execution_cancelled', run.id::text);
  perform private.start_waiting_executions(run.tenant_id);
  return run;
end;
$$;

-- ─── engine functions (service role) ──────────────────────────────────────────────────────────
/*
 * Claims up to `max_steps` ready steps for `worker`, leasing them for `lease_seconds`: running,
 * attempt counted, and everything the worker needs to call the provider (the agent as it was when
 * the run started, the company's agent settings, the provider key to decrypt). Skips steps of runs that
 * were stopped, passed their deadline, or are at their parallel limit. Safe under concurrency (for update skip locked).
 */
create or replace function private.claim_steps(worker text, max_steps integer default 1, lease_seconds integer default 60)
returns table (
  step_id uuid, execution_id uuid, tenant_id uuid, agent_id uuid, attempt integer, resolved_input text,
  agent_definition jsonb, overrides jsonb, team_config jsonb, deadline_at timestamptz, lease_expires_at timestamptz,
  tenant_name text, agents_endpoint_url text, agents_timeout_ms integer, rag_enabled boolean, rag_top_k integer, provider_key_id uuid,
  provider_key_service text, provider_key_origin text, unusable_key_service text, unusable_key_origin text
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  candidate record;
  claimed integer := 0;
  running_in_run integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine can claim steps';
  end if;
  for candidate in
    select s.id, s.execution_id, (e.team_config ->> 'max_parallel_agents')::integer as max_parallel
    from public.execution_steps s join public.executions e on e.id = s.execution_id
    where s.status = 'ready' and e.status = 'running' and e.cancel_requested_at is null
      -- a run past its deadline is the reaper's to fail, not a worker's to try again
      and (e.deadline_at is null or e.deadline_at > now())
      and (s.next_attempt_at is null or s.next_attempt_at <= now())
    order by s.next_attempt_at nulls first, s.created_at
    limit max_steps + 20
    for no key update of s skip locked
  loop
    exit when claimed >= max_steps;
    select count(*) into running_in_run from public.execution_steps r where r.execution_id = candidate.execution_id and r.status = 'running';
    continue when running_in_run >= candidate.max_parallel;
    update public.execution_steps s
    set status = 'running', attempt_count = s.attempt_count + 1, lease_owner = worker,
        lease_expires_at = now() + make_interval(secs => lease_seconds), started_at = coalesce(s.started_at, now())
    where s.id = candidate.id;
    perform private.append_execution_event(candidate.execution_id, 'agent_status_update',
      pg_catalog.jsonb_build_object('agent_id', (select s.agent_id from public.execution_steps s where s.id = candidate.id),
        'status', 'running', 'attempt', (select s.attempt_count from public.execution_steps s where s.id = candidate.id)), candidate.id);
    claimed := claimed + 1;
    -- With the company's agent settings and the provider key to use, so the worker goes straight
    -- to the provider (provider_key_for_step is defined with the executor's helpers, in 0700).
    return query
      select s.id, s.execution_id, s.tenant_id, s.agent_id, s.attempt_count, s.resolved_input, s.agent_definition, s.overrides,
             e.team_config, e.deadline_at, s.lease_expires_at,
             t.name, t.agents_endpoint_url, t.agents_timeout_ms, t.rag_enabled, t.rag_top_k,
             k.key_id, k.key_service, k.key_origin, k.unusable_key_service, k.unusable_key_origin
      from public.execution_steps s
      join public.executions e on e.id = s.execution_id
      join public.tenants t on t.id = s.tenant_id
      cross join lateral private.provider_key_for_step(s.id) k
      where s.id = candidate.id;
  end loop;
end;
$$;

/*
 * Extends a step's lease while its provider call runs. Returns false when the worker must stop:
 * the run was stopped, passed its deadline, or the lease is no longer this worker's.
 */
create or replace function private.renew_step_lease(target_step_id uuid, worker text, attempt integer, lease_seconds integer default 60)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  renewed integer;
begin
  update public.execution_steps s
  set lease_expires_at = now() + make_interval(secs => lease_seconds)
  from public.executions e
  where s.id = target_step_id and e.id = s.execution_id and s.status = 'running' and s.lease_owner = worker
    and s.attempt_count = attempt and e.status = 'running' and e.cancel_requested_at is null
    and (e.deadline_at is null or e.deadline_at > now());
  get diagnostics renewed = row_count;
  return renewed = 1;
end;
$$;

/*
 * Records a step's result exactly once, with its priced usage, in one transaction: only the worker
 * holding the current lease and attempt may complete it; a second call (a retry after a network
 * blip, a worker whose lease was reaped) returns false and changes nothing.
 */
create or replace function private.complete_step(
  target_step_id uuid, worker text, attempt integer, output text,
  input_tokens bigint, output_tokens bigint, latency_ms integer, provider_model text default null
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
  price public.model_prices;
  step_provider public.agent_provider;
  step_model text;
  cost numeric(14, 6);
begin
  update public.execution_steps s
  set status = 'succeeded', output = complete_step.output, lease_owner = null, lease_expires_at = null, finished_at = now(),
      input_tokens = complete_step.input_tokens, output_tokens = complete_step.output_tokens, latency_ms = complete_step.latency_ms,
      error_message = null
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt
    and exists (select 1 from public.executions e where e.id = s.execution_id and e.status = 'running')
  returning * into step;
  if step.id is null then
    return false;
  end if;

  step_provider := (step.agent_definition ->> 'provider')::public.agent_provider;
  step_model := coalesce(provider_model, step.agent_definition ->> 'model');
  select * into price from public.model_prices p
  where p.provider = step_provider and p.model in (step_model, step.agent_definition ->> 'model')
    and p.effective_from <= now() and (p.effective_to is null or p.effective_to > now())
  order by (p.model = step_model) desc limit 1;
  cost := round((complete_step.input_tokens * coalesce(price.input_usd_per_million, 0)
                + complete_step.output_tokens * coalesce(price.output_usd_per_million, 0)) / 1000000.0, 6);

  update public.execution_steps set cost_usd = cost where id = step.id;
  insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                   price_id, input_usd_per_million, output_usd_per_million, cost_usd)
  values (step.tenant_id, step.execution_id, step.id, step.agent_id, step_provider, step_model,
          complete_step.input_tokens, complete_step.output_tokens, price.id,
          coalesce(price.input_usd_per_million, 0), coalesce(price.output_usd_per_million, 0), cost);
  update public.executions e
  set input_tokens = e.input_tokens + complete_step.input_tokens, output_tokens = e.output_tokens + complete_step.output_tokens,
      cost_usd = e.cost_usd + cost,
      -- jsonb_set creates only the last key of a path, so agent_results must exist first.
      shared_context = pg_catalog.jsonb_set(
        e.shared_context || pg_catalog.jsonb_build_object('agent_results', coalesce(e.shared_context -> 'agent_results', '{}'::jsonb)),
        array['agent_results', step.agent_id::text], pg_catalog.to_jsonb(complete_step.output), true)
  where e.id = step.execution_id;

  perform private.append_execution_event(step.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
    'agent_id', step.agent_id, 'status', 'succeeded', 'input_tokens', complete_step.input_tokens,
    'output_tokens', complete_step.output_tokens, 'cost_usd', cost, 'latency_ms', complete_step.latency_ms), step.id);
  perform private.append_execution_event(step.execution_id, 'result_update', pg_catalog.jsonb_build_object(
    'agent_id', step.agent_id, 'output', complete_step.output), step.id);
  perform private.advance_execution(step.execution_id);
  return true;
end;
$$;

/*
 * Records a failed attempt. A retryable failure with attempts left goes back to ready after
 * `retry_after_ms` (the worker computes backoff and jitter, honouring Retry-After); otherwise the
 * step fails and the run moves on or fails by continue-on-error. False when the lease is not this
 * worker's (nothing changes).
 */
create or replace function private.fail_step(
  target_step_id uuid, worker text, attempt integer, error_message text, retryable boolean, retry_after_ms integer default 0
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
  will_retry boolean;
begin
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt
  for no key update;
  if step.id is null then
    return false;
  end if;
  will_retry := retryable and step.attempt_count < step.max_attempts;
  update public.execution_steps s
  set status = case when will_retry then 'ready'::public.step_status else 'failed'::public.step_status end,
      error_message = left(fail_step.error_message, 2000), lease_owner = null, lease_expires_at = null,
      next_attempt_at = case when will_retry then now() + make_interval(secs => greatest(retry_after_ms, 0) / 1000.0) end,
      finished_at = case when will_retry then null else now() end
  where s.id = step.id;
  perform private.append_execution_event(step.execution_id, 'error_update', pg_catalog.jsonb_build_object(
    'agent_id', step.agent_id, 'attempt', step.attempt_count, 'message', left(fail_step.error_message, 2000),
    'will_retry', will_retry, 'retry_in_ms', case when will_retry then retry_after_ms end), step.id);
  if will_retry then
    perform private.append_execution_event(step.execution_id, 'agent_status_update',
      pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'status', 'ready', 'retry_in_ms', retry_after_ms), step.id);
  else
    perform private.append_execution_event(step.execution_id, 'agent_status_update',
      pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'status', 'failed', 'error', left(fail_step.error_message, 2000)), step.id);
    perform private.advance_execution(step.execution_id);
  end if;
  return true;
end;
$$;

/*
 * The reaper (the watchdog every second, and every worker pass): steps whose lease expired go back to ready while
 * attempts remain (else fail), and running executions past their deadline fail with their open
 * steps cancelled. Returns how many steps and executions it touched (0 when another reaper is at it).
 */
create or replace function private.reap_executions()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  expired record;
  overdue record;
  touched integer := 0;
begin
  -- One reaper at a time: every worker and the watchdog call this, and two at once would only lock
  -- the same runs in different orders (a deadlock) to do the same work.
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('private.reap_executions')) then
    return 0;
  end if;
  for expired in
    select s.* from public.execution_steps s
    where s.status = 'running' and s.lease_expires_at < now()
    for no key update skip locked
  loop
    if expired.attempt_count < expired.max_attempts then
      update public.execution_steps set status = 'ready', lease_owner = null, lease_expires_at = null, next_attempt_at = now()
      where id = expired.id;
      perform private.append_execution_event(expired.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
        'agent_id', expired.agent_id, 'status', 'ready', 'reason', 'the worker stopped answering; retrying'), expired.id);
    else
      update public.execution_steps set status = 'failed', lease_owner = null, lease_expires_at = null, finished_at = now(),
             error_message = 'the worker stopped answering on every attempt'
      where id = expired.id;
      perform private.append_execution_event(expired.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
        'agent_id', expired.agent_id, 'status', 'failed', 'error', 'the worker stopped answering on every attempt'), expired.id);
      perform private.advance_execution(expired.execution_id);
    end if;
    touched := touched + 1;
  end loop;

  for overdue in
    select e.* from public.executions e where e.status = 'running' and e.deadline_at < now() for no key update skip locked
  loop
    perform private.cancel_open_steps(overdue.id, 'the run passed its time limit', array['pending', 'ready', 'running']::public.step_status[]);
    update public.executions
    set status = 'failed', finished_at = now(), final_result = private.execution_final_result(overdue.id),
        error_message = format('the run passed its time limit of %s s', overdue.team_config ->> 'timeout_seconds')
    where id = overdue.id;
    perform private.append_execution_event(overdue.id, 'error_update', pg_catalog.jsonb_build_object('message', 'the run passed its time limit'));
    perform private.append_execution_event(overdue.id, 'status_update', pg_catalog.jsonb_build_object('status', 'failed', 'error_message', 'the run passed its time limit'));
    perform pg_catalog.pg_notify('renum_execution_cancelled', overdue.id::text);
    perform private.start_waiting_executions(overdue.tenant_id);
    touched := touched + 1;
  end loop;
  return touched;
end;
$$;

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
revoke all on public.model_prices, public.executions, public.execution_steps, public.execution_events, public.usage_ledger from anon, authenticated;
grant select on public.model_prices, public.executions, public.execution_steps, public.execution_events, public.usage_ledger to authenticated;
revoke insert, update, delete, truncate on public.execution_events, public.usage_ledger from service_role;

grant execute on function public.start_execution(uuid, text, jsonb) to authenticated, service_role;
grant execute on function public.stop_execution(uuid) to authenticated, service_role;
grant execute on function private.claim_steps(text, integer, integer) to service_role;
grant execute on function private.renew_step_lease(uuid, text, integer, integer) to service_role;
grant execute on function private.complete_step(uuid, text, integer, text, bigint, bigint, integer, text) to service_role;
grant execute on function private.fail_step(uuid, text, integer, text, boolean, integer) to service_role;
grant execute on function private.reap_executions() to service_role;
grant execute on function private.advance_execution(uuid) to service_role;
