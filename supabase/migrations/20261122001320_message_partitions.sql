-- message partitions: public.messages has one partition per UTC month, made ahead by pg_cron (this
-- month and the next three), so the default partition stays empty; a row that lands there anyway
-- (a message dated in a month without a partition) is moved into its month's partition by the same
-- job. Months older than the retention setting (default 24) are detached and dropped. Every step is
-- idempotent and takes the time as a parameter, so pgTAP runs it with a frozen clock.
--
-- Who may do what: pg_cron runs the upkeep as the tables' owner; no API role may.
--
-- Who writes each table:
--   messages_YYYY_MM partitions      private.ensure_message_partition (created, strays moved in), and
--                                    private.drop_expired_message_partitions (detached and dropped)
--   private.message_settings         migrations and the platform's operators (SQL), one row

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table private.message_settings (
  -- One row: the table is a setting, not a list.
  id boolean primary key default true constraint message_settings_one_row check (id),
  retention_months integer not null default 24 constraint message_settings_retention_range check (retention_months between 1 and 120),
  months_ahead integer not null default 3 constraint message_settings_months_ahead_range check (months_ahead between 1 and 24),
  updated_at timestamptz not null default now()
);
insert into private.message_settings default values on conflict do nothing;
alter table private.message_settings enable row level security;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- The partition that holds a month: public.messages_YYYY_MM.
create or replace function private.message_partition_name(month date)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'messages_' || to_char(month, 'YYYY_MM');
$$;

/*
 * Makes the partition of the UTC month containing `month`, unless it exists. The table is made
 * detached, any strays of that month are moved into it from the default partition, and only then
 * is it attached — attaching beside a default partition that still held such rows would fail. Its
 * rows are read through the parent only (RLS on, no grants to the API roles). True when made.
 */
create or replace function private.ensure_message_partition(month date)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  first_day date := date_trunc('month', month)::date;
  starts_at timestamptz := (date_trunc('month', month)::date)::timestamp at time zone 'UTC';
  ends_at timestamptz := ((date_trunc('month', month) + interval '1 month')::date)::timestamp at time zone 'UTC';
  partition_name text := private.message_partition_name(first_day);
begin
  if pg_catalog.to_regclass('public.' || partition_name) is not null then
    return false;
  end if;
  -- The default partition's rows of this month move while nobody writes it.
  lock table public.messages_default in share row exclusive mode;
  execute format('create table public.%I (like public.messages including defaults including constraints)', partition_name);
  execute format('alter table public.%I enable row level security', partition_name);
  execute format('revoke all on public.%I from anon, authenticated', partition_name);
  execute format(
    'with strays as (delete from public.messages_default where created_at >= %L and created_at < %L returning *)
     insert into public.%I select * from strays', starts_at, ends_at, partition_name);
  execute format('alter table public.messages attach partition public.%I for values from (%L) to (%L)', partition_name, starts_at, ends_at);
  return true;
end;
$$;

/*
 * The upkeep pg_cron runs daily: partitions from `as_of`'s month to months_ahead months later,
 * partitions for the months of any strays in the default partition (moving them in), and the
 * retention. Answers what it did: {"created": [...], "moved": n, "dropped": [...]}. Idempotent.
 */
create or replace function private.maintain_message_partitions(as_of timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  settings private.message_settings;
  month date;
  created text[] := '{}';
  strays_before bigint;
begin
  select * into settings from private.message_settings;
  select count(*) into strays_before from public.messages_default;
  for month in
    select (date_trunc('month', as_of at time zone 'UTC') + make_interval(months => ahead))::date
    from generate_series(0, settings.months_ahead) ahead
    union
    select distinct date_trunc('month', m.created_at at time zone 'UTC')::date from public.messages_default m
    order by 1
  loop
    if private.ensure_message_partition(month) then
      created := created || private.message_partition_name(month);
    end if;
  end loop;
  return pg_catalog.jsonb_build_object(
    'created', created,
    'moved', strays_before - (select count(*) from public.messages_default),
    'dropped', private.drop_expired_message_partitions(as_of));
end;
$$;

/*
 * Detaches and drops the monthly partitions wholly older than retention_months before `as_of`'s
 * month, and forgets the provider ids of their messages (providers retry for days, not years).
 * Answers the names dropped. Idempotent.
 */
create or replace function private.drop_expired_message_partitions(as_of timestamptz default now())
returns text[]
language plpgsql
set search_path = ''
as $$
declare
  keep_from timestamptz := (date_trunc('month', as_of at time zone 'UTC')
                            - make_interval(months => (select s.retention_months from private.message_settings s)))::timestamp at time zone 'UTC';
  expired record;
  dropped text[] := '{}';
begin
  for expired in
    select c.relname::text as name
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.messages'::regclass
      and c.relname ~ '^messages_[0-9]{4}_[0-9]{2}$'
      and (to_date(substr(c.relname, 10), 'YYYY_MM') + interval '1 month')::timestamp at time zone 'UTC' <= keep_from
    order by 1
  loop
    execute format('alter table public.messages detach partition public.%I', expired.name);
    execute format('drop table public.%I', expired.name);
    dropped := dropped || expired.name;
  end loop;
  delete from private.message_provider_ids p where p.message_created_at < keep_from;
  return dropped;
end;
$$;

-- ─── the partitions of now, and the job ───────────────────────────────────────────────────────
select private.maintain_message_partitions();
select cron.schedule('renum-message-partitions', '17 3 * * *', 'select private.maintain_message_partitions()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
-- The upkeep changes the table's structure: it runs as the owner (pg_cron, migrations), never through the API.
revoke all on private.message_settings from anon, authenticated, service_role;
