-- knowledge search speed: the text half reads the GIN index again.
--
-- Found with EXPLAIN (ANALYZE, BUFFERS) as a member under RLS at 250,000 chunks: the text half's
-- tier query never used document_chunks_fts_idx. Under row level security a condition of the
-- query may serve as an index condition only when its operator is leakproof (or it would run
-- before the policy and could leak rows through errors); `@@` (ts_match_vq) is not, so
-- `fts @@ tier_query` could only be a filter. The planner read the base through
-- document_chunks_base_idx instead — a bitmap of every chunk of the base — and tested each row:
-- 63,000 rows read and 15,666 heap pages to find 250 with all three words of a query (2.1 s in
-- that run). As the table's owner the same query is a GIN bitmap of ~950 matches (8–30 ms).
--
-- So the text candidates come from public.knowledge_text_candidates, security definer (no RLS, so
-- the GIN index serves `@@`), which decides itself which of the named bases the caller may read —
-- the rule the policies on knowledge_bases and document_chunks state (the caller's companies;
-- the service role and direct sessions all) — and answers only chunk ids. search_knowledge stays
-- security invoker: it reads and scores every candidate again under RLS, so even a wrong id could
-- never surface another company's chunk. The tiers are those of 20261122002010 unchanged; a bitmap
-- heap scan reads matches in the table's order whichever index made the bitmap, so each tier
-- still takes the same first matches.
--
-- Also: the query's lexemes and tsquery are computed once (a MATERIALIZED CTE: inlined, they were
-- parsed again for every candidate row), and the document's title is looked up by its key for the
-- few returned rows (the planner joined a sequential scan of every document under RLS).

-- ─── the text half's candidates ───────────────────────────────────────────────────────────────
/*
 * The ids of up to `candidate_count` chunks of the named bases that the caller may read, found by
 * full text in tiers of coverage (all the query's words, all but one while that is ≤ 16
 * alternatives, any), each tier reading at most 5 × `candidate_count` GIN matches and ranking them
 * by ts_rank_cd. In `public` because search_knowledge runs as its caller, who has no access to
 * `private`; callable alone, it answers nothing the caller could not read.
 */
create or replace function public.knowledge_text_candidates(
  query_text text,
  knowledge_base_ids uuid[],
  candidate_count integer,
  collection_ids uuid[] default null,
  metadata_filter jsonb default null
)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
set jit = off
-- Only bitmaps: a plain scan "until the cap is reached" — of the table, or of an index in its
-- order — is what the planner picks when it believes the words common, and reads the whole base
-- when they are not (the reason of 20261122002010).
set enable_seqscan = off
set enable_indexscan = off
as $$
declare
  tier_cap integer;
  readable_base_ids uuid[];
  language_row record;
  lexemes text[];
  lexeme_count integer;
  left_out integer;
  tier_query tsquery;
  any_query tsquery;
  tier_ids uuid[];
  language_ids uuid[];
  text_ids uuid[] := '{}';
begin
  if candidate_count is null or candidate_count < 1 or candidate_count > 1000 then
    raise exception using errcode = '22023', constraint = 'search_candidate_count', message = 'candidate_count must be between 1 and 1000';
  end if;
  if char_length(query_text) > 10000 then
    raise exception using errcode = '22023', constraint = 'search_query_length', message = 'the query must have at most 10000 characters';
  end if;
  tier_cap := candidate_count * 5;
  -- What the policies let the caller read: their companies' bases (narrowed by a tenant scope), or
  -- every base for the service role and direct sessions, which bypass RLS.
  readable_base_ids := array(
    select kb.id from public.knowledge_bases kb
    where kb.id = any (knowledge_text_candidates.knowledge_base_ids)
      and (private.is_trusted_caller() or kb.tenant_id in (select private.tenants_of_caller()))
  );
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
  return text_ids;
end;
$$;
comment on function public.knowledge_text_candidates(text, uuid[], integer, uuid[], jsonb) is
  'The text half of search_knowledge: ids of the best full-text matches (tiers of coverage, GIN) in the named bases the caller may read.';
revoke all on function public.knowledge_text_candidates(text, uuid[], integer, uuid[], jsonb) from public, anon;
grant execute on function public.knowledge_text_candidates(text, uuid[], integer, uuid[], jsonb) to authenticated, service_role;

-- ─── search ───────────────────────────────────────────────────────────────────────────────────
-- As 20261122002070, with the text candidates from knowledge_text_candidates.
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
as $$
declare
  candidate_count integer;
  readable_base_ids uuid[];
  -- The embedder the query's vector must come from: the one all readable bases use now (their
  -- vectors live in one space only then). The vector half scores only chunks it made, so two
  -- embedders' vectors are never compared.
  vector_embedder public.knowledge_embedder;
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

  if coalesce(pg_catalog.btrim(query_text), '') <> '' and cardinality(readable_base_ids) > 0 then
    text_ids := public.knowledge_text_candidates(query_text, readable_base_ids, candidate_count, collection_ids, metadata_filter);
  end if;

  for found in
    with languages as materialized (
      -- Any of the query's words, not all of them: the text part scores how many a chunk has.
      -- Materialized: computed once, not again for each candidate row.
      select q.config, q.lexemes, nullif(cardinality(q.lexemes), 0) as lexeme_count,
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
                                 intersect select pg_catalog.unnest(l.lexemes)))::double precision / l.lexeme_count,
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
    select r.id, r.document_id,
           -- By its key, for the few rows returned (a join scanned every readable document).
           (select d.title from public.documents d where d.id = r.document_id) as title,
           r.knowledge_base_id, r.version, r.chunk_index, r.content, r.heading_path,
           r.page, r.vector_part, r.text_part, r.fused,
           pg_catalog.ts_headline(r.text_search_config, r.content, r.query,
                                  'MaxFragments=2, MaxWords=30, MinWords=10, StartSel=«, StopSel=»') as snippet
    from ranked r
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
