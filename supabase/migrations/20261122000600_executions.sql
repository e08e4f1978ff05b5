-- executions: a team run is rows, not a process (docs/architecture.md, "Request path"). An execution, one step per
-- team agent, and an append-only numbered event log; the helpers that record a run's state (events,
-- final result, cancelled steps) and who may read and watch it. Prices, the usage ledger and budgets
-- are the billing migration; how steps are scheduled, claimed and leased is the engine migration;
-- starting and stopping a run is the execution API migration. Every state change appends an event
-- and broadcasts it on the private Realtime topic `execution:<id>`.
--
-- Who may do what: members of the tenant read executions, steps and events and receive the run's
-- broadcasts; owners, admins and members start and stop runs (analysts read only). Only the engine
-- (service role) writes.
-- Who writes each table: executions and execution_steps, start_execution()/stop_execution() (API
-- or direct) and the engine (service only); execution_events, the engine's security-definer
-- functions only.

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
-- waiting_approval: a step's output waits for a person (team_agents.config.approval); a run is
-- waiting_approval when nothing else of it can move until someone decides (no lease, no cost, its
-- deadline paused).
create type public.execution_status as enum ('pending', 'running', 'waiting_approval', 'completed', 'failed', 'cancelled');
create type public.step_status as enum ('pending', 'ready', 'running', 'waiting_approval', 'succeeded', 'failed', 'skipped', 'cancelled');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
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
  -- Since when the run waits for an approval: the deadline moves on by this long when it resumes.
  approval_waiting_since timestamptz,
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
  -- Approval (overrides.approval): when the wait times out (null = never), what the agent wrote when
  -- an approver edited it (output is then the approved text), and who decided what, when, why.
  approval_due_at timestamptz,
  proposed_output text,
  approval_decision text constraint execution_steps_approval_decision_values check (approval_decision in ('approved', 'rejected')),
  approval_decided_by uuid references auth.users (id) on delete set null,
  approval_decided_at timestamptz,
  approval_reason text constraint execution_steps_approval_reason_length check (char_length(approval_reason) <= 2000),
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

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index executions_tenant_id_created_at_idx on public.executions (tenant_id, created_at desc, id);
create index executions_team_id_created_at_idx on public.executions (team_id, created_at desc);
create index executions_tenant_id_status_idx on public.executions (tenant_id, status) where status in ('pending', 'running', 'waiting_approval');
create index executions_deadline_idx on public.executions (deadline_at) where status = 'running';
create index executions_created_by_idx on public.executions (created_by);
create index execution_steps_execution_id_idx on public.execution_steps (execution_id, position);
create index execution_steps_ready_idx on public.execution_steps (next_attempt_at nulls first, created_at) where status = 'ready';
create index execution_steps_lease_idx on public.execution_steps (lease_expires_at) where status = 'running';
create index execution_steps_approval_due_idx on public.execution_steps (approval_due_at) where status = 'waiting_approval';
create index execution_steps_approval_decided_by_idx on public.execution_steps (approval_decided_by);
create index execution_steps_tenant_id_idx on public.execution_steps (tenant_id);
create index execution_steps_agent_id_idx on public.execution_steps (agent_id);
create index execution_events_tenant_id_idx on public.execution_events (tenant_id);

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
  if exists (select 1 from public.executions e where e.team_id = old.id and e.status in ('pending', 'running', 'waiting_approval'))
     and exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    raise exception using errcode = 'P0001', constraint = 'team_has_runs_in_flight',
      message = 'the team has runs in progress: stop them or wait for them to finish first',
      detail = pg_catalog.jsonb_build_object('team_id', old.id)::text;
  end if;
  return old;
end;
$$;
comment on function private.refuse_deleting_team_with_runs_in_flight() is
  'Before-delete trigger on teams: raises P0001 (constraint team_has_runs_in_flight) while a run of the team is pending, running or waiting for an approval.';

create trigger teams_refuse_delete_with_runs_in_flight before delete on public.teams
  for each row execute function private.refuse_deleting_team_with_runs_in_flight();

create trigger execution_events_append_only before update or delete on public.execution_events
  for each row execute function private.forbid_changes();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.executions enable row level security;
alter table public.execution_steps enable row level security;
alter table public.execution_events enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenant's executions" on public.executions
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "members read their tenant's execution steps" on public.execution_steps
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "members read their tenant's execution events" on public.execution_events
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

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.executions, public.execution_steps, public.execution_events from anon, authenticated;
grant select on public.executions, public.execution_steps, public.execution_events to authenticated;
revoke insert, update, delete, truncate on public.execution_events from service_role;
