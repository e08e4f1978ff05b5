-- Ingestion's queue and the documents bucket: workers claim documents with a lease and never the
-- same one twice, a dead worker's lease is taken over, attempts are bounded, only the lease holder
-- on the newest version writes chunks, a failure keeps its code and the previous version, and only
-- the service side calls any of it. In Storage, a company's members read its files and those who
-- manage knowledge write them, only under their company's folder and documents.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.
begin;
set search_path to public, extensions, tests;

select plan(46);

create function tests.one_chunk(content text) returns jsonb language sql immutable as $$
  select jsonb_build_array(jsonb_build_object('content', content, 'token_count', 3, 'heading_path', array['Título'],
    'embedding', '[' || array_to_string(array_fill(0.05::numeric, array[384]), ',') || ']'));
$$;
grant execute on function tests.one_chunk(text) to service_role;

select tests.create_two_tenants();

-- The wakes this file queues: pg_net requests to the ingest function made after this point.
reset role;
create temporary table kicks_before as select coalesce(max(id), 0) as last_id from net.http_request_queue;
create function pg_temp.ingest_kicks() returns bigint
language sql stable security definer set search_path = ''
as $$
  select count(*) from net.http_request_queue q, pg_temp.kicks_before b where q.id > b.last_id and q.url like '%/ingest/run'
$$;
grant execute on function pg_temp.ingest_kicks() to authenticated, service_role;

select tests.authenticate_as('member_a');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Manual', auth.uid());
insert into public.documents (knowledge_base_id, title, source)
select id, title, 'text' from public.knowledge_bases, unnest(array['Um', 'Dois', 'Três']) as title;
insert into public.document_versions (document_id, pasted_text) select id, 'Texto de ' || title from public.documents;
select is(pg_temp.ingest_kicks(), 1::bigint, 'three versions added in one statement wake the ingest function once');
-- A document without versions is not work yet.
insert into public.documents (knowledge_base_id, title, source) select id, 'Vazio', 'text' from public.knowledge_bases;

-- ─── only the service side touches the queue ─────────────────────────────────────────────────
select throws_ok($$ select * from private.claim_ingest_jobs('w', 1, 60) $$, '42501', null, 'a member cannot claim ingest jobs');
select throws_ok($$ select private.finish_ingest_job(gen_random_uuid(), 'w', 1, '[]') $$, '42501', null, 'a member cannot finish one');
select throws_ok($$ select private.fail_ingest_job(gen_random_uuid(), 'w', 1, 'x', 'y') $$, '42501', null, 'a member cannot fail one');
select throws_ok($$ select private.renew_ingest_lease(gen_random_uuid(), 'w', 1) $$, '42501', null, 'a member cannot renew a lease');
select throws_ok($$ select private.kick_ingest() $$, '42501', null, 'a member cannot wake the ingest function');
select throws_ok(
  $$ update public.documents set failure_code = 'planted' where title = 'Um' $$,
  '42501', 'permission denied for table documents', 'a member cannot write a failure code'
);
select tests.clear_authentication();
select throws_ok($$ select * from private.claim_ingest_jobs('w', 1, 60) $$, '42501', null, 'anon cannot claim ingest jobs');

-- ─── claims and leases (the service role, as the function runs) ──────────────────────────────
select tests.authenticate_as_service_role();
select is(tests.error_code($$ select * from private.claim_ingest_jobs('w', 0, 60) $$), 'ingest_claim_arguments', 'max_jobs must be at least 1');
select is((select count(*)::int from private.claim_ingest_jobs('worker-1', 2, 60)), 2, 'a worker claims up to max_jobs documents');
select is((select array_agg(title order by title) from public.documents where ingest_worker = 'worker-1'),
  array['Dois', 'Um'], 'the oldest pending documents first, each now held by the worker');
select is((select count(*)::int from public.documents where status = 'processing' and ingest_attempts = 1 and ingest_lease_until > now()),
  2, 'claimed documents are processing with a lease and one attempt');
select is((select array_agg(title) from private.claim_ingest_jobs('worker-2', 5, 60) c join public.documents d on d.id = c.document_id),
  array['Três'], 'another worker gets only what is left; a document without versions is not claimed');
select is((select count(*)::int from private.claim_ingest_jobs('worker-3', 5, 60)), 0, 'a held lease is not taken');
select is((select row(c.version, c.source::text, c.pasted_text, c.chunk_size, c.language::text)::text
   from private.claim_ingest_jobs('worker-9', 1, 60) c), null, 'nothing is left to claim');

-- The worker renews its lease; a stranger cannot.
select ok(private.renew_ingest_lease((select id from public.documents where title = 'Um'), 'worker-1', 1, 300), 'the holder renews its lease');
select ok(not private.renew_ingest_lease((select id from public.documents where title = 'Um'), 'worker-2', 1, 300), 'another worker holds no lease to renew');

-- Finishing: only the holder, only the newest version.
select is(tests.error_code(format($$ select private.finish_ingest_job(%L, 'worker-2', 1, tests.one_chunk('x')) $$, (select id from public.documents where title = 'Um'))),
  'ingest_lease_lost', 'a worker that does not hold the job cannot write its chunks');
select is(private.finish_ingest_job((select id from public.documents where title = 'Um'), 'worker-1', 1, tests.one_chunk('Texto de Um')),
  1, 'the holder writes the chunks');
select is((select row(status, current_version, chunk_count, ingest_worker, ingest_lease_until, ingest_attempts)::text from public.documents where title = 'Um'),
  row('ready', 1, 1, null, null, 0)::text, 'the document is ready, its lease gone');

-- A new version while a job runs: the old job's result is refused, the new version is work again.
select tests.authenticate_as('member_a');
insert into public.document_versions (document_id, pasted_text) select id, 'Dois, revisto' from public.documents where title = 'Dois';
select tests.authenticate_as_service_role();
select is((select row(status, ingest_worker)::text from public.documents where title = 'Dois'), row('pending', null)::text,
  'a new version puts a processing document back to pending and drops the lease');
select is(tests.error_code(format($$ select private.finish_ingest_job(%L, 'worker-1', 1, tests.one_chunk('old')) $$, (select id from public.documents where title = 'Dois'))),
  'ingest_lease_lost', 'the superseded job cannot write the old version');
select is(private.fail_ingest_job((select id from public.documents where title = 'Dois'), 'worker-1', 1, 'ingest_failed', 'late'),
  'superseded', 'nor fail it');
select is((select c.version from private.claim_ingest_jobs('worker-1', 5, 60) c), 2, 'the new version is claimed');

-- Failures: retryable ones wait and come back; the others fail with their code.
select is(private.fail_ingest_job((select id from public.documents where title = 'Dois'), 'worker-1', 2, 'document_fetch_failed', 'the address answered 503', true, 30),
  'retrying', 'a retryable failure is tried again');
select is((select row(status, ingest_attempts, ingest_not_before = now() + interval '60 seconds', failure_code)::text from public.documents where title = 'Dois'),
  row('pending', 2, true, null)::text, 'it waits, longer after each attempt, before it can be claimed');
select is((select count(*)::int from private.claim_ingest_jobs('worker-1', 5, 60)), 0, 'not before its wait is over');
select is(private.fail_ingest_job((select id from public.documents where title = 'Três'), 'worker-2', 1, 'document_type_unsupported', 'PDF cannot be read yet'),
  'failed', 'a permanent failure fails the document');
select is((select row(status, failure_code, failure_reason, ingest_worker)::text from public.documents where title = 'Três'),
  row('failed', 'document_type_unsupported', 'PDF cannot be read yet', null)::text, 'with its code and reason');

-- A worker that died: its lease runs out and another worker takes over, until the attempts run out.
reset role;
update public.documents set ingest_not_before = null where title = 'Dois';
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_ingest_jobs('worker-dead', 1, 60)), 1, 'a worker claims, then dies');
reset role;
update public.documents set ingest_lease_until = now() - interval '1 second' where title = 'Dois';
select tests.authenticate_as_service_role();
select ok(private.rescue_stalled_ingest() is not null, 'the sweep finds the lost job and wakes the function');
select is((select c.attempt from private.claim_ingest_jobs('worker-4', 1, 60) c), 4, 'an expired lease is taken over, as another attempt');
select is((select ingest_worker from public.documents where title = 'Dois'), 'worker-4', 'the new worker holds it');
reset role;
update public.documents set ingest_lease_until = now() - interval '1 second', ingest_attempts = 5 where title = 'Dois';
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_ingest_jobs('worker-5', 1, 60)), 0, 'a document whose attempts ran out is not claimed again');
select is((select row(status, failure_code)::text from public.documents where title = 'Dois'), row('failed', 'ingest_attempts_exhausted')::text,
  'it fails with ingest_attempts_exhausted');

-- ─── the documents bucket ────────────────────────────────────────────────────────────────────
select is((select row(public, file_size_limit)::text from storage.buckets where id = 'documents'), row(false, 20971520)::text,
  'the documents bucket is private, 20 MiB a file');
create temporary table paths as
select d.tenant_id || '/' || d.id || '/1/um.md' as own, tests.tenant_id('tenant-b') || '/' || d.id || '/1/um.md' as misfiled
from public.documents d where d.title = 'Um';
grant select on paths to authenticated, anon;
insert into storage.objects (bucket_id, name) select 'documents', own from paths;

select tests.authenticate_as('member_a');
select lives_ok($$ insert into storage.objects (bucket_id, name) select 'documents', replace(own, '/1/', '/2/') from paths $$,
  'a member uploads under the company''s folder and document');
select throws_ok($$ insert into storage.objects (bucket_id, name) select 'documents', split_part(own, '/', 1) || '/loose.md' from paths $$,
  '42501', null, 'not outside the <tenant>/<document>/<version>/<file> layout');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 2, 'an analyst reads the company''s files');
select throws_ok($$ insert into storage.objects (bucket_id, name) select 'documents', replace(own, '/1/', '/3/') from paths $$,
  '42501', null, 'an analyst cannot upload');
-- As the Storage API deletes (a bare DELETE is refused by storage.protect_delete).
set local storage.allow_delete_query = 'true';
delete from storage.objects where bucket_id = 'documents';
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 2, 'an analyst''s delete removes nothing');
select tests.authenticate_as('owner_b');
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 0, 'another company reads none of A''s files');
select throws_ok($$ insert into storage.objects (bucket_id, name) select 'documents', misfiled from paths $$,
  '42501', null, 'nor files A''s document under its own folder');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 0, 'a platform admin in no company reads none');
select tests.clear_authentication();
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 0, 'anon reads none');
select tests.authenticate_as('owner_a');
delete from storage.objects where bucket_id = 'documents';
select is((select count(*)::int from storage.objects where bucket_id = 'documents'), 0, 'an owner deletes the company''s files');

select * from finish();
rollback;
