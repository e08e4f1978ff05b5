-- analytics performance: how teams and agents performed, one row per UTC day. Built from
-- executions and execution_steps (which carry each run's and step's tokens and cost, the same
-- numbers the usage ledger records). Refreshed by analytics.refresh_due_views (every 15 minutes
-- by default).
--
-- Definitions (the same in the dashboards and for analysts):
--   day           the UTC day the run (or step) was created
--   success_rate  succeeded / (succeeded + failed); cancelled runs count in neither, since a person
--                 stopped them; null when nothing finished
--   duration      finished_at - started_at of finished runs (steps: latency_ms), p50 and p95
--   retries       attempts beyond the first, over all steps
--   timeouts      runs failed for passing their time limit (steps: cancelled by it)
--
-- Who may do what: read through public.analytics_* (the analytics API migration); nobody writes.

-- ─── materialized views ───────────────────────────────────────────────────────────────────────
create materialized view analytics.team_performance_daily as
with run_steps as (
  select s.execution_id, sum(greatest(s.attempt_count - 1, 0))::bigint as retries
  from public.execution_steps s
  group by s.execution_id
)
select e.tenant_id,
       (e.created_at at time zone 'UTC')::date as day,
       e.team_id,
       count(*)::integer as runs,
       count(*) filter (where e.status = 'completed')::integer as succeeded,
       count(*) filter (where e.status = 'failed')::integer as failed,
       count(*) filter (where e.status = 'cancelled')::integer as cancelled,
       round(count(*) filter (where e.status = 'completed')::numeric
             / nullif(count(*) filter (where e.status in ('completed', 'failed')), 0), 4) as success_rate,
       round((percentile_cont(0.5) within group (order by extract(epoch from e.finished_at - e.started_at) * 1000)
              filter (where e.finished_at is not null and e.started_at is not null))::numeric, 1) as duration_p50_ms,
       round((percentile_cont(0.95) within group (order by extract(epoch from e.finished_at - e.started_at) * 1000)
              filter (where e.finished_at is not null and e.started_at is not null))::numeric, 1) as duration_p95_ms,
       sum(e.input_tokens)::bigint as input_tokens,
       sum(e.output_tokens)::bigint as output_tokens,
       sum(e.cost_usd)::numeric(16, 6) as cost_usd,
       round(sum(e.cost_usd) / count(*), 6) as cost_per_run_usd,
       coalesce(sum(rs.retries), 0)::bigint as retries,
       count(*) filter (where e.status = 'failed' and e.deadline_at is not null and e.finished_at >= e.deadline_at)::integer as timeouts
from public.executions e
left join run_steps rs on rs.execution_id = e.id
group by e.tenant_id, (e.created_at at time zone 'UTC')::date, e.team_id;

comment on materialized view analytics.team_performance_daily is
  'One row per tenant, UTC day and team (null: a deleted team): runs created that day, success rate, duration p50/p95, tokens, cost, retries, timeouts.';

create materialized view analytics.agent_performance_daily as
select s.tenant_id,
       (s.created_at at time zone 'UTC')::date as day,
       s.agent_id,
       count(*) filter (where s.attempt_count > 0)::integer as runs,
       count(*) filter (where s.status = 'succeeded')::integer as succeeded,
       count(*) filter (where s.status = 'failed')::integer as failed,
       round(count(*) filter (where s.status = 'succeeded')::numeric
             / nullif(count(*) filter (where s.status in ('succeeded', 'failed')), 0), 4) as success_rate,
       round((percentile_cont(0.5) within group (order by s.latency_ms) filter (where s.latency_ms is not null))::numeric, 1) as duration_p50_ms,
       round((percentile_cont(0.95) within group (order by s.latency_ms) filter (where s.latency_ms is not null))::numeric, 1) as duration_p95_ms,
       sum(s.input_tokens)::bigint as input_tokens,
       sum(s.output_tokens)::bigint as output_tokens,
       sum(s.cost_usd)::numeric(16, 6) as cost_usd,
       round(sum(s.cost_usd) / nullif(count(*) filter (where s.attempt_count > 0), 0), 6) as cost_per_run_usd,
       sum(greatest(s.attempt_count - 1, 0))::bigint as retries,
       count(*) filter (where s.status = 'cancelled' and s.skip_reason = 'the run passed its time limit')::integer as timeouts
from public.execution_steps s
group by s.tenant_id, (s.created_at at time zone 'UTC')::date, s.agent_id;

comment on materialized view analytics.agent_performance_daily is
  'One row per tenant, UTC day and agent (null: a deleted agent): steps that ran, success rate, latency p50/p95, tokens, cost per run, retries, timeouts.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- Unique, on plain columns, and counting a deleted team or agent once: what `refresh concurrently` needs.
create unique index team_performance_daily_key on analytics.team_performance_daily (tenant_id, day, team_id) nulls not distinct;
create unique index agent_performance_daily_key on analytics.agent_performance_daily (tenant_id, day, agent_id) nulls not distinct;

-- ─── schedule ─────────────────────────────────────────────────────────────────────────────────
insert into analytics.refresh_schedule (view_name) values ('team_performance_daily'), ('agent_performance_daily');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on analytics.team_performance_daily, analytics.agent_performance_daily from public, anon, authenticated;
grant select on analytics.team_performance_daily, analytics.agent_performance_daily to service_role;
