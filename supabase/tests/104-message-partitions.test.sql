-- Message partitions with a frozen clock: the upkeep makes this month and the next three, moves
-- strays out of the default partition into their month, detaches and drops months older than the
-- retention setting, and does nothing the second time. Partitions are read through the parent only.
begin;
-- Consumption is folded in as a transaction commits (20261122009600); this test reads it inside its own.
set constraints private.consumption_pending_apply immediate;
set search_path to public, extensions, tests;

select plan(20);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
-- The upkeep runs as the tables' owner, as pg_cron runs it.
reset role;

create function pg_temp.partitions() returns text[]
language sql as $$
  select coalesce(array_agg(c.relname::text order by c.relname), '{}') from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'public.messages'::regclass and c.relname <> 'messages_default'
$$;
create function pg_temp.months(first_month date, last_month date) returns text[]
language sql as $$
  select array_agg(private.message_partition_name(m::date) order by m) from generate_series(first_month, last_month, interval '1 month') m
$$;

-- ─── made ahead ──────────────────────────────────────────────────────────────────────────────
select ok(pg_temp.partitions() @> pg_temp.months(date_trunc('month', now() at time zone 'UTC')::date,
                                                 (date_trunc('month', now() at time zone 'UTC') + interval '3 months')::date),
  'the migration made this month''s partition and the next three');
select is((select schedule from cron.job where jobname = 'renum-message-partitions'), '17 3 * * *', 'pg_cron runs the upkeep daily');

-- A clean slate for the frozen clock (set in 2027-2029, after the real today this test also uses): only the partitions this test makes.
do $$
declare name text;
begin
  foreach name in array pg_temp.partitions() loop
    execute format('drop table public.%I', name);
  end loop;
end $$;

select is(private.maintain_message_partitions('2027-06-10 12:00Z'),
  jsonb_build_object('created', pg_temp.months('2027-06-01', '2027-09-01'), 'moved', 0, 'dropped', '{}'::text[]),
  'on 2027-06-10 the upkeep makes June to September 2027');
select is(private.maintain_message_partitions('2027-06-10 12:00Z'),
  '{"created": [], "moved": 0, "dropped": []}'::jsonb, 'run again, it does nothing');
select is(private.maintain_message_partitions('2027-06-30 23:59:59-03'),
  jsonb_build_object('created', pg_temp.months('2027-10-01', '2027-10-01'), 'moved', 0, 'dropped', '{}'::text[]),
  'months are UTC months: 23:59 in São Paulo on June 30 is already July');

-- ─── strays ──────────────────────────────────────────────────────────────────────────────────
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987653333', 'direction', 'in', 'role', 'user',
  'type', 'text', 'body', 'today', 'provider_message_id', 'wamid.today'));
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, provider_message_id, created_at)
select tenant_id, inbox_id, conversation_id, contact_id, 100 + n, 'in', 'user', 'received', 'wamid.stray.' || n, '2028-01-15 10:00Z'::timestamptz + n * interval '1 day'
from public.messages, generate_series(1, 3) n where provider_message_id = 'wamid.today';
select is((select count(*)::int from public.messages_default), 4, 'messages of months without a partition land in the default partition');
select is(private.maintain_message_partitions('2027-06-10 12:00Z') - 'dropped',
  jsonb_build_object('created', array[private.message_partition_name(date_trunc('month', now())::date), 'messages_2028_01'], 'moved', 4),
  'the upkeep makes their months and moves them in');
select is((select count(*)::int from public.messages_default), 0, 'the default partition is empty again');
select is((select count(*)::int from public.messages_2028_01), 3, 'the strays are in their month''s partition');
select is((select count(*)::int from public.messages where provider_message_id like 'wamid.stray.%'), 3, 'and read through the parent as before');
select is((select messages_in from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A') and day = '2028-01-16'), 1,
  'moving a stray does not count it twice');
select is(private.maintain_message_partitions('2027-06-10 12:00Z'), '{"created": [], "moved": 0, "dropped": []}'::jsonb, 'nothing left to move');

-- ─── retention ───────────────────────────────────────────────────────────────────────────────
select is(private.maintain_message_partitions('2029-10-05 12:00Z') -> 'dropped',
  (select to_jsonb(array_agg(name order by name))
   from unnest(pg_temp.months('2027-06-01', '2027-09-01') || private.message_partition_name(date_trunc('month', now())::date)) name),
  'on 2029-10-05, with 24 months kept, the months before October 2027 go (this month''s too)');
select ok(to_regclass('public.messages_2027_10') is not null and to_regclass('public.messages_2027_06') is null,
  'October 2027 stays; June 2027 is detached and dropped');
select is(private.maintain_message_partitions('2029-10-05 12:00Z') -> 'dropped', '[]'::jsonb, 'retention run again drops nothing');
update private.message_settings set retention_months = 12;
select is(private.drop_expired_message_partitions('2029-10-05 12:00Z'),
  array['messages_2027_10', 'messages_2028_01'],
  'a shorter retention setting drops more');
select is((select count(*)::int from private.message_provider_ids where provider_message_id like 'wamid.stray.%'), 0,
  'the provider ids of dropped messages are forgotten');
select is((select count(*)::int from public.messages), 0, 'nothing older than the retention is left');

-- ─── who reads a partition ───────────────────────────────────────────────────────────────────
select ok(not has_table_privilege('authenticated', 'public.messages_2029_10', 'select')
          and not has_table_privilege('anon', 'public.messages_2029_10', 'select'),
  'a partition is not readable by the API roles directly: only through the parent''s policies');
select tests.rls_enabled('public');

select * from finish();
rollback;
