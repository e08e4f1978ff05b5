-- A message's metadata and media are checked when written (20261122009930), with the answers the
-- CHECK constraints gave: the same SQLSTATE, constraint names and wording (the partition's name),
-- on insert and on an update of either column, in every month's partition, also one made later,
-- and not at the message's other updates.
begin;
set search_path to public, extensions, tests;

select plan(10);

select tests.create_two_tenants();
-- As the tables' owner, as the service and the functions that write messages are.
reset role;
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987657001',
  'direction', 'in', 'role', 'user', 'type', 'text', 'provider_message_id', 'wamid.bounds', 'body', 'Oi'));

create function pg_temp.partition_of_the_message() returns text language sql as $$
  select m.tableoid::regclass::text from public.messages m where m.provider_message_id = 'wamid.bounds'
$$;
create function pg_temp.nested(levels integer) returns jsonb language sql as $$
  select (pg_catalog.repeat('[', levels) || pg_catalog.repeat(']', levels))::jsonb
$$;

-- ─── the trigger, and only on writes of the two columns ──────────────────────────────────────
select is(
  (select array_agg(a.attname::text order by a.attname) from pg_catalog.pg_trigger t
   cross join lateral pg_catalog.unnest(t.tgattr::int2[]) as col(num)
   join pg_catalog.pg_attribute a on a.attrelid = t.tgrelid and a.attnum = col.num
   where t.tgrelid = 'public.messages'::regclass and t.tgname = 'messages_bounds_checked'),
  '{media,metadata}'::text[], 'the check runs on an update only when it writes metadata or media');
select is(
  (select count(*)::int from pg_catalog.pg_constraint
   where conrelid = 'public.messages'::regclass and conname in ('messages_metadata_bounded', 'messages_media_bounded')),
  0, 'and the two CHECKs that ran at every update are gone');

-- ─── writes ──────────────────────────────────────────────────────────────────────────────────
select throws_ok(
  $$ update public.messages set metadata = jsonb_build_object('data', pg_temp.nested(8)) where provider_message_id = 'wamid.bounds' $$,
  '23514', format('new row for relation "%s" violates check constraint "messages_metadata_bounded"', pg_temp.partition_of_the_message()),
  'metadata nine levels deep: messages_metadata_bounded, in Postgres''s words, naming the partition');
select throws_ok(
  $$ update public.messages set media = jsonb_build_object('caption', repeat('x', 9000)) where provider_message_id = 'wamid.bounds' $$,
  '23514', format('new row for relation "%s" violates check constraint "messages_media_bounded"', pg_temp.partition_of_the_message()),
  'media over 8 KiB: messages_media_bounded');
select is(tests.error_code($$ update public.messages set media = jsonb_build_object('caption', repeat('x', 9000),
    'deep', pg_temp.nested(9)), metadata = pg_temp.nested(20) where provider_message_id = 'wamid.bounds' $$),
  'messages_media_bounded', 'both over: media first, as the constraints were checked in name order');
select lives_ok(
  $$ update public.messages set metadata = '{"origem": "campanha"}', media = '{"id": "m1", "mime_type": "image/jpeg"}'
     where provider_message_id = 'wamid.bounds' $$,
  'metadata and media within bounds are written');
select lives_ok(
  $$ update public.messages set status = 'delivered' where provider_message_id = 'wamid.bounds' $$,
  'other updates of the message are not checked again');

-- A row whose metadata is over the bounds (written while the check was off): its other updates
-- pass, where the CHECK refused every update of it.
alter table public.messages disable trigger messages_bounds_checked;
update public.messages set metadata = jsonb_build_object('data', pg_temp.nested(8)) where provider_message_id = 'wamid.bounds';
alter table public.messages enable trigger messages_bounds_checked;
select lives_ok($$ update public.messages set status = 'read' where provider_message_id = 'wamid.bounds' $$,
  'a status update leaves the stored metadata alone');

-- ─── a partition made later carries it ───────────────────────────────────────────────────────
create table public.messages_2099_01 partition of public.messages for values from ('2099-01-01') to ('2099-02-01');
select ok(exists (select from pg_catalog.pg_trigger where tgrelid = 'public.messages_2099_01'::regclass and tgname = 'messages_bounds_checked'),
  'a new month''s partition has the check');
select throws_ok(
  $$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, status, metadata, created_at)
     select m.tenant_id, m.inbox_id, m.conversation_id, m.contact_id, 99, 'in', 'user', 'text', 'received', pg_temp.nested(9), '2099-01-15'
     from public.messages m where m.provider_message_id = 'wamid.bounds' $$,
  '23514', 'new row for relation "messages_2099_01" violates check constraint "messages_metadata_bounded"',
  'and refuses an insert there as the constraint did');

select * from finish();
rollback;
