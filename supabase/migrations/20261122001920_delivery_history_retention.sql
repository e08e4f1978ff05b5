-- delivery history retention: settled outbound delivery jobs and processed webhook events are kept
-- `history_retention_days` (30) after they settled, then deleted by a daily pg_cron job in batches.
-- What goes: jobs `sent`, `failed` (final) and `discarded`, by finished_at; events `processed` and
-- `ignored`, by processed_at. What stays whatever its age: jobs still open (`pending`, `sending`)
-- and dead letters (an admin has to decide), events `pending` or `failed` (retried, or waiting for
-- an admin's replay). The messages themselves are kept by their partitions' own retention
-- (20261122001320); a job or an event is only the record of how a message travelled.
-- The setting lives in private.outbound_settings, one row, with the outbound retry schedule
-- (1 s, 5 s, 25 s: the fourth retryable failure makes a dead letter), which
-- private.outbound_retry_delays now reads instead of holding it.
--
-- Who may do what: the service role and pg_cron; nobody else sees these settings.
--
-- Who writes each table:
--   private.outbound_settings                                 migrations (and operators, by hand)
--   private.outbound_deliveries, public.webhook_events (rows)  private.prune_delivery_history deletes

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table private.outbound_settings (
  -- One row: the table is a setting, not a list.
  id boolean primary key default true constraint outbound_settings_one_row check (id),
  history_retention_days integer not null default 30
    constraint outbound_settings_retention_range check (history_retention_days between 1 and 3650),
  -- Seconds before the first, second, third... retry; one more retryable failure makes a dead letter.
  retry_delays_seconds numeric[] not null default '{1,5,25}'
    constraint outbound_settings_retry_delays_valid check (
      cardinality(retry_delays_seconds) between 1 and 10 and 0 < all (retry_delays_seconds) and 3600 >= all (retry_delays_seconds)),
  -- Rows each delete statement of the daily job removes (one transaction each).
  prune_batch_size integer not null default 5000 constraint outbound_settings_prune_batch_range check (prune_batch_size between 1 and 100000),
  updated_at timestamptz not null default now()
);
insert into private.outbound_settings default values on conflict do nothing;
alter table private.outbound_settings enable row level security;
revoke all on private.outbound_settings from public, anon, authenticated;
grant select on private.outbound_settings to service_role;

create trigger outbound_settings_touch_updated_at before update on private.outbound_settings
  for each row execute function private.touch_updated_at();

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- The oldest settled rows first, for the daily job.
create index outbound_deliveries_settled_idx on private.outbound_deliveries (finished_at)
  where status in ('sent', 'failed', 'discarded');
create index webhook_events_settled_idx on public.webhook_events (processed_at)
  where status in ('processed', 'ignored');

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Retries after the first, second and third retryable failure (the setting); the next makes a dead letter.
create or replace function private.outbound_retry_delays()
returns numeric[]
language sql
stable
set search_path = ''
as $$ select coalesce((select s.retry_delays_seconds from private.outbound_settings s), array[1, 5, 25]::numeric[]) $$;

/*
 * One batch of the daily clean-up at `as_of`: deletes up to `max_rows` (the setting when null)
 * settled delivery jobs and up to as many settled webhook events older than the retention (see the
 * opening comment), oldest first; rows another transaction holds are skipped. Answers
 * {deliveries, webhook_events}: how many of each went. Idempotent; takes the time as a parameter so
 * pgTAP runs it with a frozen clock. Service role only.
 */
create or replace function private.prune_delivery_history(as_of timestamptz default now(), max_rows integer default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  settings private.outbound_settings;
  cutoff timestamptz;
  batch integer;
  deliveries_deleted integer;
  events_deleted integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role prunes delivery history';
  end if;
  select * into settings from private.outbound_settings;
  cutoff := as_of - pg_catalog.make_interval(days => coalesce(settings.history_retention_days, 30));
  batch := greatest(least(coalesce(max_rows, settings.prune_batch_size, 5000), 100000), 1);

  delete from private.outbound_deliveries d
  where d.id in (select x.id from private.outbound_deliveries x
                 where x.status in ('sent', 'failed', 'discarded') and x.finished_at < cutoff
                 order by x.finished_at limit batch for update skip locked);
  get diagnostics deliveries_deleted = row_count;
  delete from public.webhook_events e
  where e.id in (select x.id from public.webhook_events x
                 where x.status in ('processed', 'ignored') and x.processed_at < cutoff
                 order by x.processed_at limit batch for update skip locked);
  get diagnostics events_deleted = row_count;
  return pg_catalog.jsonb_build_object('deliveries', deliveries_deleted, 'webhook_events', events_deleted);
end;
$$;

/*
 * The daily job: batches of private.prune_delivery_history, each committed, until a batch finds
 * less than a full batch of either or `max_seconds` have passed (the rest waits for tomorrow). A
 * procedure for its COMMITs (security invoker with no SET clause, callable by its owner only).
 */
create or replace procedure private.prune_delivery_history_job(max_seconds numeric default 300)
language plpgsql
as $$
declare
  started timestamptz := pg_catalog.clock_timestamp();
  batch integer;
  deleted jsonb;
begin
  loop
    select s.prune_batch_size into batch from private.outbound_settings s;
    deleted := private.prune_delivery_history(now(), batch);
    commit;
    exit when (deleted ->> 'deliveries')::integer < coalesce(batch, 5000) and (deleted ->> 'webhook_events')::integer < coalesce(batch, 5000);
    exit when pg_catalog.clock_timestamp() - started > pg_catalog.make_interval(secs => max_seconds);
  end loop;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke execute on function private.prune_delivery_history(timestamptz, integer) from public;
grant execute on function private.prune_delivery_history(timestamptz, integer) to service_role;
revoke all on procedure private.prune_delivery_history_job(numeric) from public;

-- ─── jobs ─────────────────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-prune-delivery-history', '40 3 * * *', 'call private.prune_delivery_history_job()');
