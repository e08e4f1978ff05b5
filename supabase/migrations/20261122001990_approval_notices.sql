-- approval notices (#18): when an agent's output starts waiting for approval, its approvers hear it
-- by e-mail (the `approval_requested` notification of 20261122001970; they are told live by the
-- run's events and the dashboard's "awaiting you" card already). The approvers are the company's
-- owners and admins (the rule's roles by default) and the members the team names in
-- config.approval.approvers who may still run teams (private.is_step_approver's rule, for people
-- other than the caller). A step enters waiting_approval once (from running, when its agent's
-- output is recorded) and holds no lease there, so a worker killed meanwhile sends no second notice.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: it runs in the engine's transaction (the service role) and reads
-- the memberships to address the notice.
--
-- After a step's status changes to waiting_approval: queue the notice for its approvers, with the
-- run, step, team and agent and when the wait times out. Raises nothing of its own.
create function private.notice_approval_requested()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  named uuid[];
  team_name text;
begin
  select coalesce(array_agg(m.user_id), '{}') into named
  from pg_catalog.jsonb_array_elements_text(coalesce(new.overrides #> '{approval,approvers}', '[]')) a(user_id)
  join public.memberships m on m.tenant_id = new.tenant_id and m.user_id::text = a.user_id
  where 'run_teams' = any (private.role_capabilities(m.role));
  select e.team_config ->> 'team_name' into team_name from public.executions e where e.id = new.execution_id;
  perform private.notify(new.tenant_id, 'approval_requested',
    pg_catalog.jsonb_build_object('execution_id', new.execution_id, 'step_id', new.id,
                                  'agent_name', new.agent_definition ->> 'name', 'team_name', team_name,
                                  'approval_due_at', new.approval_due_at),
    named);
  return null;
end;
$$;
comment on function private.notice_approval_requested() is
  'After-update trigger on execution_steps: the approval_requested notice to the step''s approvers. Internal.';

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger execution_steps_notice_approval_requested after update of status on public.execution_steps
  for each row when (new.status = 'waiting_approval' and old.status is distinct from 'waiting_approval')
  execute function private.notice_approval_requested();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.notice_approval_requested() from public, anon, authenticated;
