-- analytics refresh job: pg_cron cannot run analytics.refresh_due_views() as it was (a procedure that
-- commits after each view): it calls its command where a COMMIT is not allowed, and every run failed
-- with "invalid transaction termination". The job now calls a function that refreshes every due
-- view in the run's one transaction. Readers are still never blocked (each refresh is concurrent);
-- the refreshed views and their log rows become visible together when the run commits.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
drop procedure analytics.refresh_due_views();

-- The pg_cron job: refreshes each due view (analytics.due_views()), keeps 30 days of log, and
-- returns how many views it refreshed without error.
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

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
-- A new job rather than cron.schedule under the old name: that updates cron.job, but the running
-- scheduler (pg_cron 1.4, background workers) kept running the old command until a restart.
select cron.unschedule('renum-refresh-analytics');
select cron.schedule('renum-refresh-analytics-views', '* * * * *', 'select analytics.refresh_due_views()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function analytics.refresh_due_views() from public, anon, authenticated, service_role;
