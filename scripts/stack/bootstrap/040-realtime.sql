-- Platform bootstrap 040: the `realtime` schema's broadcast surface — realtime.messages (daily
-- partitions), realtime.topic(), realtime.send() and realtime.broadcast_changes().
--
-- Source: supabase/realtime, lib/realtime/tenants/repo/migrations/
--   20260420000000_squash_migrations.ex (table, index, topic(), send(), broadcast_changes(), grants,
--     ownership, RLS), 20260605120000_rename_broadcast_send_warning.ex (send()'s warning),
--   20260707120000_restrict_realtime_schema.ex (functions owned by supabase_realtime_admin);
-- supabase/postgres init-scripts/00000000000003-realtime-schema.sql (schema, role grants).
-- send() and broadcast_changes() are plain (SECURITY INVOKER) plpgsql there, and so here: the
-- insert into realtime.messages runs as the caller, so RLS policies on realtime.messages decide
-- who may broadcast, and a rejected insert becomes a warning, never an error.
--
-- Partitions as on Supabase: one per UTC day and no DEFAULT partition (a DEFAULT partition was
-- proposed upstream, on branch feat/lp-messages-default-partition, and not merged). Hosted
-- Realtime creates yesterday's to today+3's when it connects to the project's database and in its
-- janitor (lib/realtime/tenants.ex create_messages_partitions/1, every 4 h), which also drops the
-- partitions of days older than 72 h (lib/realtime/messages.ex delete_old_messages/1). A send on
-- a day without a partition is lost: the insert fails, and send() turns that into the warning
-- `WarnSendingBroadcastMessage: no partition of relation "messages" found for row`. Locally the
-- Realtime stand-in does the same upkeep, at start and every 4 h, with the two functions below.
-- Not created here (the local Realtime speaks broadcast only): realtime.subscription, apply_rls,
-- list_changes and the other postgres_changes machinery.

create schema if not exists realtime authorization supabase_admin;
alter schema realtime owner to supabase_admin;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

-- ─── realtime.messages ───────────────────────────────────────────────────────────────────────
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone default now() not null,
  inserted_at timestamp without time zone default now() not null,
  id uuid default gen_random_uuid() not null,
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);

create index if not exists messages_inserted_at_topic_index
  on realtime.messages using btree (inserted_at desc, topic)
  where ((extension = 'broadcast'::text) and (private is true));

-- Stacks made before had a local-only DEFAULT partition; its rows are broadcasts already sent.
drop table if exists realtime.messages_default;

alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;

grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant delete, truncate, references, trigger on realtime.messages to postgres;
grant all on realtime.messages to supabase_realtime_admin;

-- ─── realtime.topic() ────────────────────────────────────────────────────────────────────────
create or replace function realtime.topic()
returns text
language sql stable
as $$
select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- ─── realtime.send() ─────────────────────────────────────────────────────────────────────────
-- Verbatim body from 20260605120000_rename_broadcast_send_warning.ex: adds a generated `id` to the
-- payload unless it has one, sets `realtime.topic` for the policies evaluated by the insert, and
-- turns any error into the warning `WarnSendingBroadcastMessage: <message>`.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
DECLARE
  generated_id uuid;
  final_payload jsonb;
BEGIN
  BEGIN
    generated_id := gen_random_uuid();
    IF payload ? 'id' THEN
      final_payload := payload;
    ELSE
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    END IF;
    EXECUTE format('SET LOCAL realtime.topic TO %L', topic);
    INSERT INTO realtime.messages (id, payload, event, topic, private, extension)
    VALUES (generated_id, final_payload, event, topic, private, 'broadcast');
  EXCEPTION
    WHEN OTHERS THEN
      RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
  END;
END;
$$;

-- ─── realtime.broadcast_changes() ────────────────────────────────────────────────────────────
-- Verbatim body from the squashed migration: payload {old_record, record, operation, table, schema}
-- sent with realtime.send(row_data, event_name, topic_name), so private by default.
create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'::text
)
returns void
language plpgsql
as $$
DECLARE
    row_data jsonb := '{}'::jsonb;
BEGIN
    IF level = 'STATEMENT' THEN
        RAISE EXCEPTION 'function can only be triggered for each row, not for each statement';
    END IF;
    IF operation = 'INSERT' OR operation = 'UPDATE' OR operation = 'DELETE' THEN
        row_data := jsonb_build_object('old_record', OLD, 'record', NEW, 'operation', operation, 'table', table_name, 'schema', table_schema);
        PERFORM realtime.send (row_data, event_name, topic_name);
    ELSE
        RAISE EXCEPTION 'Unexpected operation type: %', operation;
    END IF;
EXCEPTION
    WHEN OTHERS THEN
        RAISE EXCEPTION 'Failed to process the row: %', SQLERRM;
END;
$$;

-- ─── partition upkeep (what hosted Realtime's connect and janitor do) ─────────────────────────
-- Creates realtime.messages_YYYY_MM_DD for yesterday, today and the next `days_ahead` days (UTC
-- dates; the database runs in UTC like Supabase's), each covering [day, day + 1), owned by
-- supabase_realtime_admin: Realtime's create_messages_partitions/1 with `days_ahead` 3. Idempotent
-- and safe to call concurrently (advisory lock). Only for the upkeep (postgres, service_role).
create or replace function realtime.ensure_message_partitions(days_ahead integer default 3)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  today date := (pg_catalog.now() at time zone 'UTC')::date;
  day date;
  partition_name text;
begin
  if days_ahead is null or days_ahead < 0 then
    raise exception 'days_ahead must be zero or more, got %', days_ahead;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('realtime.ensure_message_partitions'));
  for day in select d::date from pg_catalog.generate_series(today - 1, today + days_ahead, interval '1 day') as d loop
    partition_name := 'messages_' || pg_catalog.to_char(day, 'YYYY_MM_DD');
    continue when pg_catalog.to_regclass('realtime.' || partition_name) is not null;
    execute format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
      partition_name, day::timestamp, (day + 1)::timestamp);
    execute format('alter table realtime.%I owner to supabase_realtime_admin', partition_name);
  end loop;
end;
$$;

-- Drops the partitions of days before (now - 72 h)'s UTC date, as Realtime's janitor does
-- (delete_old_messages/1). Returns how many it dropped. Only for the upkeep (postgres, service_role).
create or replace function realtime.drop_old_message_partitions()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  oldest_kept date := ((pg_catalog.now() at time zone 'UTC') - interval '72 hours')::date;
  old_partition text;
  dropped integer := 0;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('realtime.ensure_message_partitions'));
  for old_partition in
    select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass and c.relname ~ '^messages_\d{4}_\d{2}_\d{2}$'
      and pg_catalog.to_date(substr(c.relname, 10), 'YYYY_MM_DD') < oldest_kept
  loop
    execute format('drop table if exists realtime.%I', old_partition);
    dropped := dropped + 1;
  end loop;
  return dropped;
end;
$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_realtime_admin;
alter function realtime.ensure_message_partitions(integer) owner to supabase_realtime_admin;
alter function realtime.drop_old_message_partitions() owner to supabase_realtime_admin;

-- topic(), send() and broadcast_changes() are callable by everyone (PUBLIC, as on Supabase; RLS on
-- realtime.messages is what restricts broadcasting). Partition maintenance is not for API users.
grant execute on function realtime.topic() to public, postgres, anon, authenticated, service_role;
grant execute on function realtime.send(jsonb, text, text, boolean) to public, postgres, anon, authenticated, service_role;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to public, postgres, anon, authenticated, service_role;
revoke all on function realtime.ensure_message_partitions(integer) from public, anon, authenticated;
grant execute on function realtime.ensure_message_partitions(integer) to postgres, service_role, supabase_realtime_admin;
revoke all on function realtime.drop_old_message_partitions() from public, anon, authenticated;
grant execute on function realtime.drop_old_message_partitions() to postgres, service_role, supabase_realtime_admin;

grant all on all functions in schema realtime to supabase_realtime_admin;

do $upkeep$ begin perform realtime.drop_old_message_partitions(); perform realtime.ensure_message_partitions(); end $upkeep$;
