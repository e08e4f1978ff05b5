-- Live document status (20261122002040): each document's creation and each change of its status or
-- current version is broadcast as document_status on knowledge:<base id> — without its title or
-- text — and only members of the base's company receive it (RLS on realtime.messages); nobody
-- may send on the topic.
--
-- Cast: tenant A (member_a, analyst_a), tenant B (member_b), a platform admin in no tenant, anon
-- and the service role as the ingest function.
begin;
set search_path to public, extensions, tests;

select plan(11);

select tests.create_two_tenants();
select tests.authenticate_as('member_a');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Ao vivo', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Segredo do título', 'text' from public.knowledge_bases;
insert into public.document_versions (document_id, pasted_text) select id, 'Texto secreto' from public.documents;

reset role;
create function pg_temp.topic() returns text language sql stable as $$
  select 'knowledge:' || id from public.knowledge_bases where name = 'Ao vivo' $$;
-- One transaction: every broadcast has the same time, so the statuses are compared as a sorted list.
create function pg_temp.statuses() returns text[] language sql stable as $$
  select coalesce(array_agg(payload ->> 'status' order by payload ->> 'status'), '{}') from realtime.messages
  where topic = pg_temp.topic() and event = 'document_status' $$;
grant execute on function pg_temp.topic(), pg_temp.statuses() to authenticated, anon, service_role;

-- ─── what is sent ────────────────────────────────────────────────────────────────────────────
select is(pg_temp.statuses(), array['pending'], 'a new document is announced, pending');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_ingest_jobs('worker-1', 5, 60)), 1, 'the ingest function claims it');
select private.claim_ingest_jobs('worker-1', 5, 60);
reset role;
select is(pg_temp.statuses(), array['pending', 'processing'], 'processing is announced once, however often the worker looks');
select tests.authenticate_as_service_role();
select private.finish_ingest_job((select id from public.documents where title = 'Segredo do título'), 'worker-1', 1,
  jsonb_build_array(jsonb_build_object('content', 'Texto secreto', 'token_count', 2, 'heading_path', array[]::text[],
    'embedding', '[' || array_to_string(array_fill(0.05::numeric, array[384]), ',') || ']')));
reset role;
select is(pg_temp.statuses(), array['pending', 'processing', 'ready'], 'and ready');
select is(
  (select payload - 'id' - 'document_id' - 'knowledge_base_id' - 'status_changed_at' from realtime.messages
   where topic = pg_temp.topic() and payload ->> 'status' = 'ready'),
  '{"status": "ready", "chunk_count": 1, "failure_code": null, "latest_version": 1, "current_version": 1}'::jsonb,
  'ready says which version search sees and how many chunks it has'
);
select ok(not exists (select from realtime.messages where payload::text like '%Segredo%' or payload::text like '%secreto%'),
  'no broadcast carries a document''s title or text');

-- ─── who receives ────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select set_config('realtime.topic', pg_temp.topic(), true);
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 3, 'a member of the company receives the base''s topic');
select throws_ok(
  $$ insert into realtime.messages (topic, extension, event, payload, private) values (realtime.topic(), 'broadcast', 'document_status', '{}', true) $$,
  '42501', 'new row violates row-level security policy for table "messages"', 'nobody signed in may send on it');
select tests.authenticate_as('member_b');
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'another company''s member receives nothing');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'nor a platform admin');
select tests.clear_authentication();
select is((select count(*)::int from realtime.messages where topic = realtime.topic()), 0, 'nor anon');

select * from finish();
rollback;
