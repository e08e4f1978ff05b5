-- public.conversation_messages (20261122009800): a conversation's messages newest first, a page at
-- a time, exactly as the caller may read them — each actor sees what a plain select shows them —
-- with its plan kept per connection (force_generic_plan, no sorts), and the messages policy in its
-- ask-once form (and private.tenants_of_caller in PL/pgSQL) still showing each member their own
-- companies' messages only.
begin;
set search_path to public, extensions, tests;

select plan(20);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
reset role;
-- Five messages in A's thread, one in B's.
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987650001', 'direction', 'in',
  'role', 'user', 'type', 'text', 'body', 'A ' || n, 'provider_message_id', 'wamid.read-a-' || n))
from pg_catalog.generate_series(1, 5) as n;
select private.record_webhook_message(tests.inbox_id('Line B'), '{"contact_phone": "5511987650002", "direction": "in",
  "role": "user", "type": "text", "body": "B 1", "provider_message_id": "wamid.read-b-1"}');
create temporary table thread_ids as
  select tests.conversation_id('Line A', '+5511987650001') as a, tests.conversation_id('Line B', '+5511987650002') as b;
grant select on thread_ids to public;

-- ─── the plan is kept ────────────────────────────────────────────────────────────────────────
select ok(
  'plan_cache_mode=force_generic_plan' = any (
    (select proconfig from pg_catalog.pg_proc where oid = 'public.conversation_messages(uuid, timestamptz, integer, integer)'::regprocedure)::text[]),
  'the function keeps one plan for every conversation');
select ok(
  'enable_sort=off' = any (
    (select proconfig from pg_catalog.pg_proc where oid = 'public.conversation_messages(uuid, timestamptz, integer, integer)'::regprocedure)::text[]),
  'and plans without sorts, so a page never reads the whole thread');
select is(
  (select prosecdef from pg_catalog.pg_proc where oid = 'public.conversation_messages(uuid, timestamptz, integer, integer)'::regprocedure),
  false, 'it runs as its caller, so the messages policy applies');

-- ─── a member of the company ─────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(
  (select pg_catalog.array_agg(message_index order by message_index desc) from public.conversation_messages((select a from thread_ids), page_size => 3)),
  '{5,4,3}'::integer[], 'a member reads the newest page of their thread');
select is(
  (select pg_catalog.array_agg(body order by message_index desc) from public.conversation_messages((select a from thread_ids), page_size => 3)),
  '{"A 5","A 4","A 3"}'::text[], 'newest first');
select is(
  (select pg_catalog.array_agg(message_index order by message_index desc) from public.conversation_messages((select a from thread_ids), before_index => 3, page_size => 3)),
  '{2,1}'::integer[], 'and the page before the oldest index it has seen');
select is(
  (select count(*)::int from public.conversation_messages((select a from thread_ids),
     (select created_at from public.conversations where id = (select a from thread_ids)))),
  5, 'bounded by the conversation''s start, it finds every message');
select is(
  (select count(*)::int from public.conversation_messages((select a from thread_ids), pg_catalog.now() + interval '1 day')),
  0, 'bounded after its messages, none');
select is(
  (select count(*)::int from public.conversation_messages((select b from thread_ids))),
  0, 'another company''s conversation id gives nothing');
select is(
  (select count(*)::int from public.messages where conversation_id = (select a from thread_ids)), 5,
  'the plain select under the policy shows the same thread');
select is((select count(*)::int from public.messages), 5, 'and only the member''s company''s messages');

-- ─── the member of the other company ─────────────────────────────────────────────────────────
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.conversation_messages((select a from thread_ids))), 0,
  'a member of another company reads nothing of A''s thread');
select is((select pg_catalog.array_agg(body order by message_index desc) from public.conversation_messages((select b from thread_ids))), '{"B 1"}'::text[],
  'and reads their own');
select is((select count(*)::int from public.messages), 1, 'the plain select shows them their one message');

-- ─── a platform admin in no company, anon, the service ───────────────────────────────────────
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.conversation_messages((select a from thread_ids))), 0,
  'a platform admin outside the company reads nothing');

select tests.clear_authentication();
select throws_ok(
  $$select * from public.conversation_messages((select a from thread_ids))$$,
  '42501', null, 'anon may not call it');

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.conversation_messages((select a from thread_ids))), 5, 'the service reads any thread');

-- ─── page sizes ──────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.conversation_messages((select a from thread_ids), page_size => 0)), 1,
  'a page of none is read as a page of one');
select is((select count(*)::int from public.conversation_messages((select a from thread_ids), page_size => null)), 5,
  'no page size reads the default page (50)');

-- The plan kept from the calls above still reads a new message (a cached plan is not a cached result).
reset role;
select private.record_webhook_message(tests.inbox_id('Line A'), '{"contact_phone": "5511987650001", "direction": "in",
  "role": "user", "type": "text", "body": "A 6", "provider_message_id": "wamid.read-a-6"}');
select tests.authenticate_as('owner_a');
select is(
  (select pg_catalog.array_agg(body order by message_index desc) from public.conversation_messages((select a from thread_ids), page_size => 2)),
  '{"A 6","A 5"}'::text[], 'a message written after the plan was made is read');

select * from finish();
rollback;
