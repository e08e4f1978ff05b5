-- engine: the private scheduling that moves runs forward. Workers claim ready steps with
-- `for no key update skip locked` and a lease; a result is recorded exactly once, in the same
-- transaction as its priced usage; a reaper re-queues expired leases and fails runs past their
-- deadline; cancel is a column that workers honour between and during calls; a tenant's waiting
-- runs start as its plan makes room. The database wakes the `executor` edge function through
-- pg_net when a run starts, and a pg_cron watchdog rescues runs whose worker died. Following
-- Supabase's pattern for pg_cron + pg_net, the function URL and the service role key live in
-- Vault, set once per project:
--   select vault.create_secret('https://<ref>.supabase.co/functions/v1', 'renum_functions_url');
--   select vault.create_secret('<service role key>', 'renum_service_role_key');
-- (the local stack sets both for itself). Without them nothing is kicked and runs wait for a worker.
--
-- Who may do what: the service role (the executor function) and pg_cron only; nothing here is
-- granted to a person.
-- Who writes each table: none of its own; it writes executions, execution_steps, execution_events
-- and usage_ledger on the engine's behalf.

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
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
      and other.status in ('pending', 'ready', 'running', 'waiting_approval')
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

-- ─── engine functions (service role) ──────────────────────────────────────────────────────────
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
    perform private.cancel_open_steps(run.id, 'an earlier agent failed and the team stops on errors', array['pending', 'ready', 'waiting_approval']::public.step_status[]);
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

  -- Nothing can move until a person decides: the run waits without a lease, cost or deadline.
  if exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status = 'waiting_approval')
     and not exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status in ('ready', 'running')) then
    update public.executions set status = 'waiting_approval', approval_waiting_since = now() where id = run.id returning * into run;
    perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object('status', 'waiting_approval'));
    perform private.start_waiting_executions(run.tenant_id);
    return;
  end if;

  if not exists (select 1 from public.execution_steps s where s.execution_id = run.id and s.status in ('pending', 'ready', 'running', 'waiting_approval')) then
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

-- A step's accepted output goes into the run's shared context (agent_results.<agent id>), where
-- inputs and conditions read it. Called by complete_step and decide_step_approval (security definer).
create or replace function private.record_step_output(step public.execution_steps, accepted_output text)
returns void
language sql
set search_path = ''
as $$
  -- jsonb_set creates only the last key of a path, so agent_results must exist first.
  update public.executions e
  set shared_context = pg_catalog.jsonb_set(
        e.shared_context || pg_catalog.jsonb_build_object('agent_results', coalesce(e.shared_context -> 'agent_results', '{}'::jsonb)),
        array['agent_results', step.agent_id::text], pg_catalog.to_jsonb(accepted_output), true)
  where e.id = step.execution_id;
$$;

/*
 * Records a step's result exactly once, with its priced usage, in one transaction: only the worker
 * holding the current lease and attempt may complete it; a second call (a retry after a network
 * blip, a worker whose lease was reaped) returns false and changes nothing. A step that requires
 * approval (overrides.approval) is left waiting_approval with its output proposed: its cost is
 * recorded now (the provider was called), and the next agents wait for decide_step_approval.
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
  set status = case when s.overrides ? 'approval' then 'waiting_approval'::public.step_status else 'succeeded'::public.step_status end,
      output = complete_step.output, lease_owner = null, lease_expires_at = null, finished_at = now(),
      input_tokens = complete_step.input_tokens, output_tokens = complete_step.output_tokens, latency_ms = complete_step.latency_ms,
      error_message = null,
      approval_due_at = now() + make_interval(secs => (s.overrides #>> '{approval,timeout_seconds}')::integer)
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
      cost_usd = e.cost_usd + cost
  where e.id = step.execution_id;

  if step.status = 'waiting_approval' then
    perform private.append_execution_event(step.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'status', 'waiting_approval', 'input_tokens', complete_step.input_tokens,
      'output_tokens', complete_step.output_tokens, 'cost_usd', cost, 'latency_ms', complete_step.latency_ms,
      'proposed_output', complete_step.output, 'approval_due_at', step.approval_due_at,
      'approvers', coalesce(step.overrides #> '{approval,approvers}', '[]'::jsonb)), step.id);
  else
    perform private.record_step_output(step, complete_step.output);
    perform private.append_execution_event(step.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'status', 'succeeded', 'input_tokens', complete_step.input_tokens,
      'output_tokens', complete_step.output_tokens, 'cost_usd', cost, 'latency_ms', complete_step.latency_ms), step.id);
    perform private.append_execution_event(step.execution_id, 'result_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'output', complete_step.output), step.id);
  end if;
  perform private.advance_execution(step.execution_id);
  return true;
end;
$$;

/*
 * A person's (or the approval timeout's) decision on a step waiting for approval: `approved`, with
 * `approved_output` replacing what the agent wrote when given (the original kept in
 * proposed_output), or `rejected` with a reason (the step fails; the team's continue-on-error rule
 * decides the rest). The next agents receive the approved text. A run that was waiting resumes:
 * running again, its deadline moved on by the time it waited. Every decision is an event and an
 * audit-log entry. Raises P0001 approval_not_waiting when the step is not waiting (decided already,
 * or the run was stopped). Locks step then run, the engine's order. Callers check rights
 * (public.approve_execution_step / reject_execution_step, the reaper).
 */
create or replace function private.decide_step_approval(
  target_step_id uuid, decision text, approved_output text, reason text, decided_by uuid, decided_as text
)
returns public.execution_steps
language plpgsql
security definer
set search_path = ''
as $$
declare
  step public.execution_steps;
  run public.executions;
  edited boolean;
begin
  select * into step from public.execution_steps s where s.id = target_step_id for no key update;
  select * into run from public.executions e where e.id = step.execution_id for no key update;
  if step.id is null or step.status <> 'waiting_approval' or run.status not in ('running', 'waiting_approval') then
    raise exception using errcode = 'P0001', constraint = 'approval_not_waiting',
      message = 'this agent''s output is not waiting for approval (it was decided already, or the run has ended)',
      detail = pg_catalog.jsonb_build_object('step_id', target_step_id, 'status', step.status)::text;
  end if;
  edited := decision = 'approved' and approved_output is not null and approved_output is distinct from step.output;

  update public.execution_steps s
  set status = case when decision = 'approved' then 'succeeded'::public.step_status else 'failed'::public.step_status end,
      output = case when edited then approved_output else s.output end,
      proposed_output = case when edited then s.output end,
      error_message = case when decision = 'rejected' then left('rejected: ' || reason, 2000) end,
      approval_decision = decision, approval_decided_by = decided_by, approval_decided_at = now(),
      approval_reason = left(reason, 2000), approval_due_at = null
  where s.id = step.id
  returning * into step;

  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, before, after)
  values (step.tenant_id, decided_by, decided_as, 'update', 'execution_steps', step.id::text,
          pg_catalog.jsonb_build_object('status', 'waiting_approval', 'output', coalesce(step.proposed_output, step.output)),
          pg_catalog.jsonb_build_object('status', step.status, 'approval_decision', decision, 'edited', edited,
            'output', step.output, 'reason', step.approval_reason, 'execution_id', step.execution_id));

  if decision = 'approved' then
    perform private.record_step_output(step, step.output);
    perform private.append_execution_event(step.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'status', 'succeeded', 'approval', pg_catalog.jsonb_build_object(
        'decision', decision, 'decided_by', decided_by, 'decided_as', decided_as, 'edited', edited)), step.id);
    perform private.append_execution_event(step.execution_id, 'result_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'output', step.output), step.id);
  else
    perform private.append_execution_event(step.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
      'agent_id', step.agent_id, 'status', 'failed', 'error', step.error_message, 'approval', pg_catalog.jsonb_build_object(
        'decision', decision, 'decided_by', decided_by, 'decided_as', decided_as, 'reason', step.approval_reason)), step.id);
  end if;

  if run.status = 'waiting_approval' then
    update public.executions
    set status = 'running', deadline_at = deadline_at + (now() - approval_waiting_since), approval_waiting_since = null
    where id = run.id
    returning * into run;
    perform private.append_execution_event(run.id, 'status_update', pg_catalog.jsonb_build_object('status', 'running', 'deadline_at', run.deadline_at));
  end if;
  perform private.advance_execution(run.id);
  return step;
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

  -- Approvals past their timeout: the step's policy decides (keep_waiting only says so, once).
  for expired in
    select s.* from public.execution_steps s
    where s.status = 'waiting_approval' and s.approval_due_at < now()
    for no key update skip locked
  loop
    if coalesce(expired.overrides #>> '{approval,on_timeout}', 'reject') = 'keep_waiting' then
      update public.execution_steps set approval_due_at = null where id = expired.id;
      perform private.append_execution_event(expired.execution_id, 'agent_status_update', pg_catalog.jsonb_build_object(
        'agent_id', expired.agent_id, 'status', 'waiting_approval', 'approval_timed_out', true), expired.id);
    else
      perform private.decide_step_approval(expired.id,
        case when expired.overrides #>> '{approval,on_timeout}' = 'approve' then 'approved' else 'rejected' end,
        null, 'nobody decided within the approval time', null, 'timeout');
    end if;
    touched := touched + 1;
  end loop;

  for overdue in
    select e.* from public.executions e where e.status = 'running' and e.deadline_at < now() for no key update skip locked
  loop
    perform private.cancel_open_steps(overdue.id, 'the run passed its time limit', array['pending', 'ready', 'running', 'waiting_approval']::public.step_status[]);
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

/*
 * Queues `POST <functions url>/executor/run` with the service role key through pg_net; performed
 * after the calling transaction commits. Returns the pg_net request id, or null when the project
 * has not stored the URL and key in Vault.
 */
create or replace function private.kick_executor()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || '/executor/run',
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;
comment on function private.kick_executor() is
  'Service side: asks the executor function to run (pg_net, after commit). Null when Vault lacks its URL or key.';

/*
 * The watchdog's single pass, for a worker that died mid-step or a run nobody is working on: runs
 * the reaper (expired leases back to ready, overdue runs failed), then kicks the executor when a
 * step is claimable right now — a live engine claims a ready step within its poll interval, so a
 * claimable step seen here has no live worker. Returns the pg_net request id of the kick, or null
 * when nothing needed one (or Vault lacks the URL or key). Service role and the watchdog only.
 */
create or replace function private.rescue_stalled_runs()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.reap_executions();
  if exists (
    select 1
    from public.execution_steps s join public.executions e on e.id = s.execution_id
    where s.status = 'ready' and e.status = 'running' and e.cancel_requested_at is null
      and (e.deadline_at is null or e.deadline_at > now())
      and (s.next_attempt_at is null or s.next_attempt_at <= now())
      and (select count(*) from public.execution_steps r where r.execution_id = e.id and r.status = 'running')
          < (e.team_config ->> 'max_parallel_agents')::integer
  ) then
    return private.kick_executor();
  end if;
  return null;
end;
$$;
comment on function private.rescue_stalled_runs() is
  'Service role and the watchdog: reaps, then kicks the executor when a step is claimable and no worker took it.';

/*
 * The watchdog pg_cron starts every minute: a rescue pass every `every_seconds` for `for_seconds`,
 * each in its own transaction (so each kick is sent at once and each reap sees a fresh now()).
 * Leases are a few seconds long, so a run whose worker died is resumed within seconds, not at the
 * next minute: Debian's pg_cron 1.4 schedules by the minute only (hosted 1.6 also takes '1 seconds';
 * see README, "A crashed worker"). A procedure, not a function, for its COMMITs — which is also why
 * it is security invoker with no SET clause (Postgres forbids transaction control otherwise): it
 * calls only schema-qualified names, and only its owner (pg_cron runs jobs as postgres) may call it.
 */
create or replace procedure private.watch_executions(for_seconds integer default 58, every_seconds numeric default 1)
language plpgsql
as $$
declare
  watch_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => for_seconds);
begin
  loop
    perform private.rescue_stalled_runs();
    commit;
    exit when pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => every_seconds) > watch_until;
    perform pg_catalog.pg_sleep(every_seconds);
  end loop;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A run that starts (now, or later when the tenant has room) wakes a worker.
create or replace function private.kick_executor_for_started_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.kick_executor();
  return null;
end;
$$;
create trigger executions_kick_executor after update of status on public.executions
  for each row when (new.status = 'running' and old.status is distinct from 'running')
  execute function private.kick_executor_for_started_run();

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
-- One watchdog per minute, each watching the whole minute (see private.watch_executions), and one
-- as soon as the database starts: after a restart the minute job would wait for the next minute.
select cron.schedule('renum-watch-executions', '* * * * *', 'call private.watch_executions()');
select cron.schedule('renum-watch-executions-at-start', '@reboot', 'call private.watch_executions()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.claim_steps(text, integer, integer) to service_role;
grant execute on function private.renew_step_lease(uuid, text, integer, integer) to service_role;
grant execute on function private.complete_step(uuid, text, integer, text, bigint, bigint, integer, text) to service_role;
grant execute on function private.fail_step(uuid, text, integer, text, boolean, integer) to service_role;
grant execute on function private.decide_step_approval(uuid, text, text, text, uuid, text) to service_role;
grant execute on function private.reap_executions() to service_role;
grant execute on function private.advance_execution(uuid) to service_role;
grant execute on function private.kick_executor() to service_role;
grant execute on function private.rescue_stalled_runs() to service_role;
revoke all on procedure private.watch_executions(integer, numeric) from public;
