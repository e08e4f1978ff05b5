-- execution API: starting and stopping a team's run, and approving or rejecting an agent's output
-- that waits for a person — the ways a person changes executions.
-- After the engine and billing migrations, whose functions both call (admission, budget, waking
-- the tenant's waiting runs). Rules for who may read runs are in the executions migration.
--
-- Who may do what: owners, admins and members of the team's tenant start and stop runs; analysts
-- cannot. Approvers of a step (owners and admins, and the members its team agent names in
-- config.approval.approvers) approve or reject it. Who writes each table: start_execution() creates
-- an execution and its steps, stop_execution() marks one cancelled, approve_execution_step() and
-- reject_execution_step() decide a waiting step (API or direct; all security definer).

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
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'team not found';
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
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'execution not found';
  end if;
  if not (private.has_capability(run.tenant_id, 'run_teams') or private.is_trusted_caller()) then
    raise exception using errcode = '42501', constraint = 'executions_stop_by_builders', message = 'analysts can read runs but not stop them';
  end if;
  -- Locks in the engine's order, the run's open steps and then the run (claim_steps and
  -- complete_step hold a step, then update its run): the other order deadlocked with a worker
  -- claiming a step of this run at the same moment.
  perform 1 from public.execution_steps s
  where s.execution_id = run.id and s.status in ('pending', 'ready', 'running', 'waiting_approval')
  order by s.id
  for no key update;
  select * into run from public.executions e where e.id = run.id for no key update;
  if run.status not in ('pending', 'running', 'waiting_approval') then
    return run;
  end if;
  perform private.cancel_open_steps(run.id, 'the run was stopped', array['pending', 'ready', 'running', 'waiting_approval']::public.step_status[]);
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

-- True when the caller may decide a step with these overrides in this tenant: an owner or admin, or
-- a member named in overrides.approval.approvers whose role still may run teams. Called by
-- step_to_decide (security definer); GET /executions/:id/status says the same as `can_decide`.
create or replace function private.is_step_approver(target_tenant_id uuid, overrides jsonb)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.has_role(target_tenant_id, array['owner', 'admin']::public.member_role[])
      or (private.has_capability(target_tenant_id, 'run_teams')
          and coalesce(overrides #> '{approval,approvers}', '[]'::jsonb) ? (select auth.uid())::text);
$$;

/*
 * The checks both decisions share: the step is visible to the caller (P0002 not_found otherwise,
 * as for another company's run) and the caller is one of its approvers (42501
 * approval_not_approver) — or the service role. Returns the step.
 */
create or replace function private.step_to_decide(target_step_id uuid)
returns public.execution_steps
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  step public.execution_steps;
begin
  select * into step from public.execution_steps s where s.id = target_step_id;
  if step.id is null or not (private.is_member(step.tenant_id) or private.is_trusted_caller()) then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'execution step not found';
  end if;
  if not (private.is_trusted_caller() or private.is_step_approver(step.tenant_id, step.overrides)) then
    raise exception using errcode = '42501', constraint = 'approval_not_approver',
      message = 'only this agent''s approvers (owners, admins and the members the team names) can approve or reject its output',
      detail = pg_catalog.jsonb_build_object('step_id', step.id)::text;
  end if;
  perform private.assert_tenant_writable(step.tenant_id);
  return step;
end;
$$;

/*
 * Approves a step's output that waits for approval, optionally replacing it with `approved_output`
 * (1 to 200,000 characters, not blank): the next agents receive that text. Approvers only (see
 * step_to_decide); P0001 approval_not_waiting when it does not wait (any more); 22023
 * approval_output_invalid for an empty or oversized text. Returns the decided step.
 */
create or replace function public.approve_execution_step(target_step_id uuid, approved_output text default null)
returns public.execution_steps
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.step_to_decide(target_step_id);
  if approved_output is not null and (char_length(approved_output) > 200000 or btrim(approved_output, E' \t\r\n') = '') then
    raise exception using errcode = '22023', constraint = 'approval_output_invalid',
      message = 'the approved text must have between 1 and 200000 characters and not be blank',
      detail = '{"field": "output"}';
  end if;
  return private.decide_step_approval(target_step_id, 'approved', approved_output, null, (select auth.uid()),
    case when private.is_trusted_caller() then 'service_role' else 'authenticated' end);
end;
$$;

/*
 * Rejects a step's output that waits for approval, with a reason (1 to 2,000 characters, not
 * blank): the step fails, and the run stops or goes on by the team's continue-on-error setting.
 * Approvers only; P0001 approval_not_waiting; 22023 approval_reason_invalid.
 */
create or replace function public.reject_execution_step(target_step_id uuid, reason text)
returns public.execution_steps
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.step_to_decide(target_step_id);
  if reason is null or char_length(reason) > 2000 or btrim(reason, E' \t\r\n') = '' then
    raise exception using errcode = '22023', constraint = 'approval_reason_invalid',
      message = 'a rejection needs a reason of 1 to 2000 characters',
      detail = '{"field": "reason"}';
  end if;
  return private.decide_step_approval(target_step_id, 'rejected', null, reason, (select auth.uid()),
    case when private.is_trusted_caller() then 'service_role' else 'authenticated' end);
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function public.start_execution(uuid, text, jsonb) to authenticated, service_role;
grant execute on function public.stop_execution(uuid) to authenticated, service_role;
grant execute on function public.approve_execution_step(uuid, text) to authenticated, service_role;
grant execute on function public.reject_execution_step(uuid, text) to authenticated, service_role;
