-- realtime.messages' partitions as hosted Realtime keeps them (bootstrap 040): one per UTC day,
-- no DEFAULT partition, yesterday to today+3 created ahead, days older than 72 h dropped; and
-- realtime.send() on a day without a partition: the broadcast is lost with hosted's warning
-- (the warning's text is checked in scripts/stack/tests/realtime-partitions.test.ts, which can read it).

begin;
set search_path to public, extensions, tests;

select plan(9);

create function pg_temp.partition_of(days_from_today integer) returns text
language sql stable
as $$ select 'messages_' || to_char((now() at time zone 'UTC')::date + days_from_today, 'YYYY_MM_DD') $$;

-- ─── created ahead ───────────────────────────────────────────────────────────────────────────
select realtime.ensure_message_partitions();
select is(
  (select array_agg(to_regclass('realtime.' || pg_temp.partition_of(d)) is not null order by d) from generate_series(-1, 3) d),
  array[true, true, true, true, true],
  'the upkeep keeps partitions from yesterday to today+3, as hosted Realtime does'
);
select is(
  (select array_agg(distinct pg_get_userbyid(c.relowner)::text) from pg_inherits i join pg_class c on c.oid = i.inhrelid
   where i.inhparent = 'realtime.messages'::regclass),
  array['supabase_realtime_admin'],
  'every partition is owned by supabase_realtime_admin'
);
select ok(
  not exists (select from pg_inherits i join pg_class c on c.oid = i.inhrelid
              where i.inhparent = 'realtime.messages'::regclass and pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'),
  'there is no DEFAULT partition to catch a missing day'
);

-- ─── dropped after 72 h ──────────────────────────────────────────────────────────────────────
do $$
begin
  for d in -4 .. -2 loop
    continue when to_regclass('realtime.' || pg_temp.partition_of(d)) is not null;
    execute format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
      pg_temp.partition_of(d), ((now() at time zone 'UTC')::date + d)::timestamp, ((now() at time zone 'UTC')::date + d + 1)::timestamp);
    execute format('alter table realtime.%I owner to supabase_realtime_admin', pg_temp.partition_of(d));
  end loop;
end $$;
select cmp_ok(realtime.drop_old_message_partitions(), '>=', 1, 'the janitor drops partitions of days older than 72 h');
select is(
  (select array_agg(to_regclass('realtime.' || pg_temp.partition_of(d)) is not null order by d) from generate_series(-4, -3) d),
  array[false, true],
  'the day before (now - 72 h)''s day goes; that day stays'
);

-- ─── who may run the upkeep ──────────────────────────────────────────────────────────────────
select ok(
  not has_function_privilege('authenticated', 'realtime.drop_old_message_partitions()', 'execute')
    and not has_function_privilege('anon', 'realtime.drop_old_message_partitions()', 'execute')
    and has_function_privilege('service_role', 'realtime.drop_old_message_partitions()', 'execute'),
  'dropping partitions is for the upkeep, not for anon or authenticated'
);

-- ─── a send on a day without a partition ─────────────────────────────────────────────────────
-- Today's partition detached inside this transaction (rolled back at the end): as on a day the
-- upkeep missed on hosted Supabase.
do $$ begin execute format('alter table realtime.messages detach partition realtime.%I', pg_temp.partition_of(0)); end $$;
set local client_min_messages to error;
select lives_ok(
  $$ select realtime.send('{"lost": true}'::jsonb, 'probe', 'room:no-partition', false) $$,
  'realtime.send() does not fail the caller when the day has no partition'
);
reset client_min_messages;
select is(
  (select count(*)::int from realtime.messages where topic = 'room:no-partition'),
  0,
  'but the broadcast is not stored, so it is never sent'
);
select ok(
  pg_get_functiondef('realtime.send(jsonb, text, text, boolean)'::regprocedure) like '%RAISE WARNING ''WarnSendingBroadcastMessage: %'', SQLERRM;%',
  'it raises hosted''s warning WarnSendingBroadcastMessage with the error'
);

select * from finish();
rollback;
