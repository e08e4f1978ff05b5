-- knowledge re-embedding: a knowledge base's embedder can change, and changing it re-embeds every
-- document. Vectors of two embedders live in different spaces, so search never compares them.
--
-- How:
--   document_chunks.embedder   which embedder made the chunk's vector (copied from the base when
--                              ingestion writes the chunks: a change of embedder adds a version to
--                              every document being ingested, so a job that embedded with the old
--                              one loses its lease and cannot write)
--   changing embedder          people with manage_knowledge (the bases' RLS); in the same
--                              transaction every document that is not already waiting for ingestion
--                              gets a 'reingested' version of its newest text, which puts it back to
--                              pending and wakes the ingest function (20261122002020)
--   search_knowledge           the vector half scores only chunks made by the searched bases'
--                              current embedder; the text half still finds every chunk, so a document
--                              whose re-embedding failed (a refused key) stays findable by its words
--
-- Who may do what: unchanged from 20261122002000/2050; the embedder column joins the columns those
-- who manage knowledge may update. An openai_compatible base still needs a usable shared key
-- (20261122002050's rules); leaving openai_compatible drops the key the base had.

-- ─── the chunk's embedder ─────────────────────────────────────────────────────────────────────
alter table public.document_chunks add column embedder public.knowledge_embedder;
update public.document_chunks c set embedder = kb.embedder from public.knowledge_bases kb where kb.id = c.knowledge_base_id;
alter table public.document_chunks alter column embedder set not null;
comment on column public.document_chunks.embedder is
  'The embedder that made this chunk''s vector; search scores the vector only while it is the base''s current embedder.';

-- ─── changing a base's embedder ───────────────────────────────────────────────────────────────
/*
 * Before a change of embedder: the model follows the embedder (people cannot set it), an
 * openai_compatible base must be given a key, and a base leaving openai_compatible lets its key go.
 * Named to fire before knowledge_bases_check_embedder (name order), which then checks the key.
 */
create or replace function private.prepare_knowledge_base_embedder_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.embedder is not distinct from old.embedder then
    return new;
  end if;
  new.embedding_model := case new.embedder
    when 'lexical' then 'lexical-v1'
    when 'gte_small' then 'gte-small'
    else 'text-embedding-3-small'
  end;
  if new.embedder = 'openai_compatible' and new.embedding_key_id is null then
    raise exception using errcode = '22023', constraint = 'embedding_key_required', column = 'embedding_key_id',
      message = 'an openai_compatible knowledge base needs embedding_key_id: a key an owner or admin shared with the company''s runs';
  end if;
  if old.embedder = 'openai_compatible' and new.embedding_key_id is not distinct from old.embedding_key_id then
    new.embedding_key_id := null;
  end if;
  return new;
end;
$$;

/*
 * After a change of embedder: every document with a version that is not waiting for ingestion
 * (ready, failed, or being processed with the old embedder) gets a 'reingested' copy of its newest
 * version. The versions' trigger numbers them, puts the documents back to pending (a job in
 * progress loses its lease) and wakes the ingest function once. Pending documents are claimed later
 * and read the base's embedder then: the new one.
 */
create or replace function private.reingest_knowledge_base()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.document_versions (document_id, change, content_hash, size_bytes, storage_path, pasted_text, note)
  select v.document_id, 'reingested', v.content_hash, v.size_bytes, v.storage_path, v.pasted_text,
         format('embedder changed from %s to %s', old.embedder, new.embedder)
  from public.documents d
  join public.document_versions v on v.document_id = d.id and v.version = d.latest_version
  where d.knowledge_base_id = new.id and d.latest_version >= 1 and d.status <> 'pending'
  order by d.created_at, d.id;
  return null;
end;
$$;

create trigger knowledge_bases_adjust_embedder_change before update of embedder on public.knowledge_bases
  for each row execute function private.prepare_knowledge_base_embedder_change();
create trigger knowledge_bases_reingest_on_embedder_change after update of embedder on public.knowledge_bases
  for each row when (old.embedder is distinct from new.embedder) execute function private.reingest_knowledge_base();

revoke all on function private.prepare_knowledge_base_embedder_change() from public;
revoke all on function private.reingest_knowledge_base() from public;
grant update (embedder) on public.knowledge_bases to authenticated;

-- ─── chunks record their embedder ─────────────────────────────────────────────────────────────
/*
 * Replaces a document's chunks with those of `finished_version` and marks it ready, in one
 * transaction: search sees the old chunks or the new ones, never a mix. `chunks` is a JSON array
 * of {content, heading_path?, page?, token_count, metadata?, embedding: [384 numbers]}. A version
 * older than the one already searchable is refused (a slow retry must not roll a document back).
 * The chunks record the base's embedder: a change of embedder adds a version, so a job that
 * embedded with the old one can no longer finish (20261122002070).
 */
create or replace function public.replace_document_chunks(target_document_id uuid, finished_version integer, chunks jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  document_row public.documents;
  base_row public.knowledge_bases;
  written integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'knowledge_service_only', message = 'only ingestion writes chunks';
  end if;
  select * into document_row from public.documents d where d.id = target_document_id for update;
  if document_row.id is null then
    raise exception using errcode = 'P0002', constraint = 'document_not_found', message = 'document not found';
  end if;
  if finished_version is null or finished_version < 1 or finished_version > document_row.latest_version
     or finished_version < coalesce(document_row.current_version, 0) then
    raise exception using
      errcode = '22023', constraint = 'document_version_stale',
      message = format('version %s cannot replace the document''s chunks (current %s, latest %s)',
                       finished_version, document_row.current_version, document_row.latest_version);
  end if;
  if chunks is null or pg_catalog.jsonb_typeof(chunks) <> 'array' then
    raise exception using errcode = '22023', constraint = 'document_chunks_shape', message = 'chunks must be a JSON array';
  end if;
  select * into base_row from public.knowledge_bases kb where kb.id = document_row.knowledge_base_id;

  delete from public.document_chunks c where c.document_id = target_document_id;
  insert into public.document_chunks (tenant_id, knowledge_base_id, collection_id, document_id, version, chunk_index,
                                      content, heading_path, page, token_count, metadata, embedding, text_search_config, embedder)
  select document_row.tenant_id, document_row.knowledge_base_id, document_row.collection_id, target_document_id,
         finished_version, (item.ordinality - 1)::integer,
         item.value ->> 'content',
         coalesce(array(select pg_catalog.jsonb_array_elements_text(item.value -> 'heading_path')), '{}'),
         (item.value ->> 'page')::integer,
         coalesce((item.value ->> 'token_count')::integer, 0),
         coalesce(item.value -> 'metadata', '{}'),
         (item.value ->> 'embedding')::extensions.vector(384),
         base_row.language::text::regconfig,
         base_row.embedder
  from pg_catalog.jsonb_array_elements(chunks) with ordinality as item (value, ordinality);
  get diagnostics written = row_count;

  update public.documents set
    status = 'ready', current_version = finished_version, chunk_count = written
  where id = target_document_id;
  return written;
end;
$$;
comment on function public.replace_document_chunks(uuid, integer, jsonb) is
  'Service only: atomically swaps a document''s chunks for a finished version and marks it ready.';

-- ─── search: one embedder's vectors at a time ─────────────────────────────────────────────────
-- As 20261122002010, but the vector half (HNSW candidates and the scored vector part) counts only
-- chunks made by the embedder every searched base uses now; a re-embedding in progress leaves the
-- rest to the text half, and bases of different embedders searched together are searched by words
-- alone. The filter is on the scanned row, so the plan stays an HNSW index scan (iterative scans
-- walk on until enough rows pass).
create or replace function public.search_knowledge(
  query_text text,
  query_embedding extensions.vector(384) default null,
  knowledge_base_ids uuid[] default null,
  match_count integer default 3,
  min_score double precision default 0.5,
  vector_weight double precision default 0.5,
  collection_ids uuid[] default null,
  metadata_filter jsonb default null,
  agent_id uuid default null
)
returns table (
  chunk_id uuid,
  document_id uuid,
  document_title text,
  knowledge_base_id uuid,
  version integer,
  chunk_index integer,
  content text,
  heading_path text[],
  page integer,
  vector_score double precision,
  text_score double precision,
  score double precision,
  snippet text
)
language plpgsql
volatile
set search_path = ''
-- Filtered HNSW scans keep walking the graph until enough rows pass the filter (pgvector 0.8).
set hnsw.iterative_scan = 'relaxed_order'
set hnsw.ef_search = 100
-- A short query: compiling it (JIT) would cost more than running it.
set jit = off
-- Set here so that the text half's planner settings (below) end with the function.
set enable_seqscan = on
set enable_indexscan = on
as $$
declare
  candidate_count integer;
  -- At most this many GIN matches of one tier are read and ranked.
  tier_cap integer;
  readable_base_ids uuid[];
  -- The embedder the query's vector must come from: the one all readable bases use now (their
  -- vectors live in one space only then). The vector half scores only chunks it made, so two
  -- embedders' vectors are never compared.
  vector_embedder public.knowledge_embedder;
  language_row record;
  lexemes text[];
  lexeme_count integer;
  left_out integer;
  tier_query tsquery;
  any_query tsquery;
  tier_ids uuid[];
  language_ids uuid[];
  text_ids uuid[] := '{}';
  found record;
  used_ids uuid[] := '{}';
begin
  if match_count is null or match_count < 1 or match_count > 100 then
    raise exception using errcode = '22023', constraint = 'search_match_count', message = 'match_count must be between 1 and 100';
  end if;
  if vector_weight is null or vector_weight < 0 or vector_weight > 1 then
    raise exception using errcode = '22023', constraint = 'search_vector_weight', message = 'vector_weight must be between 0 and 1';
  end if;
  if coalesce(pg_catalog.btrim(query_text), '') = '' and query_embedding is null then
    raise exception using errcode = '22023', constraint = 'search_query_missing', message = 'a query text or embedding is required';
  end if;
  if char_length(query_text) > 10000 then
    raise exception using errcode = '22023', constraint = 'search_query_length', message = 'the query must have at most 10000 characters';
  end if;
  if knowledge_base_ids is null or cardinality(knowledge_base_ids) = 0 then
    raise exception using errcode = '22023', constraint = 'search_knowledge_bases_missing', message = 'knowledge_base_ids must name at least one knowledge base';
  end if;
  candidate_count := greatest(match_count * 10, 40);
  tier_cap := candidate_count * 5;
  -- With only one part asked for, that part is the whole score.
  if query_embedding is null then
    vector_weight := 0;
  elsif coalesce(pg_catalog.btrim(query_text), '') = '' then
    vector_weight := 1;
  end if;
  -- RLS decides which of the named bases the caller may read.
  readable_base_ids := array(select kb.id from public.knowledge_bases kb where kb.id = any (search_knowledge.knowledge_base_ids));
  select case when count(distinct kb.embedder) = 1 then min(kb.embedder::text)::public.knowledge_embedder end
  into vector_embedder
  from public.knowledge_bases kb where kb.id = any (readable_base_ids);
  -- Bases of different embedders searched together: no query vector fits them all, words alone.
  if vector_embedder is null and query_embedding is not null then
    query_embedding := null;
    if coalesce(pg_catalog.btrim(query_text), '') <> '' then
      vector_weight := 0;
    end if;
  end if;

  -- ─── the text half: GIN matches in tiers of coverage, each tier capped ───
  -- Each tier reads its matches through the GIN index (a bitmap) and stops at the cap. A plain scan
  -- "until the cap is reached" — of the table, or of the base's index — is what the planner picks
  -- when it believes the words common, and reads the whole base when they are not; so only the
  -- bitmap is allowed until the tiers are done (the function's SET clause restores both on return).
  perform pg_catalog.set_config('enable_seqscan', 'off', true), pg_catalog.set_config('enable_indexscan', 'off', true);
  for language_row in
    select distinct kb.language::text::regconfig as config from public.knowledge_bases kb where kb.id = any (readable_base_ids)
  loop
    lexemes := pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(language_row.config, coalesce(query_text, '')));
    lexeme_count := cardinality(lexemes);
    continue when lexeme_count = 0;
    any_query := pg_catalog.array_to_string(array(select pg_catalog.quote_literal(l) from pg_catalog.unnest(lexemes) as l), ' | ')::tsquery;
    language_ids := '{}';
    -- left_out: how many of the query's words a tier's chunks may lack (all words, all but one, any).
    left_out := 0;
    while left_out < lexeme_count and cardinality(language_ids) < candidate_count loop
      if left_out = 0 then
        tier_query := pg_catalog.array_to_string(array(select pg_catalog.quote_literal(l) from pg_catalog.unnest(lexemes) as l), ' & ')::tsquery;
      elsif left_out = 1 and lexeme_count between 3 and 16 then
        -- (b & c) | (a & c) | (a & b): every way of lacking one word.
        tier_query := pg_catalog.array_to_string(array(
          select '(' || pg_catalog.array_to_string(array(
                   select pg_catalog.quote_literal(l) from pg_catalog.unnest(lexemes) with ordinality as w (l, position)
                   where w.position <> skipped), ' & ') || ')'
          from pg_catalog.generate_series(1, lexeme_count) as skipped), ' | ')::tsquery;
      else
        tier_query := any_query;
        left_out := lexeme_count - 1;
      end if;
      tier_ids := array(
        select m.id
        from (
          select c.id, c.fts
          from public.document_chunks c
          where c.text_search_config = language_row.config
            and c.fts @@ tier_query
            and c.knowledge_base_id = any (readable_base_ids)
            and (collection_ids is null or c.collection_id = any (collection_ids))
            and (metadata_filter is null or c.metadata @> metadata_filter)
            and c.id <> all (language_ids)
          limit tier_cap
        ) m
        order by pg_catalog.ts_rank_cd(m.fts, any_query, 32) desc, m.id
        limit candidate_count - cardinality(language_ids)
      );
      language_ids := language_ids || tier_ids;
      left_out := left_out + 1;
    end loop;
    text_ids := text_ids || language_ids;
  end loop;
  perform pg_catalog.set_config('enable_seqscan', 'on', true), pg_catalog.set_config('enable_indexscan', 'on', true);

  for found in
    with languages as (
      -- Any of the query's words, not all of them: the text part scores how many a chunk has.
      select q.config, q.lexemes,
             pg_catalog.array_to_string(array(select pg_catalog.quote_literal(l) from pg_catalog.unnest(q.lexemes) as l), ' | ')::tsquery as query
      from (
        select distinct kb.language::text::regconfig as config,
               pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(kb.language::text::regconfig, coalesce(query_text, ''))) as lexemes
        from public.knowledge_bases kb
        where kb.id = any (readable_base_ids)
      ) q
    ),
    vector_candidates as (
      select c.id
      from public.document_chunks c
      where query_embedding is not null
        and c.knowledge_base_id = any (readable_base_ids)
        and (collection_ids is null or c.collection_id = any (collection_ids))
        and (metadata_filter is null or c.metadata @> metadata_filter)
        -- A plain equality on the chunk's column: the planner estimates it from the column's
        -- statistics and keeps the HNSW index scan (a per-base lookup here was estimated so
        -- selective that it sorted the whole base instead).
        and c.embedder = vector_embedder
      order by c.embedding operator(extensions.<=>) query_embedding
      limit candidate_count
    ),
    scored as (
      select c.*, l.query,
             case when query_embedding is null
                       or c.embedder is distinct from vector_embedder then 0::double precision
                  else greatest(0, 1 - (c.embedding operator(extensions.<=>) query_embedding)) end as vector_part,
             coalesce(
               cardinality(array(select pg_catalog.unnest(pg_catalog.tsvector_to_array(c.fts))
                                 intersect select pg_catalog.unnest(l.lexemes)))::double precision
                 / nullif(cardinality(l.lexemes), 0),
               0) as text_part,
             -- Breaks ties of the coarse text part (the share of the query's words a chunk has) by
             -- how close together and how often they appear, so equal shares rank the same way every time.
             pg_catalog.ts_rank_cd(c.fts, l.query, 32) as text_rank
      from public.document_chunks c
      join languages l on l.config = c.text_search_config
      where c.id in (select v.id from vector_candidates v union select t.id from pg_catalog.unnest(text_ids) as t (id))
    ),
    ranked as (
      select s.*, vector_weight * s.vector_part + (1 - vector_weight) * s.text_part as fused
      from scored s
      where vector_weight * s.vector_part + (1 - vector_weight) * s.text_part >= coalesce(min_score, 0)
      order by fused desc, s.text_rank desc, s.id
      limit match_count
    )
    select r.id, r.document_id, d.title, r.knowledge_base_id, r.version, r.chunk_index, r.content, r.heading_path,
           r.page, r.vector_part, r.text_part, r.fused,
           pg_catalog.ts_headline(r.text_search_config, r.content, r.query,
                                  'MaxFragments=2, MaxWords=30, MinWords=10, StartSel=«, StopSel=»') as snippet
    from ranked r
    join public.documents d on d.id = r.document_id
    order by r.fused desc, r.text_rank desc, r.id
  loop
    chunk_id := found.id;
    document_id := found.document_id;
    document_title := found.title;
    knowledge_base_id := found.knowledge_base_id;
    version := found.version;
    chunk_index := found.chunk_index;
    content := found.content;
    heading_path := found.heading_path;
    page := found.page;
    vector_score := found.vector_part;
    text_score := found.text_part;
    score := found.fused;
    snippet := found.snippet;
    used_ids := used_ids || found.id;
    return next;
  end loop;

  if search_knowledge.agent_id is not null and cardinality(used_ids) > 0 then
    perform public.record_knowledge_usage(search_knowledge.agent_id, used_ids);
  end if;
end;
$$;
comment on function public.search_knowledge(text, extensions.vector, uuid[], integer, double precision, double precision, uuid[], jsonb, uuid) is
  'Hybrid search (vector + full text, weighted) over the caller''s readable knowledge bases; records usage for agent_id.';

