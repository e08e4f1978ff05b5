-- analytics refresh: the `analytics` schema, which holds materialized views of what the product
-- records (runs, steps, the usage ledger, WhatsApp consumption), and the machinery that keeps them
-- fresh. Each view has a row in analytics.refresh_schedule (how often it is due, default every 15
-- minutes); one pg_cron job each minute refreshes the views that are due, one at a time, with
-- `refresh materialized view concurrently` so readers are never blocked. Every attempt is a row of
-- analytics.refresh_log (when, how long, the error if it failed); analytics.freshness is the latest
-- of each. A platform admin can refresh one view now (public.analytics_refresh_now).
--
-- Who may do what: nobody reads the `analytics` schema through the API (PostgREST does not expose
-- it); people read the views through the tenant-filtering functions of the analytics API migration.
-- Who writes each table:
--   refresh_schedule   migrations (one row per view, added with the view); refresh_every: the service role
--   refresh_log        analytics.refresh() only

-- ─── schema ───────────────────────────────────────────────────────────────────────────────────
create schema analytics;
comment on schema analytics is 'Materialized views for dashboards and analysts, and their refresh schedule.';
revoke all on schema analytics from public, anon, authenticated;
grant usage on schema analytics to service_role;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table analytics.refresh_schedule (
  view_name text primary key,
  refresh_every interval not null default interval '15 minutes'
    constraint refresh_schedule_refresh_every_range check (refresh_every between interval '1 minute' and interval '7 days'),
  created_at timestamptz not null default now()
);
comment on table analytics.refresh_schedule is
  'One row per materialized view in the analytics schema: how often pg_cron refreshes it.';

create table analytics.refresh_log (
  id bigint generated always as identity primary key,
  view_name text not null references analytics.refresh_schedule (view_name) on delete cascade,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  duration_ms integer not null,
  -- null when the refresh succeeded
  error_message text,
  -- who asked: 'schedule' (pg_cron) or 'admin' (a platform admin's refresh now)
  requested_by text not null constraint refresh_log_requested_by_values check (requested_by in ('schedule', 'admin'))
);
comment on table analytics.refresh_log is 'One row per refresh attempt of an analytics view: when, how long, and the error if it failed.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index refresh_log_view_started_idx on analytics.refresh_log (view_name, started_at desc);
create index refresh_log_started_idx on analytics.refresh_log (started_at);

alter table analytics.refresh_schedule enable row level security;
alter table analytics.refresh_log enable row level security;

-- ─── views ────────────────────────────────────────────────────────────────────────────────────
create view analytics.freshness with (security_invoker = true) as
select s.view_name,
       s.refresh_every,
       succeeded.finished_at as refreshed_at,
       latest.started_at as last_attempt_at,
       latest.duration_ms as last_duration_ms,
       latest.error_message as last_error,
       coalesce(latest.started_at + s.refresh_every, now()) as next_due_at
from analytics.refresh_schedule s
left join lateral (
  select l.started_at, l.duration_ms, l.error_message from analytics.refresh_log l
  where l.view_name = s.view_name order by l.started_at desc, l.id desc limit 1
) latest on true
left join lateral (
  select l.finished_at from analytics.refresh_log l
  where l.view_name = s.view_name and l.error_message is null order by l.started_at desc, l.id desc limit 1
) succeeded on true;
comment on view analytics.freshness is
  'One row per analytics view: when its data was last refreshed, how long the latest attempt took and whether it failed.';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Refreshes one view concurrently (readers keep reading the old rows until it commits) and logs
-- the attempt. Returns the error message, or null on success; a failure is logged, not raised, so
-- one broken view never stops the others. Two refreshes of one view at once: the second waits
-- for nothing and is not logged (an advisory lock per view), since the first brings the same data.
create or replace function analytics.refresh(target_view text, requested_by text default 'schedule')
returns text
language plpgsql
set search_path = ''
as $$
declare
  began timestamptz := pg_catalog.clock_timestamp();
  failure text;
begin
  if not exists (select 1 from analytics.refresh_schedule s where s.view_name = target_view) then
    raise exception 'analytics has no view named %', target_view
      using errcode = 'P0002', constraint = 'analytics_view_unknown';
  end if;
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('analytics.refresh'), pg_catalog.hashtext(target_view)) then
    return 'already refreshing';
  end if;
  begin
    execute pg_catalog.format('refresh materialized view concurrently analytics.%I', target_view);
  exception when others then
    failure := sqlerrm;
  end;
  insert into analytics.refresh_log (view_name, started_at, finished_at, duration_ms, error_message, requested_by)
  values (target_view, began, pg_catalog.clock_timestamp(),
          (extract(epoch from pg_catalog.clock_timestamp() - began) * 1000)::integer, failure, requested_by);
  return failure;
end;
$$;
comment on function analytics.refresh(text, text) is
  'Refreshes one analytics view concurrently and logs the attempt; returns the error message or null.';

-- The views whose last attempt is older than their interval (never tried: due now), oldest first.
create or replace function analytics.due_views()
returns setof text
language sql
stable
set search_path = ''
as $$
  select f.view_name from analytics.freshness f where f.next_due_at <= now() order by f.next_due_at, f.view_name;
$$;
comment on function analytics.due_views() is 'The analytics views due for a refresh, oldest first.';

-- The pg_cron job: refreshes each due view (analytics.due_views()), keeps 30 days of log, and
-- returns how many views it refreshed without error. A function, not a procedure committing after
-- each view: pg_cron runs its command where COMMIT is not allowed ("invalid transaction
-- termination"). Readers are still never blocked (each refresh is concurrent); the refreshed views
-- and their log rows become visible together when the run commits.
create or replace function analytics.refresh_due_views()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  due text;
  refreshed integer := 0;
begin
  for due in select analytics.due_views()
  loop
    if analytics.refresh(due, 'schedule') is null then
      refreshed := refreshed + 1;
    end if;
  end loop;
  delete from analytics.refresh_log where started_at < now() - interval '30 days';
  return refreshed;
end;
$$;
comment on function analytics.refresh_due_views() is 'The pg_cron job: refreshes the analytics views that are due; how many refreshed.';

-- A platform admin's "refresh now". Audited like the other admin actions.
create or replace function public.analytics_refresh_now(target_view text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  failure text;
begin
  perform private.assert_platform_admin();
  failure := analytics.refresh(target_view, 'admin');
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (null, (select auth.uid()), 'platform_admin', 'update', 'analytics.' || target_view, null,
          pg_catalog.jsonb_build_object('refreshed_at', now(), 'error', failure));
  return failure;
end;
$$;
comment on function public.analytics_refresh_now(text) is
  'Platform admins: refresh one analytics view now; returns the error message or null.';

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-refresh-analytics-views', '* * * * *', 'select analytics.refresh_due_views()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on all tables in schema analytics from public, anon, authenticated;
grant select on analytics.refresh_schedule, analytics.refresh_log, analytics.freshness to service_role;
grant update (refresh_every) on analytics.refresh_schedule to service_role;
-- RLS without policies: only the service role (bypassrls) and the owner read these tables.
revoke all on function analytics.refresh(text, text) from public, anon, authenticated, service_role;
revoke all on function analytics.due_views() from public, anon, authenticated, service_role;
revoke all on function analytics.refresh_due_views() from public, anon, authenticated, service_role;
revoke all on function public.analytics_refresh_now(text) from public, anon;
grant execute on function public.analytics_refresh_now(text) to authenticated;
