-- knowledge: a company's knowledge bases → collections → documents (each change an immutable
-- version) → chunks with a 384-d embedding and a full-text vector in the base's language; usage
-- statistics per chunk and agent. Search is one SQL call (public.search_knowledge, next migration).
--
-- Who may do what:
--   owner, admin, member (manage_knowledge)  create, change and delete bases, collections and
--                                            documents; add document versions
--   analyst                                  reads
--   service (the ingest function)            moves a document through its status machine and
--                                            replaces its chunks (public.replace_document_chunks)
--   platform admin in no tenant, anon        nothing
--
-- Who writes each table:
--   knowledge_bases, knowledge_collections   people with manage_knowledge (RLS)
--   documents                                people with manage_knowledge insert and rename; the
--                                            status columns only the service role, through the machine
--   document_versions                        people with manage_knowledge insert; nobody changes one
--   document_chunks                          public.replace_document_chunks() only (service role)
--   document_usage_stats                     private.record_knowledge_usage() only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
-- The Postgres text search configurations a base may use; Portuguese by default.
create type public.knowledge_language as enum ('portuguese', 'english', 'spanish', 'simple');
-- How a base turns text into vectors: a keyless deterministic lexical embedder (hashed word and
-- character n-grams: honest about being lexical), an OpenAI-compatible /v1/embeddings endpoint, or
-- the edge runtime's gte-small on hosted Supabase.
create type public.knowledge_embedder as enum ('lexical', 'openai_compatible', 'gte_small');
create type public.document_source as enum ('upload', 'url', 'text');
create type public.document_status as enum ('pending', 'processing', 'ready', 'failed');
create type public.document_change as enum ('created', 'replaced', 'reingested');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.knowledge_bases (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint knowledge_bases_name_length check (char_length(btrim(name)) between 1 and 200),
  description text not null default '' constraint knowledge_bases_description_length check (char_length(description) <= 2000),
  language public.knowledge_language not null default 'portuguese',
  embedder public.knowledge_embedder not null default 'lexical',
  embedding_model text not null default 'lexical-v1' constraint knowledge_bases_embedding_model_length check (char_length(embedding_model) between 1 and 200),
  -- One dimension everywhere: the chunk column is vector(384).
  embedding_dimension integer not null default 384 constraint knowledge_bases_embedding_dimension check (embedding_dimension = 384),
  -- Chunking, in characters (as Dify's defaults, scaled: ~500 tokens, 50 overlap).
  chunk_size integer not null default 1500 constraint knowledge_bases_chunk_size check (chunk_size between 100 and 8000),
  chunk_overlap integer not null default 150 constraint knowledge_bases_chunk_overlap check (chunk_overlap >= 0),
  split_by_headings boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint knowledge_bases_overlap_below_size check (chunk_overlap < chunk_size),
  -- Collections and documents name (id, tenant_id) so they can never point into another company.
  constraint knowledge_bases_id_tenant unique (id, tenant_id)
);

create table public.knowledge_collections (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  knowledge_base_id uuid not null,
  name text not null constraint knowledge_collections_name_length check (char_length(btrim(name)) between 1 and 200),
  description text not null default '' constraint knowledge_collections_description_length check (char_length(description) <= 2000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (knowledge_base_id, tenant_id) references public.knowledge_bases (id, tenant_id) on delete cascade,
  constraint knowledge_collections_id_base unique (id, knowledge_base_id)
);

create table public.documents (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  knowledge_base_id uuid not null,
  collection_id uuid,
  title text not null constraint documents_title_length check (char_length(btrim(title)) between 1 and 500),
  source public.document_source not null,
  source_url text constraint documents_source_url_format check (source_url ~ '^https?://[^\s/$.?#][^\s]*$' and char_length(source_url) <= 2048),
  file_name text constraint documents_file_name_format check (char_length(file_name) between 1 and 255 and file_name !~ '[/\\[:cntrl:]]'),
  mime_type text constraint documents_mime_type_format check (mime_type ~ '^[a-z0-9.+-]+/[a-z0-9.+-]+$' and char_length(mime_type) <= 200),
  size_bytes bigint constraint documents_size_bytes check (size_bytes between 0 and 104857600),
  status public.document_status not null default 'pending',
  failure_reason text constraint documents_failure_reason_length check (char_length(failure_reason) between 1 and 2000),
  -- The version whose chunks search sees (null until the first one is ready) and the newest one.
  current_version integer,
  latest_version integer not null default 0,
  content_hash text constraint documents_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  chunk_count integer not null default 0,
  status_changed_at timestamptz not null default now(),
  -- Why a failed document failed, as a stable code the web translates; failure_reason says it in words.
  failure_code text constraint documents_failure_code_format check (failure_code ~ '^[a-z][a-z0-9_]{0,63}$'),
  -- The ingest queue (20261122002020): who holds the document while processing, until when, how many
  -- claims it has had, and when a retry may start (backoff after a retryable failure).
  ingest_worker text constraint documents_ingest_worker_length check (char_length(ingest_worker) between 1 and 200),
  ingest_lease_until timestamptz,
  ingest_attempts integer not null default 0 constraint documents_ingest_attempts check (ingest_attempts >= 0),
  ingest_not_before timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (knowledge_base_id, tenant_id) references public.knowledge_bases (id, tenant_id) on delete cascade,
  foreign key (collection_id, knowledge_base_id) references public.knowledge_collections (id, knowledge_base_id) on delete set null (collection_id),
  constraint documents_source_fields check (
    case source
      when 'url' then source_url is not null
      when 'upload' then file_name is not null
      when 'text' then source_url is null
    end
  ),
  -- A failed document says why; no other status carries a reason.
  constraint documents_failure_reason_iff_failed check ((status = 'failed') = (failure_reason is not null)),
  constraint documents_failure_code_only_failed check (failure_code is null or status = 'failed'),
  constraint documents_lease_only_processing check ((ingest_worker is null and ingest_lease_until is null) or status = 'processing'),
  constraint documents_current_version_exists check (current_version is null or current_version between 1 and latest_version)
);

create table public.document_versions (
  document_id uuid not null references public.documents (id) on delete cascade,
  version integer not null constraint document_versions_version_positive check (version >= 1),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  change public.document_change not null default 'created',
  content_hash text constraint document_versions_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes bigint constraint document_versions_size_bytes check (size_bytes between 0 and 104857600),
  -- Where the content is: a Storage object (uploads), the URL's document, or the pasted text itself.
  storage_path text constraint document_versions_storage_path_length check (char_length(storage_path) between 1 and 1024),
  pasted_text text constraint document_versions_pasted_text_length check (char_length(pasted_text) between 1 and 2000000),
  note text not null default '' constraint document_versions_note_length check (char_length(note) <= 1000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (document_id, version)
);

-- What a chunk's full-text vector reads: its headings, then its text. array_to_string is only
-- stable (it is polymorphic); for text[] it is immutable, as a generated column needs.
create or replace function private.chunk_search_text(heading_path text[], content text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select pg_catalog.array_to_string(heading_path, ' ') || ' ' || content;
$$;

-- The largest table in the system: only what search and citations read, written in batches by
-- replace_document_chunks, with no per-row triggers. It holds one version per document — the
-- current one — so search never joins versions to filter.
create table public.document_chunks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  knowledge_base_id uuid not null,
  collection_id uuid,
  document_id uuid not null references public.documents (id) on delete cascade,
  version integer not null,
  chunk_index integer not null constraint document_chunks_chunk_index check (chunk_index >= 0),
  content text not null constraint document_chunks_content_length check (char_length(content) between 1 and 20000),
  heading_path text[] not null default '{}',
  page integer constraint document_chunks_page check (page >= 1),
  token_count integer not null constraint document_chunks_token_count check (token_count >= 0),
  metadata jsonb not null default '{}' constraint document_chunks_metadata_object check (jsonb_typeof(metadata) = 'object'),
  embedding extensions.vector(384) not null,
  -- The base's language, copied at write time: a generated column can only read its own row.
  text_search_config regconfig not null,
  fts tsvector generated always as (
    pg_catalog.to_tsvector(text_search_config, private.chunk_search_text(heading_path, content))
  ) stored,
  foreign key (knowledge_base_id, tenant_id) references public.knowledge_bases (id, tenant_id) on delete cascade,
  unique (document_id, chunk_index)
);

create table public.document_usage_stats (
  chunk_id uuid not null references public.document_chunks (id) on delete cascade,
  agent_id uuid not null references public.agents (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  use_count bigint not null default 1 constraint document_usage_stats_use_count check (use_count >= 1),
  first_used_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  primary key (chunk_id, agent_id)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index knowledge_bases_tenant_id_idx on public.knowledge_bases (tenant_id);
create index knowledge_collections_base_idx on public.knowledge_collections (knowledge_base_id);
create index knowledge_collections_tenant_id_idx on public.knowledge_collections (tenant_id);
create index documents_base_idx on public.documents (knowledge_base_id, created_at desc);
create index documents_tenant_id_idx on public.documents (tenant_id);
create index documents_collection_idx on public.documents (collection_id) where collection_id is not null;
-- The ingest queue reads pending and stuck processing documents.
create index documents_queue_idx on public.documents (status_changed_at) where status in ('pending', 'processing');
create index document_versions_tenant_id_idx on public.document_versions (tenant_id);
create index document_chunks_embedding_idx on public.document_chunks using hnsw (embedding extensions.vector_cosine_ops);
create index document_chunks_fts_idx on public.document_chunks using gin (fts);
create index document_chunks_base_idx on public.document_chunks (knowledge_base_id);
create index document_chunks_tenant_id_idx on public.document_chunks (tenant_id);
create index document_chunks_collection_idx on public.document_chunks (collection_id) where collection_id is not null;
create index document_usage_stats_agent_idx on public.document_usage_stats (agent_id);
create index document_usage_stats_tenant_id_idx on public.document_usage_stats (tenant_id);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A collection or document takes its company from its knowledge base; the caller cannot plant one.
create or replace function private.take_tenant_from_knowledge_base()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select kb.tenant_id into new.tenant_id from public.knowledge_bases kb where kb.id = new.knowledge_base_id;
  if new.tenant_id is null then
    raise exception using errcode = '23503', constraint = 'knowledge_base_not_found', message = 'knowledge base not found';
  end if;
  return new;
end;
$$;

-- A document is born pending, without versions; versions arrive through document_versions.
create or replace function private.prepare_document()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.status := 'pending';
  new.failure_reason := null;
  new.failure_code := null;
  new.ingest_worker := null;
  new.ingest_lease_until := null;
  new.ingest_attempts := 0;
  new.ingest_not_before := null;
  new.current_version := null;
  new.latest_version := 0;
  new.chunk_count := 0;
  new.status_changed_at := now();
  new.created_by := (select auth.uid());
  return new;
end;
$$;

/*
 * The document status machine: pending → processing → ready | failed; ready or failed → pending
 * (a new version, a re-ingest); processing → pending (a lost lease handed back). Only the service
 * role moves it, except that a new version (a person's insert) puts the document back to pending.
 * Leaving processing drops the lease; a new version (ready or failed → pending) starts its
 * attempts afresh; only a failed document keeps a failure reason and code.
 */
create or replace function private.enforce_document_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status is not distinct from old.status then
    if new.failure_reason is distinct from old.failure_reason
       or new.failure_code is distinct from old.failure_code
       or new.current_version is distinct from old.current_version
       or new.chunk_count is distinct from old.chunk_count then
      if not private.is_trusted_caller() then
        raise exception using errcode = '42501', constraint = 'document_status_service_only', message = 'only ingestion changes a document''s status';
      end if;
    end if;
    return new;
  end if;
  if not private.is_trusted_caller() and pg_catalog.pg_trigger_depth() <= 1 then
    raise exception using errcode = '42501', constraint = 'document_status_service_only', message = 'only ingestion changes a document''s status';
  end if;
  if not (
    (old.status = 'pending' and new.status = 'processing')
    or (old.status = 'processing' and new.status in ('ready', 'failed', 'pending'))
    or (old.status in ('ready', 'failed') and new.status = 'pending')
  ) then
    raise exception using
      errcode = '22023', constraint = 'document_status_transition',
      message = format('a document cannot go from %s to %s', old.status, new.status),
      detail = pg_catalog.jsonb_build_object('from', old.status, 'to', new.status)::text;
  end if;
  if new.status <> 'failed' then
    new.failure_reason := null;
    new.failure_code := null;
  end if;
  if new.status <> 'processing' then
    new.ingest_worker := null;
    new.ingest_lease_until := null;
  end if;
  if old.status in ('ready', 'failed') then
    new.ingest_attempts := 0;
    new.ingest_not_before := null;
  end if;
  new.status_changed_at := now();
  return new;
end;
$$;

-- A new version: numbered after the newest, authored by the caller, and the document goes back to
-- pending for ingestion. The document row is locked so two uploads at once get 1 and 2, not 1 and 1.
create or replace function private.prepare_document_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  document_row public.documents;
begin
  select * into document_row from public.documents d where d.id = new.document_id for update;
  if document_row.id is null then
    raise exception using errcode = '23503', constraint = 'document_not_found', message = 'document not found';
  end if;
  new.tenant_id := document_row.tenant_id;
  new.version := document_row.latest_version + 1;
  new.created_by := (select auth.uid());
  new.created_at := now();
  if new.version = 1 then
    new.change := 'created';
  elsif new.change = 'created' then
    new.change := 'replaced';
  end if;
  update public.documents set
    latest_version = new.version,
    content_hash = coalesce(new.content_hash, content_hash),
    size_bytes = coalesce(new.size_bytes, size_bytes),
    status = 'pending'
  where id = new.document_id;
  return new;
end;
$$;

create or replace function private.forbid_document_version_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = '42501', constraint = 'document_versions_immutable', message = 'document versions are immutable';
end;
$$;

-- A knowledge base that agents use is not deleted from under them: they are changed first.
create or replace function private.guard_knowledge_base_in_use()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  agent_names text[];
begin
  select pg_catalog.array_agg(a.name order by a.name) into agent_names
  from public.agents a where old.id = any (a.knowledge_base_ids);
  if agent_names is not null then
    raise exception using
      errcode = '23503', constraint = 'knowledge_base_in_use',
      message = 'agents use this knowledge base; remove it from them first',
      detail = pg_catalog.jsonb_build_object('agents', agent_names)::text;
  end if;
  return old;
end;
$$;

-- An agent's knowledge_base_ids are real bases of the agent's own company. Named to fire after
-- agents_guard_shared_edit (triggers fire in name order), whose refusal of a grantee comes first.
create or replace function private.check_agent_knowledge_bases()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown_id uuid;
begin
  -- Too many is agents_knowledge_base_ids_count's refusal, checked after this trigger.
  if cardinality(new.knowledge_base_ids) > 100 then
    return new;
  end if;
  select wanted into unknown_id
  from pg_catalog.unnest(new.knowledge_base_ids) as wanted
  where not exists (select 1 from public.knowledge_bases kb where kb.id = wanted and kb.tenant_id = new.tenant_id)
  limit 1;
  if unknown_id is not null then
    raise exception using
      errcode = '23503', constraint = 'agent_knowledge_base_not_found',
      message = format('knowledge_base_ids: %s is not a knowledge base of this company', unknown_id),
      detail = pg_catalog.jsonb_build_object('knowledge_base_id', unknown_id)::text;
  end if;
  return new;
end;
$$;

create trigger knowledge_bases_touch_updated_at before update on public.knowledge_bases
  for each row execute function private.touch_updated_at();
create trigger knowledge_bases_guard_immutable before update on public.knowledge_bases
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'created_by', 'created_at');
create trigger knowledge_bases_guard_writable before insert or update or delete on public.knowledge_bases
  for each row execute function private.guard_tenant_writable();
create trigger knowledge_bases_guard_in_use before delete on public.knowledge_bases
  for each row execute function private.guard_knowledge_base_in_use();
create trigger knowledge_bases_audit after insert or update or delete on public.knowledge_bases
  for each row execute function private.audit_row_change();

create trigger knowledge_collections_take_tenant before insert on public.knowledge_collections
  for each row execute function private.take_tenant_from_knowledge_base();
create trigger knowledge_collections_touch_updated_at before update on public.knowledge_collections
  for each row execute function private.touch_updated_at();
create trigger knowledge_collections_guard_immutable before update on public.knowledge_collections
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'knowledge_base_id', 'created_by', 'created_at');
create trigger knowledge_collections_guard_writable before insert or update or delete on public.knowledge_collections
  for each row execute function private.guard_tenant_writable();

create trigger documents_take_tenant before insert on public.documents
  for each row execute function private.take_tenant_from_knowledge_base();
create trigger documents_prepare before insert on public.documents
  for each row execute function private.prepare_document();
create trigger documents_status before update on public.documents
  for each row execute function private.enforce_document_status();
create trigger documents_touch_updated_at before update on public.documents
  for each row execute function private.touch_updated_at();
create trigger documents_guard_immutable before update on public.documents
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'knowledge_base_id', 'source', 'created_by', 'created_at');
create trigger documents_guard_writable before insert or update or delete on public.documents
  for each row execute function private.guard_tenant_writable();
create trigger documents_audit after insert or delete on public.documents
  for each row execute function private.audit_row_change();

create trigger document_versions_prepare before insert on public.document_versions
  for each row execute function private.prepare_document_version();
create trigger document_versions_immutable before update on public.document_versions
  for each row execute function private.forbid_document_version_changes();

create trigger agents_validate_knowledge_bases before insert or update of knowledge_base_ids on public.agents
  for each row execute function private.check_agent_knowledge_bases();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.knowledge_bases enable row level security;
alter table public.knowledge_collections enable row level security;
alter table public.documents enable row level security;
alter table public.document_versions enable row level security;
alter table public.document_chunks enable row level security;
alter table public.document_usage_stats enable row level security;

create policy "members read their tenant's knowledge bases" on public.knowledge_bases
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));
create policy "knowledge managers create bases" on public.knowledge_bases
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'manage_knowledge')) and created_by = (select auth.uid()));
create policy "knowledge managers change bases" on public.knowledge_bases
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_knowledge')))
  with check ((select private.has_capability(tenant_id, 'manage_knowledge')));
create policy "knowledge managers delete bases" on public.knowledge_bases
  for delete to authenticated using ((select private.has_capability(tenant_id, 'manage_knowledge')));

create policy "members read their tenant's collections" on public.knowledge_collections
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));
create policy "knowledge managers create collections" on public.knowledge_collections
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'manage_knowledge')) and created_by = (select auth.uid()));
create policy "knowledge managers change collections" on public.knowledge_collections
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_knowledge')))
  with check ((select private.has_capability(tenant_id, 'manage_knowledge')));
create policy "knowledge managers delete collections" on public.knowledge_collections
  for delete to authenticated using ((select private.has_capability(tenant_id, 'manage_knowledge')));

create policy "members read their tenant's documents" on public.documents
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));
create policy "knowledge managers create documents" on public.documents
  for insert to authenticated with check ((select private.has_capability(tenant_id, 'manage_knowledge')));
create policy "knowledge managers change documents" on public.documents
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_knowledge')))
  with check ((select private.has_capability(tenant_id, 'manage_knowledge')));
create policy "knowledge managers delete documents" on public.documents
  for delete to authenticated using ((select private.has_capability(tenant_id, 'manage_knowledge')));

create policy "members read their tenant's document versions" on public.document_versions
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));
-- tenant_id is taken from the document by the trigger; the check sees the final row.
create policy "knowledge managers add document versions" on public.document_versions
  for insert to authenticated with check ((select private.has_capability(tenant_id, 'manage_knowledge')));

create policy "members read their tenant's chunks" on public.document_chunks
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));

create policy "members read their tenant's usage stats" on public.document_usage_stats
  for select to authenticated using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.knowledge_bases, public.knowledge_collections, public.documents,
  public.document_versions, public.document_chunks, public.document_usage_stats from anon, authenticated;

grant select, delete on public.knowledge_bases to authenticated;
grant insert (tenant_id, name, description, language, embedder, embedding_model, chunk_size, chunk_overlap, split_by_headings, created_by)
  on public.knowledge_bases to authenticated;
-- Language and embedder changes re-embed everything: they go through the API's re-ingest path later.
grant update (name, description, chunk_size, chunk_overlap, split_by_headings) on public.knowledge_bases to authenticated;

grant select, delete on public.knowledge_collections to authenticated;
grant insert (knowledge_base_id, name, description, created_by) on public.knowledge_collections to authenticated;
grant update (name, description) on public.knowledge_collections to authenticated;

grant select, delete on public.documents to authenticated;
grant insert (knowledge_base_id, collection_id, title, source, source_url, file_name, mime_type, size_bytes)
  on public.documents to authenticated;
grant update (title, collection_id) on public.documents to authenticated;

grant select on public.document_versions to authenticated;
grant insert (document_id, change, content_hash, size_bytes, storage_path, pasted_text, note)
  on public.document_versions to authenticated;

grant select on public.document_chunks to authenticated;
grant select on public.document_usage_stats to authenticated;

-- The service role: everything but changing a version or a usage row by hand.
revoke update, delete on public.document_versions from service_role;
revoke insert, update, delete on public.document_usage_stats from service_role;
