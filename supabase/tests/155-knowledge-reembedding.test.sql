-- Changing a knowledge base's embedder: those who manage knowledge change it (with the key rules
-- of 20261122002050), which in the same transaction queues a re-ingest of every document's newest
-- text; a job that embedded with the old embedder cannot write; and search never scores a vector
-- of another embedder than the base's current one, while the text half still finds every chunk.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (member_b), anon and the
-- service role.
begin;
set search_path to public, extensions, tests;

select plan(32);

-- A 384-d vector with 1 at the given dimensions, as pgvector text.
create function tests.hot_vector(hot integer[]) returns text language sql immutable as $$
  select '[' || array_to_string(array(select case when i = any (hot) then 1 else 0 end from generate_series(1, 384) as i), ',') || ']';
$$;
create function tests.chunk_of(content text, hot integer[]) returns jsonb language sql immutable as $$
  select jsonb_build_array(jsonb_build_object('content', content, 'token_count', 3, 'embedding', tests.hot_vector(hot)));
$$;
grant execute on function tests.hot_vector(integer[]), tests.chunk_of(text, integer[]) to authenticated, service_role;

select tests.create_two_tenants();

reset role;
create temporary table kicks_before as select coalesce(max(id), 0) as last_id from net.http_request_queue;
create function pg_temp.ingest_kicks() returns bigint
language sql stable security definer set search_path = ''
as $$
  select count(*) from net.http_request_queue q, pg_temp.kicks_before b where q.id > b.last_id and q.url like '%/ingest/run'
$$;
grant execute on function pg_temp.ingest_kicks() to authenticated, service_role;

select tests.authenticate_as('admin_a');
select public.set_provider_key('openai-compatible', 'sk-admin-a-embed-0001', tests.tenant_id('tenant-a'), 'https://embed.example.com/v1');
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'), true);
select tests.authenticate_as('member_a');
select public.set_provider_key('openai', 'sk-member-a-company-0003', tests.tenant_id('tenant-a'));

-- A lexical base: Um and Dois ready, Três being embedded by a worker, Quatro waiting, Vazio without text.
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Manual', auth.uid());
create temporary table base as select id from public.knowledge_bases where name = 'Manual';
grant select on base to authenticated, service_role;
insert into public.documents (knowledge_base_id, title, source)
select id, title, 'text' from public.knowledge_bases, unnest(array['Um', 'Dois', 'Três']) as title;
insert into public.document_versions (document_id, pasted_text) select id, 'Texto de ' || title from public.documents;
select tests.authenticate_as_service_role();
select count(*) from private.claim_ingest_jobs('old-worker', 3, 60);
select private.finish_ingest_job(id, 'old-worker', 1, tests.chunk_of('Texto de Um sobre férias', array[1])) from public.documents where title = 'Um';
select private.finish_ingest_job(id, 'old-worker', 1, tests.chunk_of('Texto de Dois sobre contratos', array[2])) from public.documents where title = 'Dois';
select tests.authenticate_as('member_a');
insert into public.documents (knowledge_base_id, title, source) select id, title, 'text' from base, unnest(array['Quatro', 'Vazio']) as title;
insert into public.document_versions (document_id, pasted_text) select id, 'Texto de Quatro' from public.documents where title = 'Quatro';
select is((select array_agg(distinct embedder::text) from public.document_chunks), array['lexical'], 'chunks record the embedder that made their vectors');
reset role;
truncate kicks_before;
insert into kicks_before select coalesce(max(id), 0) from net.http_request_queue;

-- ─── who may change it ───────────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
update public.knowledge_bases set embedder = 'gte_small' where id = (select id from base);
select tests.authenticate_as('member_b');
update public.knowledge_bases set embedder = 'gte_small' where id = (select id from base);
select tests.clear_authentication();
select throws_ok($$ update public.knowledge_bases set embedder = 'gte_small' $$, '42501', null, 'anon changes no embedder');
select tests.authenticate_as('member_a');
select is((select embedder::text from public.knowledge_bases where id = (select id from base)), 'lexical',
  'neither an analyst nor another company''s member changes the embedder (RLS)');
select is((select count(*)::int from public.document_versions where change = 'reingested'), 0, 'their attempts queued nothing');

select is(
  tests.error_code($$ update public.knowledge_bases set embedder = 'openai_compatible' where name = 'Manual' $$),
  'embedding_key_required', 'switching to openai_compatible needs a key'
);
select is(
  tests.error_code(format($$ update public.knowledge_bases set embedder = 'openai_compatible', embedding_key_id = %L where name = 'Manual' $$,
                          tests.provider_key_id('member_a', 'openai', 'tenant-a'))),
  'embedding_key_not_usable', 'and the key must be one an owner or admin shared with the company'
);
select is(
  tests.error_code(format($$ update public.knowledge_bases set embedding_key_id = %L where name = 'Manual' $$,
                          tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'))),
  'embedding_key_not_accepted', 'a lexical base still takes no key'
);
select is((select count(*)::int from public.document_versions where change = 'reingested'), 0, 'a refused change queues nothing');

select lives_ok(
  format($$ update public.knowledge_bases set embedder = 'openai_compatible', embedding_key_id = %L where name = 'Manual' $$,
         tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a')),
  'a member who manages knowledge switches the base to openai_compatible with a shared key'
);
select is((select embedding_model from public.knowledge_bases where name = 'Manual'), 'text-embedding-3-small', 'the model follows the embedder');

-- ─── the jobs queued ─────────────────────────────────────────────────────────────────────────
select is(
  (select array_agg(row(d.title, d.status, d.current_version, d.latest_version, v.change, v.pasted_text, v.created_by = auth.uid())::text order by d.title)
   from public.documents d join public.document_versions v on v.document_id = d.id and v.version = d.latest_version
   where d.title in ('Um', 'Dois', 'Três')),
  array[row('Dois', 'pending', 1, 2, 'reingested', 'Texto de Dois', true)::text,
        row('Três', 'pending', null, 2, 'reingested', 'Texto de Três', true)::text,
        row('Um', 'pending', 1, 2, 'reingested', 'Texto de Um', true)::text],
  'every ingested or in-progress document gets a reingested copy of its newest text, in the changer''s name, and waits for ingestion'
);
select is(
  (select array_agg(row(d.title, d.status, d.latest_version)::text order by d.title) from public.documents d where d.title in ('Quatro', 'Vazio')),
  array[row('Quatro', 'pending', 1)::text, row('Vazio', 'pending', 0)::text],
  'a document already waiting (it will be embedded by the new embedder) or without text gets no version'
);
select is(pg_temp.ingest_kicks(), 1::bigint, 'the change wakes the ingest function once');
select is((select count(*)::int from public.document_chunks), 2, 'the previous chunks stay until the new ones replace them');

-- ─── search while re-embedding ───────────────────────────────────────────────────────────────
select is(
  (select count(*)::int from public.search_knowledge(null, tests.hot_vector(array[1])::vector, array[(select id from base)], 5, 0, 1)),
  0, 'a query vector of the new embedder is not scored against the old embedder''s vectors'
);
select is(
  (select row(document_title, vector_score, text_score > 0)::text
   from public.search_knowledge('férias', tests.hot_vector(array[1])::vector, array[(select id from base)], 5, 0)),
  row('Um', 0, true)::text, 'the text half still finds the old chunk, its vector part 0'
);

-- ─── the new embedder's chunks ───────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(
  tests.error_code($$ select private.finish_ingest_job(id, 'old-worker', 1, tests.chunk_of('velho', array[3])) from public.documents where title = 'Três' $$),
  'ingest_lease_lost', 'a job that embedded with the old embedder cannot write its chunks'
);
select is(
  (select array_agg(row(d.title, c.version, c.embedder, c.embedding_model)::text order by d.title)
   from private.claim_ingest_jobs('new-worker', 10, 60) c join public.documents d on d.id = c.document_id),
  array[row('Dois', 2, 'openai_compatible', 'text-embedding-3-small')::text, row('Quatro', 1, 'openai_compatible', 'text-embedding-3-small')::text,
        row('Três', 2, 'openai_compatible', 'text-embedding-3-small')::text, row('Um', 2, 'openai_compatible', 'text-embedding-3-small')::text],
  'the re-ingest jobs are claimed with the new embedder'
);
select private.finish_ingest_job(id, 'new-worker', 2, tests.chunk_of('Texto de Um sobre férias', array[1])) from public.documents where title = 'Um';
select is(
  (select row(d.status, d.current_version, c.version, c.embedder)::text from public.documents d join public.document_chunks c on c.document_id = d.id where d.title = 'Um'),
  row('ready', 2, 2, 'openai_compatible')::text, 'the re-embedded chunks record the new embedder'
);
-- The new key is refused for Dois: it fails with the translated code, its old chunks stay.
select private.fail_ingest_job(id, 'new-worker', 2, 'embedding_key_refused', 'the embeddings server refused the key (401)') from public.documents where title = 'Dois';
select is(
  (select row(d.status, d.failure_code, d.current_version, c.embedder)::text from public.documents d join public.document_chunks c on c.document_id = d.id where d.title = 'Dois'),
  row('failed', 'embedding_key_refused', 1, 'lexical')::text, 'a refused key fails the document with its code and keeps the previous chunks'
);

select tests.authenticate_as('member_a');
select is(
  (select array_agg(row(document_title, round(vector_score::numeric, 2))::text)
   from public.search_knowledge(null, tests.hot_vector(array[1, 2])::vector, array[(select id from base)], 5, 0, 1)),
  array[row('Um', 0.71)::text], 'vector search scores the re-embedded chunk only'
);
select is(
  (select array_agg(row(document_title, vector_score)::text) from public.search_knowledge('contratos', tests.hot_vector(array[2])::vector, array[(select id from base)], 5, 0.4)),
  array[row('Dois', 0)::text], 'the failed document is still found by its words'
);

-- ─── bases of two embedders searched together ────────────────────────────────────────────────
-- Vendas stays lexical; Manual is openai_compatible now. No query vector fits both spaces, so
-- searched together they are found by their words alone, and a vector alone finds nothing.
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Vendas', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Cinco', 'text' from public.knowledge_bases where name = 'Vendas';
insert into public.document_versions (document_id, pasted_text) select id, 'Férias da equipe de vendas' from public.documents where title = 'Cinco';
select tests.authenticate_as_service_role();
select count(*) from private.claim_ingest_jobs('sales-worker', 5, 60);
select private.finish_ingest_job(id, 'sales-worker', 1, tests.chunk_of('Férias da equipe de vendas', array[1])) from public.documents where title = 'Cinco';
select tests.authenticate_as('member_a');
create temporary table both_bases as select array_agg(id order by name) as ids from public.knowledge_bases where name in ('Manual', 'Vendas');
select is(
  (select array_agg(row(document_title, round(vector_score::numeric, 2))::text)
   from public.search_knowledge(null, tests.hot_vector(array[1])::vector, array[(select id from public.knowledge_bases where name = 'Vendas')], 5, 0, 1)),
  array[row('Cinco', 1.00)::text], 'within one embedder''s base the vector half scores its chunks'
);
select is(
  (select count(*)::int from public.search_knowledge(null, tests.hot_vector(array[1])::vector, (select ids from both_bases), 5, 0, 1)),
  0, 'a vector alone over bases of two embedders scores nothing: the lexical and the OpenAI vectors are never compared'
);
select is(
  (select array_agg(row(document_title, vector_score)::text order by document_title)
   from public.search_knowledge('férias', tests.hot_vector(array[1])::vector, (select ids from both_bases), 5, 0)),
  array[row('Cinco', 0)::text, row('Um', 0)::text], 'with words as well, both bases'' chunks are found by their words, no vector scored'
);
select is(
  (select array_agg(distinct round(score::numeric, 4) = round(text_score::numeric, 4))
   from public.search_knowledge('férias', tests.hot_vector(array[1])::vector, (select ids from both_bases), 5, 0)),
  array[true], 'and their scores are their text scores'
);

-- ─── back to lexical, by the owner ───────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
update public.knowledge_bases set embedder = 'lexical' where name = 'Manual';
select is(
  (select row(embedder, embedding_model, embedding_key_id)::text from public.knowledge_bases where name = 'Manual'),
  row('lexical', 'lexical-v1', null)::text, 'leaving openai_compatible lets the key go and the model follows'
);
select is(
  (select array_agg(row(d.title, d.status, d.latest_version)::text order by d.title) from public.documents d where d.title in ('Um', 'Dois')),
  array[row('Dois', 'pending', 3)::text, row('Um', 'pending', 3)::text], 'the failed document is re-ingested too'
);
select is((select count(*)::int from public.document_versions where change = 'reingested'), 7,
  'so are the ones being embedded with the embedder just left (Três and Quatro, claimed)');
update public.knowledge_bases set name = 'Manual da empresa', chunk_size = 1000 where name = 'Manual';
select is((select count(*)::int from public.document_versions where change = 'reingested'), 7, 'other changes re-embed nothing');

select tests.authenticate_as_service_role();
select is(
  tests.error_code(format($$ update public.knowledge_bases set embedder = 'gte_small' where id = %L $$, (select id from base))),
  null, 'the service role may change it too'
);
select is((select count(*)::int from public.document_versions where change = 'reingested'), 7, 'a change while every document waits queues nothing more: they will be claimed with the newest embedder');

select * from finish();
rollback;
