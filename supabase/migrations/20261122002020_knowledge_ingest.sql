-- knowledge ingestion: documents are the queue. A new version puts its document back to pending and
-- wakes the `ingest` function through pg_net (and a pg_cron sweep every minute catches what a lost
-- wake or a retry's wait left behind); the function claims documents with a lease, extracts and
-- chunks the text, embeds it, and finishes with public.replace_document_chunks — or records why it
-- failed, with a code. Files live in the private Storage bucket `documents`, under
-- `<tenant id>/<document id>/<version>/<file name>`, read by the company's members and written by
-- those who manage knowledge.
--
-- Who may do what (all service side: the ingest function connects as the database owner):
--   private.claim_ingest_jobs     claims pending documents (and those whose lease ran out)
--   private.renew_ingest_lease    keeps a long job's lease
--   private.finish_ingest_job     swaps the chunks in, only for the lease holder and the newest version
--   private.fail_ingest_job       retries later (a retryable failure, up to the attempt limit) or fails
--                                 the document with a code; the previous version stays searchable
-- The queue's columns on documents (lease, attempts, backoff, failure code) and the status machine
-- that drops a lease and resets the attempts are documents' own, in 20261122002000.

-- ─── the queue ────────────────────────────────────────────────────────────────────────────────
-- After this many claims a document whose worker keeps dying (or keeps hitting retryable errors)
-- fails instead of being tried forever.
create or replace function private.ingest_max_attempts()
returns integer
language sql
immutable
set search_path = ''
as $$ select 5 $$;

/*
 * Claims up to `max_jobs` documents for `worker`: pending ones whose wait is over, and processing
 * ones whose lease ran out (their worker died). Each claim counts an attempt; a document whose lost
 * leases used up its attempts fails with ingest_attempts_exhausted instead. Skips rows another
 * worker is claiming (SKIP LOCKED), so workers side by side never take the same document. Answers
 * what the worker needs: the newest version's source and the base's settings.
 */
create or replace function private.claim_ingest_jobs(worker text, max_jobs integer default 4, lease_seconds integer default 120)
returns table (
  document_id uuid,
  tenant_id uuid,
  knowledge_base_id uuid,
  version integer,
  attempt integer,
  source public.document_source,
  source_url text,
  file_name text,
  mime_type text,
  storage_path text,
  pasted_text text,
  language public.knowledge_language,
  embedder public.knowledge_embedder,
  embedding_model text,
  chunk_size integer,
  chunk_overlap integer,
  split_by_headings boolean
)
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'knowledge_service_only', message = 'only ingestion claims documents';
  end if;
  if worker is null or max_jobs is null or max_jobs < 1 or lease_seconds is null or lease_seconds < 1 then
    raise exception using errcode = '22023', constraint = 'ingest_claim_arguments', message = 'a worker, max_jobs ≥ 1 and lease_seconds ≥ 1 are required';
  end if;

  update public.documents d set
    status = 'failed',
    failure_code = 'ingest_attempts_exhausted',
    failure_reason = format('ingestion stopped after %s attempts', d.ingest_attempts)
  where d.status = 'processing' and d.ingest_lease_until < now() and d.ingest_attempts >= private.ingest_max_attempts();

  return query
  with claimable as (
    select d.id
    from public.documents d
    where d.latest_version >= 1
      and ((d.status = 'pending' and (d.ingest_not_before is null or d.ingest_not_before <= now()))
           or (d.status = 'processing' and d.ingest_lease_until < now()))
    order by d.status_changed_at
    limit max_jobs
    for update of d skip locked
  ),
  claimed as (
    update public.documents d set
      status = 'processing',
      ingest_worker = worker,
      ingest_lease_until = now() + pg_catalog.make_interval(secs => lease_seconds),
      ingest_attempts = d.ingest_attempts + 1
    from claimable
    where d.id = claimable.id
    returning d.id, d.tenant_id, d.knowledge_base_id, d.latest_version, d.ingest_attempts, d.source, d.source_url, d.file_name, d.mime_type
  )
  select c.id, c.tenant_id, c.knowledge_base_id, c.latest_version, c.ingest_attempts, c.source, c.source_url, c.file_name, c.mime_type,
         v.storage_path, v.pasted_text,
         kb.language, kb.embedder, kb.embedding_model, kb.chunk_size, kb.chunk_overlap, kb.split_by_headings
  from claimed c
  join public.document_versions v on v.document_id = c.id and v.version = c.latest_version
  join public.knowledge_bases kb on kb.id = c.knowledge_base_id;
end;
$$;
comment on function private.claim_ingest_jobs(text, integer, integer) is
  'Service only: claims documents to ingest with a lease (SKIP LOCKED); fails those whose lost leases used up their attempts.';

-- The holder of a document's lease, on its newest version, locked; null when the job is no longer its.
create or replace function private.held_ingest_job(target_document_id uuid, worker text, held_version integer)
returns public.documents
language sql
security definer
set search_path = ''
as $$
  select d.* from public.documents d
  where d.id = target_document_id and d.status = 'processing' and d.ingest_worker = worker and d.latest_version = held_version
  for update;
$$;

/* Extends the lease of a job `worker` still holds; false when it holds it no more (stop working on it). */
create or replace function private.renew_ingest_lease(target_document_id uuid, worker text, held_version integer, lease_seconds integer default 120)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'knowledge_service_only', message = 'only ingestion renews a lease';
  end if;
  if (private.held_ingest_job(target_document_id, worker, held_version)).id is null then
    return false;
  end if;
  update public.documents set ingest_lease_until = now() + pg_catalog.make_interval(secs => lease_seconds) where id = target_document_id;
  return true;
end;
$$;

/*
 * The job's one write: the version's chunks replace the document's (public.replace_document_chunks,
 * atomically) and the document is ready. Refused with ingest_lease_lost when `worker` no longer
 * holds the job or a newer version arrived meanwhile (that version's job will write instead).
 */
create or replace function private.finish_ingest_job(target_document_id uuid, worker text, finished_version integer, chunks jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  written integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'knowledge_service_only', message = 'only ingestion writes chunks';
  end if;
  if (private.held_ingest_job(target_document_id, worker, finished_version)).id is null then
    raise exception using errcode = '55000', constraint = 'ingest_lease_lost', message = 'this ingest job is no longer held by this worker';
  end if;
  written := public.replace_document_chunks(target_document_id, finished_version, chunks);
  update public.documents set ingest_attempts = 0, ingest_not_before = null where id = target_document_id;
  return written;
end;
$$;
comment on function private.finish_ingest_job(uuid, text, integer, jsonb) is
  'Service only: the lease holder swaps in the newest version''s chunks; the document becomes ready.';

/*
 * A job that failed. Retryable (a 5xx, a timeout) and attempts left: back to pending, tried again
 * after `retry_after_seconds` doubled per attempt ('retrying'). Otherwise the document fails with
 * `code` and `reason` ('failed'); its previous version, if any, stays searchable. 'superseded' when
 * the worker no longer holds the job (nothing changes).
 */
create or replace function private.fail_ingest_job(
  target_document_id uuid, worker text, failed_version integer, code text, reason text,
  retryable boolean default false, retry_after_seconds integer default 30
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  job public.documents;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'knowledge_service_only', message = 'only ingestion fails a document';
  end if;
  job := private.held_ingest_job(target_document_id, worker, failed_version);
  if job.id is null then
    return 'superseded';
  end if;
  if retryable and job.ingest_attempts < private.ingest_max_attempts() then
    update public.documents set
      status = 'pending',
      ingest_not_before = now() + pg_catalog.make_interval(secs => greatest(retry_after_seconds, 0) * power(2, job.ingest_attempts - 1))
    where id = target_document_id;
    return 'retrying';
  end if;
  update public.documents set
    status = 'failed',
    failure_code = code,
    failure_reason = left(coalesce(nullif(btrim(reason), ''), code), 2000)
  where id = target_document_id;
  return 'failed';
end;
$$;
comment on function private.fail_ingest_job(uuid, text, integer, text, text, boolean, integer) is
  'Service only: retries a document later or fails it with a code; the previous version stays searchable.';

-- ─── waking the function ──────────────────────────────────────────────────────────────────────
/*
 * Queues `POST <functions url>/ingest/run` with the service key through pg_net (sent after the
 * calling transaction commits). Null when Vault lacks the URL or key, as private.kick_executor.
 */
create or replace function private.kick_ingest()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || '/ingest/run',
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;

-- One wake per statement that adds versions (an upload of many files sends one request).
create or replace function private.kick_ingest_for_new_versions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.kick_ingest();
  return null;
end;
$$;
create trigger document_versions_kick_ingest after insert on public.document_versions
  for each statement execute function private.kick_ingest_for_new_versions();

/* The sweep: kicks the function when a document is claimable now (a lost wake, a retry's wait over, a dead worker's lease). */
create or replace function private.rescue_stalled_ingest()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.documents d
    where d.latest_version >= 1
      and ((d.status = 'pending' and (d.ingest_not_before is null or d.ingest_not_before <= now()))
           or (d.status = 'processing' and d.ingest_lease_until < now()))
  ) then
    return private.kick_ingest();
  end if;
  return null;
end;
$$;

select cron.schedule('renum-rescue-ingest', '* * * * *', 'select private.rescue_stalled_ingest()');

-- ─── Storage: the documents bucket ────────────────────────────────────────────────────────────
-- Private; 20 MiB a file (below the project's 50 MiB cap); the formats ingestion reads.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('documents', 'documents', false, 20971520, array[
  'text/plain', 'text/markdown', 'text/html', 'text/csv', 'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
])
on conflict (id) do nothing;

-- The company a documents object belongs to: its first folder, when that is a uuid.
create or replace function private.document_object_tenant(object_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when pg_catalog.split_part(object_name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then pg_catalog.split_part(object_name, '/', 1)::uuid end;
$$;

/*
 * Whether the caller may write `object_name` in the documents bucket: the path is
 * `<tenant>/<document>/<version>/<file>`, the document is that company's, and the caller manages
 * knowledge there. Security definer to read the document whatever the caller's grants.
 */
create or replace function private.can_write_document_object(object_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select private.has_capability(d.tenant_id, 'manage_knowledge')
    from public.documents d
    where pg_catalog.array_length(pg_catalog.string_to_array(object_name, '/'), 1) = 4
      and pg_catalog.split_part(object_name, '/', 2) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and pg_catalog.split_part(object_name, '/', 3) ~ '^[1-9][0-9]{0,8}$'
      and pg_catalog.split_part(object_name, '/', 4) <> ''
      and d.id = pg_catalog.split_part(object_name, '/', 2)::uuid
      and d.tenant_id = private.document_object_tenant(object_name)
  ), false);
$$;

create policy "members read their company's document files" on storage.objects
  for select to authenticated
  using (bucket_id = 'documents' and private.document_object_tenant(name) in (select private.tenants_of_caller()));
create policy "knowledge managers upload document files" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'documents' and private.can_write_document_object(name));
create policy "knowledge managers replace document files" on storage.objects
  for update to authenticated
  using (bucket_id = 'documents' and private.can_write_document_object(name))
  with check (bucket_id = 'documents' and private.can_write_document_object(name));
create policy "knowledge managers delete document files" on storage.objects
  for delete to authenticated
  using (bucket_id = 'documents' and (select private.has_capability(private.document_object_tenant(name), 'manage_knowledge')));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.claim_ingest_jobs(text, integer, integer) from public;
revoke all on function private.held_ingest_job(uuid, text, integer) from public;
revoke all on function private.renew_ingest_lease(uuid, text, integer, integer) from public;
revoke all on function private.finish_ingest_job(uuid, text, integer, jsonb) from public;
revoke all on function private.fail_ingest_job(uuid, text, integer, text, text, boolean, integer) from public;
revoke all on function private.kick_ingest() from public;
revoke all on function private.rescue_stalled_ingest() from public;
revoke all on function private.can_write_document_object(text) from public;
grant execute on function private.claim_ingest_jobs(text, integer, integer) to service_role;
grant execute on function private.renew_ingest_lease(uuid, text, integer, integer) to service_role;
grant execute on function private.finish_ingest_job(uuid, text, integer, jsonb) to service_role;
grant execute on function private.fail_ingest_job(uuid, text, integer, text, text, boolean, integer) to service_role;
grant execute on function private.kick_ingest() to service_role;
grant execute on function private.rescue_stalled_ingest() to service_role;
-- Storage evaluates the policies as the calling user.
grant execute on function private.document_object_tenant(text) to authenticated, service_role;
grant execute on function private.can_write_document_object(text) to authenticated, service_role;
