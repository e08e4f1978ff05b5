-- The executor watchdog: what brings a fresh worker within seconds when the one holding a step
-- died (kill -9, a crashed function instance) and nothing else happens. private.rescue_stalled_runs
-- reaps expired leases and kicks the executor (pg_net) only when a step is claimable and no worker
-- took it; private.heartbeat repeats that every second, started each minute by pg_cron.
--
-- Cast: tenant A (member_a starts the runs), the service role as the engine (workers worker-1,
-- worker-2), and postgres standing in for the clock (leases and retries moved instead of waited for).
-- Like 085, the checks see every run in the database, so each scenario leaves nothing claimable.

begin;
set search_path to public, extensions, tests;

select plan(18);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_supabase_user('owner_a', 'owner.a@renum.test');
select tests.create_supabase_user('member_a', 'member.a@renum.test');
select tests.authenticate_as('owner_a');
select public.create_tenant('Tenant A', 'tenant-a');

select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('member_a'), 'member');
update public.tenants set plan = 'enterprise' where id = tests.tenant_id('tenant-a');

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Agent 1', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Agent 2', 'demo-small', 'active');
insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, continue_on_error, timeout_seconds) values
  (tests.tenant_id('tenant-a'), 'Solo team', 'sequential', 5, false, 600),
  (tests.tenant_id('tenant-a'), 'Narrow team', 'parallel', 1, false, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions) values
  (tests.team_id('Solo team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Narrow team'), tests.agent_id('Agent 1'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Narrow team'), tests.agent_id('Agent 2'), 'member', 1, '{"source": "initial_prompt"}', '[]');

-- The kicks this file queues: pg_net requests to the executor made after this point.
reset role;
create temporary table kicks_before as select coalesce(max(id), 0) as last_id from net.http_request_queue;
grant select on kicks_before to service_role;
create function pg_temp.kicks_since_setup() returns bigint
language sql stable security definer set search_path = ''
as $$
  select count(*) from net.http_request_queue q, pg_temp.kicks_before b
  where q.id > b.last_id and q.url like '%/executor/run'
$$;
grant execute on function pg_temp.kicks_since_setup() to service_role;

-- ─── who may call it ─────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select private.rescue_stalled_runs() $$,
  '42501', null,
  'a signed-in user cannot run the watchdog pass'
);
reset role;
select ok(
  not has_function_privilege('authenticated', 'private.rescue_stalled_runs()', 'execute')
    and not has_function_privilege('anon', 'private.rescue_stalled_runs()', 'execute')
    and has_function_privilege('service_role', 'private.rescue_stalled_runs()', 'execute'),
  'only the service role may run a watchdog pass'
);
select ok(
  not has_function_privilege('authenticated', 'private.heartbeat(integer, numeric)', 'execute')
    and not has_function_privilege('anon', 'private.heartbeat(integer, numeric)', 'execute')
    and not has_function_privilege('service_role', 'private.heartbeat(integer, numeric)', 'execute'),
  'the heartbeat procedure is its owner''s (pg_cron runs it as postgres)'
);
select ok(
  exists (select from cron.job where jobname = 'renum-heartbeat' and schedule = '* * * * *'
          and command = 'call private.heartbeat()' and active)
    and exists (select from cron.job where jobname = 'renum-heartbeat-at-start' and schedule = '@reboot'
                and command = 'call private.heartbeat()' and active)
    and not exists (select from cron.job where jobname in ('renum-kick-executor', 'renum-reap-executions')),
  'pg_cron starts the heartbeat every minute and when the database starts, in place of a minute reaper and a minute kick'
);
select ok(
  not exists (select from cron.job where jobname like 'renum-watch-%')
    and (select count(*) from cron.job where command like 'call private.heartbeat%') = 2,
  'one heartbeat holds a pg_cron slot for the minute, not one watchdog per queue (pg_cron 1.4 runs 5 jobs at once)'
);

-- ─── a live worker: nothing to rescue ────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Solo team'), 'Crash run');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5, 8)), 1, 'worker-1 claims the step with a short lease');
reset role;
truncate pg_temp.kicks_before;
insert into pg_temp.kicks_before select coalesce(max(id), 0) from net.http_request_queue;
select tests.authenticate_as_service_role();
select is(private.rescue_stalled_runs(), null, 'while the lease is live, the watchdog neither reaps nor kicks');
select is(pg_temp.kicks_since_setup(), 0::bigint, 'no request reaches the executor');

-- ─── the worker died: its lease ran out ──────────────────────────────────────────────────────
reset role;
update public.execution_steps set lease_expires_at = now() - interval '1 second' where id = tests.step_id('Crash run', 'Agent 1');
select tests.authenticate_as_service_role();
select isnt(private.rescue_stalled_runs(), null, 'once the lease ran out, the watchdog kicks the executor');
select is(pg_temp.kicks_since_setup(), 1::bigint, 'one request to /executor/run is queued');
select is(
  (select row(status, attempt_count, lease_owner)::text from public.execution_steps where id = tests.step_id('Crash run', 'Agent 1')),
  row('ready', 1, null)::text,
  'and the step is back to ready for the worker it wakes'
);
select is(
  (select payload ->> 'reason' from public.execution_events
   where execution_id = tests.run_id('Crash run') and event = 'agent_status_update' order by seq desc limit 1),
  'the worker stopped answering; retrying',
  'the event log says why the step is ready again'
);
select is(
  (select array_agg(attempt) from private.claim_steps('worker-2', 5, 8)),
  array[2],
  'the new worker claims it at attempt 2'
);
select ok(private.complete_step(tests.step_id('Crash run', 'Agent 1'), 'worker-2', 2, 'survived', 10, 10, 10), 'and records its result');

-- ─── a retry not yet due, and a run at its parallel limit: no kick ───────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Narrow team'), 'Narrow run');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5, 8)), 1, 'a run limited to one agent at a time hands out one step');
reset role;
truncate pg_temp.kicks_before;
insert into pg_temp.kicks_before select coalesce(max(id), 0) from net.http_request_queue;
select tests.authenticate_as_service_role();
select is(private.rescue_stalled_runs(), null, 'its other ready step waits for the limit, not for a worker: no kick');

select ok(
  private.fail_step((select s.id from public.execution_steps s where s.execution_id = tests.run_id('Narrow run') and s.status = 'running'),
                    'worker-1', 1, 'rate limited', true, 60000),
  'the running step fails, to be retried in a minute'
);
select isnt(private.rescue_stalled_runs(), null, 'the other step is claimable now and nobody took it: a kick');

select * from finish();
rollback;
