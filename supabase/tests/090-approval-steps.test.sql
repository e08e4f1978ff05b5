-- Approval steps: a team agent marked `config.approval` leaves its output waiting for a person. The
-- run pauses in waiting_approval (no lease, no further cost, its deadline paused), approvers
-- approve, edit then approve, or reject with a reason; the next agents receive the approved text;
-- every decision is an event and an audit-log entry; timeouts follow the step's policy; a stop
-- while waiting cancels; and nothing runs twice.
--
-- Cast (tests.create_two_tenants): tenant A's owner_a, admin_a, member_a (named approver), analyst_a,
-- plus approver_less (a member who is not named); tenant B's member_b; anon; the service role as
-- the engine (worker-1 …); postgres standing in for the clock (deadlines and timeouts moved into
-- the past instead of waiting for them). Each scenario drives its run until nothing is ready, as
-- claim_steps hands out any ready step of any run.

begin;
set search_path to public, extensions, tests;

select plan(60);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.create_supabase_user('approver_less', 'approver.less@renum.test');
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('approver_less'), 'member');
update public.tenants set plan = 'enterprise' where id = tests.tenant_id('tenant-a');

create function pg_temp.events(prompt text) returns text[]
language sql stable security definer set search_path = ''
as $$
  select array_agg(e.event || coalesce(':' || (e.payload ->> 'status'), '') order by e.seq)
  from public.execution_events e where e.execution_id = tests.run_id(prompt)
$$;
create function pg_temp.step(prompt text, agent_name text) returns public.execution_steps
language sql stable security definer set search_path = ''
as $$ select s from public.execution_steps s where s.id = tests.step_id(prompt, agent_name) $$;
create function pg_temp.run(prompt text) returns public.executions
language sql stable security definer set search_path = ''
as $$ select e from public.executions e where e.id = tests.run_id(prompt) $$;
grant execute on function pg_temp.events(text), pg_temp.step(text, text), pg_temp.run(text) to anon, authenticated, service_role;

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Writer', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Editor', 'demo-small', 'active');
insert into public.teams (tenant_id, name, workflow_type, continue_on_error, timeout_seconds) values
  (tests.tenant_id('tenant-a'), 'Gated', 'pipeline', false, 600),
  (tests.tenant_id('tenant-a'), 'Rejects on timeout', 'pipeline', false, 600),
  (tests.tenant_id('tenant-a'), 'Approves on timeout', 'pipeline', false, 600),
  (tests.tenant_id('tenant-a'), 'Keeps waiting', 'pipeline', false, 600),
  (tests.tenant_id('tenant-a'), 'Checked', 'pipeline', false, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, config) values
  (tests.team_id('Gated'), tests.agent_id('Writer'), 'member', 1,
   jsonb_build_object('approval', jsonb_build_object('approvers', jsonb_build_array(tests.get_supabase_uid('member_a'))))),
  (tests.team_id('Gated'), tests.agent_id('Editor'), 'member', 2, '{}'),
  (tests.team_id('Rejects on timeout'), tests.agent_id('Writer'), 'member', 1, '{"approval": {"timeout_seconds": 60, "on_timeout": "reject"}}'),
  (tests.team_id('Rejects on timeout'), tests.agent_id('Editor'), 'member', 2, '{}'),
  (tests.team_id('Approves on timeout'), tests.agent_id('Writer'), 'member', 1, '{"approval": {"timeout_seconds": 60, "on_timeout": "approve"}}'),
  (tests.team_id('Approves on timeout'), tests.agent_id('Editor'), 'member', 2, '{}'),
  (tests.team_id('Keeps waiting'), tests.agent_id('Writer'), 'member', 1, '{"approval": {"timeout_seconds": 60, "on_timeout": "keep_waiting"}}'),
  (tests.team_id('Keeps waiting'), tests.agent_id('Editor'), 'member', 2, '{}'),
  (tests.team_id('Checked'), tests.agent_id('Writer'), 'member', 1, '{}');
set constraints all immediate;

-- ─── the team setting is checked by the database ─────────────────────────────────────────────
select is(
  tests.raised($$ update public.team_agents set config = '{"approval": {"approvers": [], "remind": true}}'
                  where team_id = tests.team_id('Checked') $$),
  jsonb_build_object('state', '22023', 'code', 'team_agent_approval_invalid',
    'detail', jsonb_build_object('agent_id', tests.agent_id('Writer'), 'field', 'config.approval.remind')),
  'an unknown approval setting is refused, naming the field'
);
select is(
  tests.raised(format($$ update public.team_agents set config = '{"approval": {"approvers": ["%s"]}}'
                  where team_id = tests.team_id('Checked') $$, tests.get_supabase_uid('member_b'))) -> 'detail' ->> 'field',
  'config.approval.approvers',
  'a person of another company cannot be named approver'
);
select is(
  tests.error_code(format($$ update public.team_agents set config = '{"approval": {"approvers": ["%s"]}}'
                  where team_id = tests.team_id('Checked') $$, tests.get_supabase_uid('analyst_a'))),
  'team_agent_approval_invalid',
  'an analyst cannot be named approver (analysts cannot decide)'
);
select is(
  tests.error_code($$ update public.team_agents set config = '{"approval": {"on_timeout": "approve"}}'
                  where team_id = tests.team_id('Checked') $$),
  'team_agent_approval_invalid',
  'a timeout policy needs a timeout'
);
select is(
  tests.error_code($$ update public.team_agents set config = '{"approval": {"timeout_seconds": 10}}'
                  where team_id = tests.team_id('Checked') $$),
  'team_agent_approval_invalid',
  'an approval timeout under a minute is refused'
);
select is(
  tests.error_code($$ update public.team_agents set config = '{"approval": {"on_timeout": "maybe", "timeout_seconds": 60}}'
                  where team_id = tests.team_id('Checked') $$),
  'team_agent_approval_invalid',
  'an unknown timeout policy is refused'
);
select lives_ok(
  $$ update public.team_agents set config = '{"approval": {}}' where team_id = tests.team_id('Checked') $$,
  'an empty approval object means owners and admins approve, with no timeout'
);

-- ─── approve: the run waits, then goes on with the approved text ─────────────────────────────
select public.start_execution(tests.team_id('Gated'), 'Approve me');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5)), 1, 'the writer is claimed');
select ok(private.complete_step(tests.step_id('Approve me', 'Writer'), 'worker-1', 1, 'Draft one', 100, 50, 10),
  'the writer''s result is recorded');
select is(
  (select row(s.status, s.output, s.lease_owner, s.lease_expires_at, s.approval_due_at)::text from pg_temp.step('Approve me', 'Writer') s),
  row('waiting_approval', 'Draft one', null, null, null)::text,
  'the writer''s output waits for approval, with no lease held and no timeout'
);
select is(
  (select row(e.status, e.approval_waiting_since is not null)::text from pg_temp.run('Approve me') e),
  row('waiting_approval', true)::text,
  'with nothing else able to move, the run waits for approval'
);
select is((pg_temp.step('Approve me', 'Editor')).status, 'pending'::public.step_status, 'the editor waits for the decision');
select is_empty($$ select * from private.claim_steps('worker-2', 5) $$, 'nothing of a waiting run can be claimed');
select is(
  (select count(*)::int from public.usage_ledger l where l.step_id = tests.step_id('Approve me', 'Writer')),
  1,
  'the writer''s provider call is paid for once, when it answered'
);
select is(
  (pg_temp.events('Approve me'))[array_length(pg_temp.events('Approve me'), 1) - 2:],
  array['agent_status_update:waiting_approval', 'progress_update', 'status_update:waiting_approval'],
  'the wait is announced: the step, the progress, then the run'
);
select is(
  (select e.payload ->> 'proposed_output' from public.execution_events e
   where e.execution_id = tests.run_id('Approve me') and e.payload ->> 'status' = 'waiting_approval' and e.step_id is not null),
  'Draft one',
  'the live event carries the output to decide on'
);

-- The run's deadline is paused: pretend it waited ten minutes, past its old deadline.
reset role;
update public.executions set deadline_at = now() - interval '1 second', approval_waiting_since = now() - interval '10 minutes'
where id = tests.run_id('Approve me');
select tests.authenticate_as_service_role();
select private.reap_executions();
select is((pg_temp.run('Approve me')).status, 'waiting_approval'::public.execution_status,
  'the reaper leaves a waiting run alone, past its old deadline');

-- Who may decide.
select tests.authenticate_as('approver_less');
select is(
  tests.raised($$ select public.approve_execution_step(tests.step_id('Approve me', 'Writer')) $$),
  jsonb_build_object('state', '42501', 'code', 'approval_not_approver', 'detail', jsonb_build_object('step_id', tests.step_id('Approve me', 'Writer'))),
  'a member who is not an approver gets a clear refusal'
);
select tests.authenticate_as('analyst_a');
select is(tests.error_code($$ select public.reject_execution_step(tests.step_id('Approve me', 'Writer'), 'no') $$),
  'approval_not_approver', 'an analyst cannot reject');
select tests.authenticate_as('member_b');
select is(tests.raised($$ select public.approve_execution_step(tests.step_id('Approve me', 'Writer')) $$) ->> 'state',
  'P0002', 'a member of another company does not see the step');
select tests.authenticate_as('platform_admin');
select is(tests.raised($$ select public.approve_execution_step(tests.step_id('Approve me', 'Writer')) $$) ->> 'state',
  'P0002', 'a platform admin outside the company cannot decide');
select tests.clear_authentication();
select throws_ok($$ select public.approve_execution_step(tests.step_id('Approve me', 'Writer')) $$,
  '42501', null, 'anon cannot decide');
select tests.authenticate_as('approver_less');
select is((pg_temp.step('Approve me', 'Writer')).status, 'waiting_approval'::public.step_status, 'the refusals changed nothing');

select tests.authenticate_as('member_a');
select is((public.approve_execution_step(tests.step_id('Approve me', 'Writer'))).status, 'succeeded'::public.step_status,
  'the named member approves');
select is(
  (select row(s.status, s.output, s.proposed_output, s.approval_decision, s.approval_decided_by = tests.get_supabase_uid('member_a'),
              s.attempt_count)::text from pg_temp.step('Approve me', 'Writer') s),
  row('succeeded', 'Draft one', null, 'approved', true, 1)::text,
  'the writer succeeded as written, decided by member_a, run once'
);
select is(
  (select row(e.status, e.approval_waiting_since, e.deadline_at > now() + interval '9 minutes')::text from pg_temp.run('Approve me') e),
  row('running', null, true)::text,
  'the run resumes, its deadline moved on by the ten minutes it waited'
);
select is(
  (select row(s.status, s.resolved_input)::text from pg_temp.step('Approve me', 'Editor') s),
  row('ready', 'Draft one')::text,
  'the editor receives the approved text'
);
select is(
  (select array_agg(e.payload #>> '{approval,decision}') from public.execution_events e
   where e.execution_id = tests.run_id('Approve me') and e.payload ? 'approval'),
  array['approved'],
  'the decision is in the event log'
);
select is(tests.error_code($$ select public.approve_execution_step(tests.step_id('Approve me', 'Writer')) $$),
  'approval_not_waiting', 'a step cannot be decided twice');
select tests.authenticate_as_service_role();
select is(
  (select row(l.actor_id = tests.get_supabase_uid('member_a'), l.action, l.before ->> 'status', l.after ->> 'approval_decision')::text
   from public.audit_log l where l.table_name = 'execution_steps' and l.record_id = tests.step_id('Approve me', 'Writer')::text),
  row(true, 'update', 'waiting_approval', 'approved')::text,
  'the decision is in the audit log, by who made it'
);
-- A worker that died while the run waited held nothing: the old attempt cannot land twice, and
-- only the editor is there to claim.
select is(private.complete_step(tests.step_id('Approve me', 'Writer'), 'worker-1', 1, 'Draft one again', 1, 1, 1), false,
  'the writer''s old attempt cannot record a second result');
select is(
  (select array_agg(c.agent_id) from private.claim_steps('worker-3', 5) c),
  array[tests.agent_id('Editor')],
  'after approval only the next agent is claimed: the approved step does not run again'
);
select ok(private.complete_step(tests.step_id('Approve me', 'Editor'), 'worker-3', 1, 'Edited', 1, 1, 1), 'the editor finishes');
select is(
  (select row(e.status, e.final_result ->> 'summary')::text from pg_temp.run('Approve me') e),
  row('completed', 'Edited')::text,
  'the run completes'
);

-- ─── edit before approving ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Gated'), 'Edit me');
select tests.authenticate_as_service_role();
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Edit me', 'Writer'), 'worker-1', 1, 'Draft with a typo', 1, 1, 1);
select tests.authenticate_as('owner_a');
select is(tests.error_code($$ select public.approve_execution_step(tests.step_id('Edit me', 'Writer'), '   ') $$),
  'approval_output_invalid', 'a blank edit is refused');
select is(
  (select row(s.status, s.output, s.proposed_output)::text from public.approve_execution_step(tests.step_id('Edit me', 'Writer'), 'Draft without typo') s),
  row('succeeded', 'Draft without typo', 'Draft with a typo')::text,
  'an owner (not named) edits and approves: the agent''s text is kept beside the approved one'
);
select is((pg_temp.step('Edit me', 'Editor')).resolved_input, 'Draft without typo', 'the editor receives the edited text');
select is((pg_temp.run('Edit me')).shared_context #>> array['agent_results', tests.agent_id('Writer')::text], 'Draft without typo',
  'conditions and inputs read the edited text too');
select is(
  (select (e.payload #>> '{approval,edited}')::boolean from public.execution_events e
   where e.execution_id = tests.run_id('Edit me') and e.payload ? 'approval'),
  true,
  'the event says the output was edited'
);
select tests.authenticate_as_service_role();
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Edit me', 'Editor'), 'worker-1', 1, 'Done', 1, 1, 1);

-- ─── reject with a reason ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Gated'), 'Reject me');
select tests.authenticate_as_service_role();
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Reject me', 'Writer'), 'worker-1', 1, 'Bad draft', 1, 1, 1);
select tests.authenticate_as('admin_a');
select is(tests.error_code($$ select public.reject_execution_step(tests.step_id('Reject me', 'Writer'), ' ') $$),
  'approval_reason_invalid', 'a rejection without a reason is refused');
select is(tests.error_code(format($$ select public.reject_execution_step(tests.step_id('Reject me', 'Writer'), '%s') $$, repeat('x', 2001))),
  'approval_reason_invalid', 'a reason over 2000 characters is refused');
select is((public.reject_execution_step(tests.step_id('Reject me', 'Writer'), 'Off brand')).status, 'failed'::public.step_status,
  'an admin rejects with a reason');
select is(
  (select row(s.error_message, s.approval_decision, s.approval_reason)::text from pg_temp.step('Reject me', 'Writer') s),
  row('rejected: Off brand', 'rejected', 'Off brand')::text,
  'the step failed with the reason'
);
select is(
  (select row(e.status, (select s.status from public.execution_steps s where s.id = tests.step_id('Reject me', 'Editor')))::text
   from pg_temp.run('Reject me') e),
  row('failed', 'cancelled')::text,
  'the team stops on errors: the run fails and the editor never runs'
);

-- ─── timeouts: each policy ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Rejects on timeout'), 'Too slow, reject');
select public.start_execution(tests.team_id('Approves on timeout'), 'Too slow, approve');
select public.start_execution(tests.team_id('Keeps waiting'), 'Too slow, wait');
select tests.authenticate_as_service_role();
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Too slow, reject', 'Writer'), 'worker-1', 1, 'R', 1, 1, 1);
select private.complete_step(tests.step_id('Too slow, approve', 'Writer'), 'worker-1', 1, 'A', 1, 1, 1);
select private.complete_step(tests.step_id('Too slow, wait', 'Writer'), 'worker-1', 1, 'W', 1, 1, 1);
select is(
  (select (s.approval_due_at = now() + interval '60 seconds') from pg_temp.step('Too slow, reject', 'Writer') s),
  true,
  'a step with a timeout waits until timeout_seconds after it answered'
);
select private.reap_executions();
select is((pg_temp.step('Too slow, reject', 'Writer')).status, 'waiting_approval'::public.step_status, 'nothing happens before the timeout');
reset role;
update public.execution_steps set approval_due_at = now() - interval '1 second'
where id in (tests.step_id('Too slow, reject', 'Writer'), tests.step_id('Too slow, approve', 'Writer'), tests.step_id('Too slow, wait', 'Writer'));
select tests.authenticate_as_service_role();
select is(private.reap_executions(), 3, 'the reaper handles the three timed-out approvals');
select is(
  (select row(s.status, s.approval_decision, s.approval_decided_by, (pg_temp.run('Too slow, reject')).status)::text
   from pg_temp.step('Too slow, reject', 'Writer') s),
  row('failed', 'rejected', null, 'failed')::text,
  'reject on timeout: the step is rejected by nobody and the run fails'
);
select is(
  (select row(s.status, s.approval_decision, (pg_temp.run('Too slow, approve')).status,
              (pg_temp.step('Too slow, approve', 'Editor')).status)::text
   from pg_temp.step('Too slow, approve', 'Writer') s),
  row('succeeded', 'approved', 'running', 'ready')::text,
  'approve on timeout: the step is approved and the next agent is ready'
);
select is(
  (select row(s.status, s.approval_due_at, (pg_temp.run('Too slow, wait')).status)::text from pg_temp.step('Too slow, wait', 'Writer') s),
  row('waiting_approval', null, 'waiting_approval')::text,
  'keep waiting on timeout: still waiting, with no timeout left'
);
select is(
  (select count(*)::int from public.execution_events e where e.execution_id = tests.run_id('Too slow, wait') and e.payload ? 'approval_timed_out'),
  1,
  'keep waiting says once that the time passed'
);
select is(
  (select l.actor_role from public.audit_log l where l.record_id = tests.step_id('Too slow, approve', 'Writer')::text),
  'timeout',
  'a timeout''s decision is audited as the timeout''s'
);
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Too slow, approve', 'Editor'), 'worker-1', 1, 'Done', 1, 1, 1);

-- ─── cancel while waiting ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((public.stop_execution(tests.run_id('Too slow, wait'))).status, 'cancelled'::public.execution_status,
  'a member stops a run that waits for approval');
select is(
  (select array_agg(s.status order by s.position) from public.execution_steps s where s.execution_id = tests.run_id('Too slow, wait')),
  array['cancelled', 'cancelled']::public.step_status[],
  'the waiting step and the one after it are cancelled'
);
select tests.authenticate_as('owner_a');
select is(tests.error_code($$ select public.approve_execution_step(tests.step_id('Too slow, wait', 'Writer')) $$),
  'approval_not_waiting', 'a stopped run''s step can no longer be approved');

-- ─── a run that waits does not hold a slot, but its steps stay reserved ──────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Gated'), 'Hold the budget');
select tests.authenticate_as_service_role();
select count(*) from private.claim_steps('worker-1', 5);
select private.complete_step(tests.step_id('Hold the budget', 'Writer'), 'worker-1', 1, 'Draft', 1, 1, 1);
select is(
  (select count(*)::int from public.executions e where e.tenant_id = tests.tenant_id('tenant-a') and e.status = 'running'),
  0,
  'a waiting run is not running: it takes no slot of the plan'
);
reset role;
insert into public.model_prices (provider, model, input_usd_per_million, output_usd_per_million, effective_from)
values ('demo', 'approval-priced', 1, 1000, now() - interval '1 day');
update public.execution_steps set agent_definition = agent_definition || '{"max_tokens": 1000, "model": "approval-priced", "provider": "demo"}'
where id = tests.step_id('Hold the budget', 'Editor');
select ok(private.tenant_reserved_usd(tests.tenant_id('tenant-a')) > 0, 'what the waiting run may still spend stays reserved');
select tests.authenticate_as('member_a');
select is(
  (select count(*)::int from public.executions e where e.status = 'waiting_approval'),
  1,
  'members read waiting runs like any other'
);
select tests.authenticate_as('member_b');
select is(
  (select count(*)::int from public.executions e where e.status = 'waiting_approval'),
  0,
  'another company sees none'
);
select tests.authenticate_as('owner_a');
select throws_ok($$ delete from public.teams where id = tests.team_id('Gated') $$, 'P0001', null,
  'a team whose run waits for approval cannot be deleted');

select * from finish();
rollback;
