-- Analytics views: each materialized view's numbers against hand-computed fixtures (and again after
-- new data and a refresh), the refresh log and freshness on success and failure, which views are
-- due, a refresh that never blocks readers, and who reads what through the API functions: every
-- member of a company reads exactly its rows, another company's member none, anon nothing, the
-- service role any company's, a platform admin none (they use the audited admin panel), and nobody
-- signed in reads the materialized views themselves.
--
-- Fixtures (written as the engine would, directly): tenant A's team Alpha (Planner, Writer) on
-- 2026-11-10: run 1 completed in 2 s (Writer needed 2 attempts), run 2 failed at its deadline
-- after 10 s (Planner used 3 attempts; Writer cancelled by the time limit), run 3 cancelled after
-- 4 s. Tenant B: one completed run. Inbox consumption rows in November and December.
begin;
set search_path to public, extensions, tests;

select plan(47);

select tests.create_two_tenants();
select tests.authenticate_as('owner_a');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select tests.authenticate_as('owner_b');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
select tests.clear_authentication();
reset role;

insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Planner', 'demo-large', 'active'),
  (tests.tenant_id('tenant-a'), 'Writer', 'demo-small', 'active'),
  (tests.tenant_id('tenant-b'), 'B Agent', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Alpha'), (tests.tenant_id('tenant-b'), 'Beta');

create function pg_temp.run(tenant text, team text, prompt text, status execution_status, started timestamptz, seconds integer,
                            in_tokens bigint, out_tokens bigint, cost numeric, timed_out boolean default false) returns uuid
language sql as $$
  insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, input_tokens, output_tokens,
                                 cost_usd, created_at, started_at, finished_at, deadline_at)
  values (tests.tenant_id(tenant), tests.team_id(team), status, 'sequential', prompt, '{"timeout_seconds": 10}', in_tokens, out_tokens,
          cost, started, started, started + make_interval(secs => seconds),
          started + case when timed_out then make_interval(secs => seconds) else interval '1 hour' end)
  returning id
$$;
create function pg_temp.step(prompt text, agent text, pos integer, new_status step_status, attempts integer, latency integer,
                             in_tokens bigint, out_tokens bigint, cost numeric, reason text default null) returns uuid
language sql as $$
  insert into public.execution_steps (execution_id, tenant_id, agent_id, agent_version, agent_definition, role, position, input_spec,
                                      conditions, overrides, status, attempt_count, latency_ms, input_tokens, output_tokens, cost_usd,
                                      skip_reason, created_at)
  select e.id, e.tenant_id, tests.agent_id(agent), 1, '{}', 'member', pos, '{}', '[]', '{}', new_status, attempts, latency,
         in_tokens, out_tokens, cost, reason, e.created_at
  from public.executions e where e.initial_prompt = prompt
  returning id
$$;
create function pg_temp.ledger(step uuid) returns void
language sql as $$
  insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                   input_usd_per_million, output_usd_per_million, cost_usd, recorded_at)
  select s.tenant_id, s.execution_id, s.id, s.agent_id, 'demo', 'demo-small', s.input_tokens, s.output_tokens, 1, 1, s.cost_usd,
         s.created_at + interval '1 second'
  from public.execution_steps s where s.id = step
$$;
create function pg_temp.refresh_all() returns text[]
language sql as $$
  select array_agg(analytics.refresh(view_name) order by view_name) from analytics.refresh_schedule
$$;
-- One row of a view, as text, or the count of rows an actor gets from an API function.
create function pg_temp.team_row(tenant text, team text) returns text
language sql as $$
  select row(runs, succeeded, failed, cancelled, success_rate, duration_p50_ms, duration_p95_ms, input_tokens, output_tokens,
             cost_usd, cost_per_run_usd, retries, timeouts)::text
  from analytics.team_performance_daily where tenant_id = tests.tenant_id(tenant) and team_id = tests.team_id(team)
$$;
create function pg_temp.agent_row(agent text) returns text
language sql as $$
  select row(runs, succeeded, failed, success_rate, duration_p50_ms, duration_p95_ms, input_tokens, output_tokens,
             cost_usd, cost_per_run_usd, retries, timeouts)::text
  from analytics.agent_performance_daily where agent_id = tests.agent_id(agent)
$$;

select pg_temp.run('tenant-a', 'Alpha', 'run 1', 'completed', '2026-11-10 10:00:00+00', 2, 100, 50, 0.010);
select pg_temp.ledger(pg_temp.step('run 1', 'Planner', 1, 'succeeded', 1, 800, 60, 30, 0.006));
select pg_temp.ledger(pg_temp.step('run 1', 'Writer', 2, 'succeeded', 2, 1200, 40, 20, 0.004));
select pg_temp.run('tenant-a', 'Alpha', 'run 2', 'failed', '2026-11-10 11:00:00+00', 10, 10, 0, 0.002, true);
select pg_temp.ledger(pg_temp.step('run 2', 'Planner', 1, 'failed', 3, 400, 10, 0, 0.002));
select pg_temp.step('run 2', 'Writer', 2, 'cancelled', 0, null, 0, 0, 0, 'the run passed its time limit');
select pg_temp.run('tenant-a', 'Alpha', 'run 3', 'cancelled', '2026-11-10 12:00:00+00', 4, 0, 0, 0);
select pg_temp.step('run 3', 'Planner', 1, 'cancelled', 0, null, 0, 0, 0, 'stopped by a person');
select pg_temp.run('tenant-b', 'Beta', 'run b', 'completed', '2026-11-10 09:00:00+00', 1, 5, 5, 0.001);
select pg_temp.ledger(pg_temp.step('run b', 'B Agent', 1, 'succeeded', 1, 500, 5, 5, 0.001));

insert into public.consumption_inbox_daily (tenant_id, inbox_id, day, messages_in, messages_out, conversations_started, input_tokens, output_tokens, cost_usd)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), '2026-11-03', 10, 5, 2, 100, 200, 0.5),
       (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), '2026-11-20', 4, 6, 1, 0, 0, 0),
       (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), '2026-11-21', 0, 0, 0, 0, 0, 0),
       (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), '2026-12-01', 1, 0, 1, 0, 0, 0),
       (tests.tenant_id('tenant-b'), tests.inbox_id('Line B'), '2026-11-05', 7, 0, 3, 0, 0, 0);

-- ─── refresh, log, freshness ─────────────────────────────────────────────────────────────────
-- The log so far (pg_cron may have refreshed the views before this file ran).
create temporary table logged_before as select coalesce(max(id), 0) as id from analytics.refresh_log;
select is(pg_temp.refresh_all(), array[null, null, null, null, null, null]::text[], 'every view refreshes concurrently without error');
select is((select count(*)::int from analytics.refresh_log where id > (select id from logged_before) and error_message is null and requested_by = 'schedule'
           and duration_ms >= 0 and finished_at >= started_at), 6, 'each refresh is logged with its duration');
select is((select count(*)::int from analytics.freshness where refreshed_at is not null and last_error is null), 6,
  'freshness says when each view was refreshed');
select is((select count(*)::int from analytics.due_views()), 0, 'a view just refreshed is not due');
update analytics.refresh_log set started_at = started_at - interval '16 minutes' where view_name = 'team_performance_daily';
select is(array(select analytics.due_views()), array['team_performance_daily'], 'a view whose last attempt is older than its interval is due');
select is(analytics.refresh_due_views(), 1, 'the job refreshes the one due view');
select is((select count(*)::int from analytics.due_views()), 0, 'and then nothing is due');
select is((select count(*)::int from cron.job where jobname = 'renum-refresh-analytics-views' and command = 'select analytics.refresh_due_views()'
           and schedule = '* * * * *'), 1, 'pg_cron looks for due views every minute');

-- ─── team and agent performance ──────────────────────────────────────────────────────────────
select is(pg_temp.team_row('tenant-a', 'Alpha'),
  '(3,1,1,1,0.5000,4000.0,9400.0,110,50,0.012000,0.004000,3,1)',
  'Alpha on 2026-11-10: 3 runs, 1 of 2 finished succeeded, p50 4 s, p95 9.4 s, tokens, cost per run, 3 retries, 1 timeout');
select is((select day from analytics.team_performance_daily where team_id = tests.team_id('Alpha')), '2026-11-10'::date, 'rows are by UTC day');
select is(pg_temp.agent_row('Planner'), '(2,1,1,0.5000,600.0,780.0,70,30,0.008000,0.004000,2,0)',
  'Planner: 2 steps ran (the cancelled one did not), latency p50 600 ms, p95 780 ms, 2 retries');
select is(pg_temp.agent_row('Writer'), '(1,1,0,1.0000,1200.0,1200.0,40,20,0.004000,0.004000,1,1)',
  'Writer: 1 step ran after a retry, and one was cut by the run''s time limit');
select is(pg_temp.team_row('tenant-b', 'Beta'), '(1,1,0,0,1.0000,1000.0,1000.0,5,5,0.001000,0.001000,0,0)', 'tenant B''s own row');

-- ─── consumption ─────────────────────────────────────────────────────────────────────────────
select is((select array_agg(row(month, messages_in, messages_out, conversations_started, input_tokens, output_tokens, cost_usd, active_days)::text order by month)
           from analytics.inbox_consumption_monthly where inbox_id = tests.inbox_id('Line A')),
  array['(2026-11-01,14,11,3,100,200,0.500000,2)', '(2026-12-01,1,0,1,0,0,0.000000,1)'],
  'Line A by month: November sums three days (two with traffic), December its own');
select is((select array_agg(row(steps, runs, input_tokens, output_tokens, cost_usd)::text order by agent_id = tests.agent_id('Writer'))
           from analytics.agent_consumption_monthly where tenant_id = tests.tenant_id('tenant-a') and month = '2026-11-01'),
  array['(2,2,70,30,0.008000)', '(1,1,40,20,0.004000)'], 'agents by month from the ledger: Planner, then Writer');

-- ─── after new data, a refresh shows it ──────────────────────────────────────────────────────
select pg_temp.run('tenant-a', 'Alpha', 'run 4', 'completed', '2026-11-10 13:00:00+00', 6, 20, 20, 0.004);
select pg_temp.ledger(pg_temp.step('run 4', 'Writer', 1, 'succeeded', 1, 1000, 20, 20, 0.004));
select is(pg_temp.team_row('tenant-a', 'Alpha'), '(3,1,1,1,0.5000,4000.0,9400.0,110,50,0.012000,0.004000,3,1)',
  'new runs wait for the next refresh');
select is(analytics.refresh('team_performance_daily'), null, 'the next refresh succeeds');
select is(pg_temp.team_row('tenant-a', 'Alpha'), '(4,2,1,1,0.6667,5000.0,9400.0,130,70,0.016000,0.004000,3,1)',
  'and the row now counts run 4 (p50 of 2, 4, 6, 10 s is 5 s)');
select is(analytics.refresh('agent_consumption_monthly'), null, 'agent consumption refreshes too');
select is((select row(steps, runs, cost_usd)::text from analytics.agent_consumption_monthly where agent_id = tests.agent_id('Writer')),
  '(2,2,0.008000)', 'and counts the new step');

-- ─── a refresh never blocks readers ──────────────────────────────────────────────────────────
-- `concurrently` takes an exclusive lock, which conflicts with writers but not with readers'
-- access share lock; a plain refresh would take access exclusive and block every select.
select is((select array_agg(distinct mode order by mode) from pg_locks
           where relation = 'analytics.team_performance_daily'::regclass and granted and pid = pg_backend_pid()
             and mode in ('ExclusiveLock', 'AccessExclusiveLock')),
  array['ExclusiveLock'], 'the refresh held an exclusive lock, never access exclusive');
select is((select count(*)::int from analytics.team_performance_daily), 2, 'and this session still reads the view');

-- ─── failures are logged, not raised ─────────────────────────────────────────────────────────
insert into analytics.refresh_schedule (view_name) values ('not_a_view');
select matches(analytics.refresh('not_a_view'), 'not_a_view', 'a broken view''s refresh returns its error');
select ok((select last_error is not null and refreshed_at is null from analytics.freshness where view_name = 'not_a_view'),
  'freshness shows the failure and no successful refresh');
select is(tests.raised($$ select analytics.refresh('nobody') $$), '{"state": "P0002", "code": "analytics_view_unknown", "detail": null}'::jsonb,
  'refreshing a view not in the schedule: analytics_view_unknown');
delete from analytics.refresh_schedule where view_name = 'not_a_view';

-- ─── who reads what ──────────────────────────────────────────────────────────────────────────
create function pg_temp.rows_seen(tenant text) returns text
language sql as $$
  select format('%s/%s/%s/%s',
    (select count(*) from public.analytics_team_performance(tests.tenant_id(tenant))),
    (select count(*) from public.analytics_agent_performance(tests.tenant_id(tenant), '2026-11-01', '2026-11-30')),
    (select count(*) from public.analytics_inbox_consumption(tests.tenant_id(tenant))),
    (select count(*) from public.analytics_agent_consumption(tests.tenant_id(tenant), '2026-11-15', '2026-11-15')))
$$;
grant execute on function pg_temp.rows_seen(text) to anon, authenticated, service_role;
-- Tenant A: 1 team-day, 2 agent-days, 2 inbox-months, 2 agent-months; tenant B: 1 of each.
select tests.authenticate_as('owner_a');
select is(pg_temp.rows_seen('tenant-a'), '1/2/2/2', 'an owner reads every view of the company');
select is(pg_temp.rows_seen('tenant-b'), '0/0/0/0', 'and nothing of another company');
select tests.authenticate_as('admin_a');
select is(pg_temp.rows_seen('tenant-a'), '1/2/2/2', 'an admin reads the company''s rows');
select tests.authenticate_as('member_a');
select is(pg_temp.rows_seen('tenant-a'), '1/2/2/2', 'a member reads the company''s rows');
select is(pg_temp.rows_seen('tenant-b'), '0/0/0/0', 'and nothing of another company');
select tests.authenticate_as('analyst_a');
select is(pg_temp.rows_seen('tenant-a'), '1/2/2/2', 'an analyst reads the company''s rows');
select is(pg_temp.rows_seen('tenant-b'), '0/0/0/0', 'and nothing of another company');
select throws_ok($$ select * from analytics.team_performance_daily $$, '42501', null, 'no one signed in reads a materialized view directly');
select throws_ok($$ select analytics.refresh('team_performance_daily') $$, '42501', null, 'nor refreshes one');
select tests.authenticate_as('member_b');
select is(pg_temp.rows_seen('tenant-b'), '1/1/1/1', 'tenant B''s member reads B''s rows');
select is(pg_temp.rows_seen('tenant-a'), '0/0/0/0', 'and none of tenant A''s');
select tests.authenticate_as('platform_admin');
select is(pg_temp.rows_seen('tenant-a') || ' ' || pg_temp.rows_seen('tenant-b'), '0/0/0/0 0/0/0/0',
  'a platform admin reads no company''s analytics through the members'' functions');
select tests.clear_authentication();
select throws_ok($$ select pg_temp.rows_seen('tenant-a') $$, '42501', null, 'anon cannot call them');
select throws_ok($$ select * from public.analytics_freshness() $$, '42501', null, 'nor read the freshness');
select tests.authenticate_as_service_role();
select is(pg_temp.rows_seen('tenant-a') || ' ' || pg_temp.rows_seen('tenant-b'), '1/2/2/2 1/1/1/1', 'the service role reads any company''s');
select is((select count(*)::int from public.analytics_team_performance(tests.tenant_id('tenant-a'), '2026-11-11')), 0,
  'the range filters by day');

-- ─── refresh now ─────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(tests.error_code($$ select public.analytics_refresh_now('team_performance_daily') $$), 'platform_admin_only',
  'an owner cannot refresh a view now');
select is((select count(*)::int from public.analytics_freshness()), 6, 'a signed-in person reads the freshness of every view');
select tests.authenticate_as('platform_admin');
select is(public.analytics_refresh_now('team_performance_daily'), null, 'a platform admin refreshes a view now');
select is(tests.error_code($$ select public.analytics_refresh_now('nope') $$), 'analytics_view_unknown', 'only a view in the schedule');
reset role;
select is((select count(*)::int from public.audit_log where table_name = 'analytics.team_performance_daily' and actor_role = 'platform_admin'
           and actor_id = tests.get_supabase_uid('platform_admin')), 1, 'the refresh now is audited');
select is((select requested_by from analytics.refresh_log order by id desc limit 1), 'admin', 'and logged as the admin''s');

select * from finish();
rollback;
