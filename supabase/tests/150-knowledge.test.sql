-- Knowledge bases: each company reads only its own bases, documents, versions, chunks and usage
-- (by role), versions are immutable, the document status machine holds in SQL, chunks are replaced
-- atomically by the service only, and search_knowledge ranks a small fixture as expected.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(74);

-- A 384-d vector as text with 1 at the listed dimensions (1-based), for fixtures.
create function tests.knowledge_vector(hot integer[]) returns text language sql immutable as $$
  select '[' || string_agg(case when i = any (hot) then '1' else '0' end, ',' order by i) || ']'
  from generate_series(1, 384) as i;
$$;
grant execute on function tests.knowledge_vector(integer[]) to anon, authenticated, service_role;

select tests.create_two_tenants();

reset role;
select tests.rls_enabled('public', 'knowledge_bases');
select tests.rls_enabled('public', 'knowledge_collections');
select tests.rls_enabled('public', 'documents');
select tests.rls_enabled('public', 'document_versions');
select tests.rls_enabled('public', 'document_chunks');
select tests.rls_enabled('public', 'document_usage_stats');

-- ─── knowledge bases by role ─────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Políticas', auth.uid()) $$,
  'a member creates a knowledge base'
);
select is(
  (select row(language::text, embedder::text, embedding_dimension, chunk_size, chunk_overlap)::text from public.knowledge_bases where name = 'Políticas'),
  row('portuguese', 'lexical', 384, 1500, 150)::text,
  'a new base is Portuguese, lexical, 384-d, with default chunking'
);
select throws_ok(
  $$ insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-b'), 'Planted', auth.uid()) $$,
  '42501', 'new row violates row-level security policy for table "knowledge_bases"',
  'a member cannot create a base in another company'
);
select throws_ok(
  $$ insert into public.knowledge_bases (tenant_id, name, created_by, embedding_dimension) values (tests.tenant_id('tenant-a'), 'Big', auth.uid(), 1536) $$,
  '42501', 'permission denied for table knowledge_bases',
  'nobody picks another dimension'
);
select throws_ok(
  $$ insert into public.knowledge_bases (tenant_id, name, created_by, chunk_size, chunk_overlap) values (tests.tenant_id('tenant-a'), 'Odd', auth.uid(), 200, 200) $$,
  '23514', null, 'the overlap must be smaller than the chunk size'
);
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Analyst base', auth.uid()) $$,
  '42501', 'new row violates row-level security policy for table "knowledge_bases"',
  'an analyst cannot create a base'
);
select is((select count(*)::int from public.knowledge_bases), 1, 'an analyst reads the company''s bases');
update public.knowledge_bases set name = 'Renamed by analyst';
select is((select name from public.knowledge_bases), 'Políticas', 'an analyst''s update changes nothing');

select tests.authenticate_as('owner_b');
insert into public.knowledge_bases (tenant_id, name, created_by, language) values (tests.tenant_id('tenant-b'), 'Segredos de B', auth.uid(), 'english');
select tests.authenticate_as('member_b');
select is((select array_agg(name) from public.knowledge_bases), array['Segredos de B'], 'member of B reads only B''s bases');
delete from public.knowledge_bases where name = 'Políticas';
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.knowledge_bases $$, '42501', 'permission denied for table knowledge_bases', 'anon reads no bases');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.knowledge_bases), 0, 'a platform admin in no tenant reads no bases');

-- ─── collections, documents, versions ────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.knowledge_bases where name = 'Políticas'), 1, 'member of B could not delete A''s base');
insert into public.knowledge_collections (knowledge_base_id, name, created_by)
select id, 'RH', auth.uid() from public.knowledge_bases where name = 'Políticas';
select is(
  (select tenant_id from public.knowledge_collections where name = 'RH'), tests.tenant_id('tenant-a'),
  'a collection takes its company from its base'
);
select throws_ok(
  $$ insert into public.documents (knowledge_base_id, title, source, status) select id, 'x', 'text', 'ready' from public.knowledge_bases $$,
  '42501', 'permission denied for table documents', 'nobody inserts a document with a status'
);
insert into public.documents (knowledge_base_id, collection_id, title, source)
select kb.id, c.id, t.title, 'text'
from public.knowledge_bases kb join public.knowledge_collections c on c.knowledge_base_id = kb.id,
  (values ('Férias'), ('Reembolso'), ('Contratos'), ('Segurança')) as t (title);
select is(
  (select array_agg(row(status, latest_version, current_version is null)::text order by title) from public.documents),
  array_fill(row('pending', 0, true)::text, array[4]),
  'documents are born pending without versions'
);
insert into public.document_versions (document_id, pasted_text, content_hash)
select id, 'texto ' || title, repeat('a', 64) from public.documents;
insert into public.document_versions (document_id, pasted_text, note)
select id, 'texto revisto', 'revisão' from public.documents where title = 'Férias';
select is(
  (select array_agg(row(dv.version, dv.change, dv.created_by = auth.uid())::text order by dv.version) from public.document_versions dv
   join public.documents d on d.id = dv.document_id where d.title = 'Férias'),
  array[row(1, 'created', true)::text, row(2, 'replaced', true)::text],
  'versions are numbered in order, authored by the caller; the second one replaces'
);
select is((select latest_version from public.documents where title = 'Férias'), 2, 'the document knows its newest version');
select throws_ok(
  $$ update public.document_versions set note = 'rewritten' $$,
  '42501', 'permission denied for table document_versions', 'a member cannot change a version'
);
select throws_ok(
  $$ update public.documents set status = 'ready' $$,
  '42501', 'permission denied for table documents', 'a member cannot set a document''s status'
);
select lives_ok($$ update public.documents set title = 'Férias e licenças' where title = 'Férias' $$, 'a member renames a document');
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ insert into public.document_versions (document_id, pasted_text) select id, 'x' from public.documents limit 1 $$,
  '42501', 'new row violates row-level security policy for table "document_versions"',
  'an analyst cannot add a version'
);
select tests.authenticate_as('member_b');
select throws_ok(
  format($$ insert into public.document_versions (document_id, pasted_text) values (%L, 'planted') $$,
         (select id from public.documents where title = 'Reembolso')),
  '23503', 'document not found', 'member of B cannot add a version to A''s document'
);

-- ─── the status machine (service) ────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.document_versions set note = 'service rewrite' $$,
  '42501', 'permission denied for table document_versions', 'not even the service role changes a version'
);
select throws_ok(
  $$ update public.documents set status = 'ready' where title = 'Reembolso' $$,
  '22023', 'a document cannot go from pending to ready', 'pending cannot jump to ready'
);
select lives_ok($$ update public.documents set status = 'processing' where title = 'Reembolso' $$, 'pending → processing');
select throws_ok(
  $$ update public.documents set status = 'failed' where title = 'Reembolso' $$,
  '23514', null, 'a failure without a reason is refused'
);
select lives_ok(
  $$ update public.documents set status = 'failed', failure_reason = 'the PDF has no text' where title = 'Reembolso' $$,
  'processing → failed with the reason'
);
select throws_ok(
  $$ update public.documents set status = 'processing' where title = 'Reembolso' $$,
  '22023', 'a document cannot go from failed to processing', 'failed goes back through pending'
);
select lives_ok($$ update public.documents set status = 'pending' where title = 'Reembolso' $$, 'failed → pending (retry)');
select is((select failure_reason from public.documents where title = 'Reembolso'), null::text, 'the reason goes when it is retried');

-- Ready every document with chunks: the processing step, then the atomic swap.
update public.documents set status = 'processing';
select is(
  public.replace_document_chunks(
    (select id from public.documents where title = 'Férias e licenças'), 2,
    jsonb_build_array(
      jsonb_build_object('content', 'Cada colaborador tem direito a trinta dias de férias por ano.', 'heading_path', array['Férias'],
                         'token_count', 12, 'embedding', tests.knowledge_vector(array[1])),
      jsonb_build_object('content', 'As férias podem ser divididas em até três períodos.', 'heading_path', array['Férias', 'Divisão'],
                         'token_count', 10, 'page', 2, 'embedding', tests.knowledge_vector(array[1, 2])))),
  2, 'replacing chunks writes them all in one call'
);
select public.replace_document_chunks(id, 1, jsonb_build_array(
  jsonb_build_object('content', 'O reembolso de despesas de viagem exige nota fiscal.', 'token_count', 9, 'embedding', tests.knowledge_vector(array[3]))))
from public.documents where title = 'Reembolso';
select public.replace_document_chunks(id, 1, jsonb_build_array(
  jsonb_build_object('content', 'Os contratos de prestação de serviço são assinados pelo diretor.', 'token_count', 10, 'embedding', tests.knowledge_vector(array[4])),
  jsonb_build_object('content', 'Um contrato vence após doze meses.', 'token_count', 6, 'embedding', tests.knowledge_vector(array[4, 5]))))
from public.documents where title = 'Contratos';
select public.replace_document_chunks(id, 1, jsonb_build_array(
  jsonb_build_object('content', 'Senhas devem ter doze caracteres e ser trocadas a cada noventa dias.', 'token_count', 12, 'embedding', tests.knowledge_vector(array[6]))))
from public.documents where title = 'Segurança';
select is(
  (select array_agg(row(title, status, current_version, chunk_count)::text order by title) from public.documents),
  array[row('Contratos', 'ready', 1, 2)::text, row('Férias e licenças', 'ready', 2, 2)::text,
        row('Reembolso', 'ready', 1, 1)::text, row('Segurança', 'ready', 1, 1)::text],
  'each document is ready at its version with its chunk count'
);
select throws_ok(
  format($$ select public.replace_document_chunks(%L, 1, '[]') $$, (select id from public.documents where title = 'Férias e licenças')),
  '22023', null, 'an older version cannot replace a newer one''s chunks'
);
select is(
  (select array_agg(fts::text like '%divis%' order by chunk_index) from public.document_chunks c
   join public.documents d on d.id = c.document_id where d.title = 'Férias e licenças'),
  array[false, true],
  'the full-text vector includes the chunk''s headings'
);
select is(
  (select array_agg(text_search_config::text) from public.document_chunks where tenant_id = tests.tenant_id('tenant-a') group by 1 = 1),
  array_fill('portuguese'::text, array[6]),
  'chunks take the base''s language'
);

-- A new version goes back to pending; the previous chunks stay searchable until the swap.
select tests.authenticate_as('member_a');
insert into public.document_versions (document_id, pasted_text) select id, 'nova versão' from public.documents where title = 'Segurança';
select is(
  (select row(d.status, d.current_version, d.latest_version, (select count(*) from public.document_chunks c where c.document_id = d.id))::text
   from public.documents d where title = 'Segurança'),
  row('pending', 1, 2, 1)::text,
  'a new version is pending while the previous one stays searchable'
);
select throws_ok(
  format($$ select public.replace_document_chunks(%L, 2, '[]') $$, (select id from public.documents where title = 'Segurança')),
  '42501', 'permission denied for function replace_document_chunks', 'a member cannot write chunks'
);
select throws_ok(
  $$ insert into public.document_chunks (tenant_id, knowledge_base_id, document_id, version, chunk_index, content, token_count, embedding, text_search_config)
     select tenant_id, knowledge_base_id, id, 1, 9, 'planted', 1, tests.knowledge_vector(array[1])::vector, 'portuguese' from public.documents limit 1 $$,
  '42501', 'permission denied for table document_chunks', 'a member cannot insert chunks directly'
);

-- ─── chunks by actor ─────────────────────────────────────────────────────────────────────────
select is((select count(*)::int from public.document_chunks), 6, 'member of A reads A''s chunks');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.document_chunks), 6, 'an analyst of A reads A''s chunks');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.document_chunks), 0, 'member of B reads none of A''s chunks');
select is((select count(*)::int from public.documents), 0, 'member of B reads none of A''s documents');
select is((select count(*)::int from public.document_versions), 0, 'member of B reads none of A''s versions');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.document_chunks), 0, 'a platform admin in no tenant reads no chunks');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.document_chunks $$, '42501', 'permission denied for table document_chunks', 'anon reads no chunks');

-- ─── search ──────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
create temporary table base_a as select id from public.knowledge_bases where name = 'Políticas';
grant select on base_a to authenticated;
select is(
  (select array_agg(document_title order by score desc) from public.search_knowledge('quantos dias de férias tenho?', null, array[(select id from base_a)], 3, 0.5)),
  array['Férias e licenças'],
  'text-only search: the chunk with two of the query''s three words passes 0.5, those with one do not'
);
select is(
  (select document_title from public.search_knowledge('contratos', null, array[(select id from base_a)], 1, 0)),
  'Contratos',
  'Portuguese stemming: "contratos" finds "contrato"'
);
select is(
  (select array_agg(document_title order by score desc, chunk_index) from public.search_knowledge(
     null, tests.knowledge_vector(array[4])::vector, array[(select id from base_a)], 3, 0.5, 1)),
  array['Contratos', 'Contratos'],
  'vector-only search ranks the nearest chunks first and drops the far ones below 0.5'
);
select is(
  (select row(document_title, round(vector_score::numeric, 2), round(text_score::numeric, 2), round(score::numeric, 2))::text
   from public.search_knowledge('senhas', tests.knowledge_vector(array[6])::vector, array[(select id from base_a)]) limit 1),
  row('Segurança', 1.00, 1.00, 1.00)::text,
  'hybrid: a chunk that matches both parts scores 1'
);
-- Hybrid beats either part: the text says "férias", the vector points at "Reembolso"; the vacation
-- chunk on page 2 (dims 1 and 2) shares half the vector and all the words.
select is(
  (select array_agg(row(document_title, page)::text order by score desc) from public.search_knowledge(
     'divisão das férias', tests.knowledge_vector(array[2, 3])::vector, array[(select id from base_a)], 3, 0.5)),
  array[row('Férias e licenças', 2)::text],
  'hybrid ranks the chunk that both parts agree on first and cuts the rest at 0.5'
);
select ok(
  (select snippet like '%«férias»%' from public.search_knowledge('férias', null, array[(select id from base_a)], 1, 0)),
  'the snippet highlights the matched words'
);
select is(
  (select count(*)::int from public.search_knowledge('férias', null, array[(select id from base_a)], 3, 0,
     collection_ids => array[gen_random_uuid()])),
  0, 'a collection filter restricts the search'
);
-- The text half reads each tier of coverage through GIN, at most 5 × its candidates (200 for top 3):
-- 259 chunks have "estoque" alone; the one with "devolução" too, written last, is found by the
-- all-but-one tier (no chunk has all three words), not lost past the cap of the any-word tier.
select tests.authenticate_as('owner_a');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Estoque', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Inventário', 'text' from public.knowledge_bases where name = 'Estoque';
insert into public.document_versions (document_id, pasted_text) select id, 'inventário' from public.documents where title = 'Inventário';
select tests.authenticate_as_service_role();
update public.documents set status = 'processing' where title = 'Inventário';
select public.replace_document_chunks(id, 1, (
  select jsonb_agg(jsonb_build_object(
           'content', case when n = 260 then 'A devolução de mercadoria volta ao estoque em dois dias.' else format('O estoque da loja %s é contado toda semana.', n) end,
           'token_count', 9, 'embedding', tests.knowledge_vector(array[7])) order by n)
  from generate_series(1, 260) as n))
from public.documents where title = 'Inventário';
select tests.authenticate_as('member_a');
select is(
  (select row(content, round(text_score::numeric, 2))::text from public.search_knowledge(
     'devolução garantia estoque', null, array[(select id from public.knowledge_bases where name = 'Estoque')], 3, 0) limit 1),
  row('A devolução de mercadoria volta ao estoque em dois dias.', 0.67)::text,
  'full text: the chunk with the most of the query''s words comes first, however many have fewer'
);
select tests.authenticate_as('owner_a');
delete from public.knowledge_bases where name = 'Estoque';
select throws_ok(
  $$ select * from public.search_knowledge('x', null, '{}') $$,
  '22023', 'knowledge_base_ids must name at least one knowledge base', 'a search names its bases'
);
select throws_ok(
  $$ select * from public.search_knowledge('x', null, array[gen_random_uuid()], 0) $$,
  '22023', 'match_count must be between 1 and 100', 'top K is bounded'
);
select tests.authenticate_as('member_b');
select is(
  (select count(*)::int from public.search_knowledge('férias', tests.knowledge_vector(array[1])::vector, array[(select id from base_a)], 10, 0)),
  0, 'member of B finds nothing in A''s base even with its id'
);
-- The text half's candidates (knowledge_text_candidates) are read without RLS, so the GIN index
-- serves `@@`; the function applies the policies' rule itself.
select is(
  public.knowledge_text_candidates('férias', array[(select id from base_a)], 40),
  '{}'::uuid[], 'text candidates: a member of B gets no ids from A''s base, even with its id'
);
select tests.authenticate_as('member_a');
select set_eq(
  $$ select unnest(public.knowledge_text_candidates('férias contratos', array[(select id from base_a), gen_random_uuid()], 40)) $$,
  $$ select c.id from public.document_chunks c where c.knowledge_base_id = (select id from base_a)
       and c.fts @@ to_tsquery('portuguese', 'férias | contratos') $$,
  'text candidates: a member of A gets the ids of A''s chunks with any of the words (a base that does not exist adds none)'
);
select throws_ok(
  $$ select public.knowledge_text_candidates('férias', array[(select id from base_a)], 1001) $$,
  '22023', 'candidate_count must be between 1 and 1000', 'text candidates: the count is bounded'
);
select tests.authenticate_as_service_role();
select ok(
  cardinality(public.knowledge_text_candidates('férias', array[(select id from public.knowledge_bases where name = 'Políticas')], 40)) > 0,
  'text candidates: the service role reads every base'
);
select tests.clear_authentication();
select throws_ok(
  $$ select public.knowledge_text_candidates('férias', array[gen_random_uuid()], 40) $$,
  '42501', 'permission denied for function knowledge_text_candidates', 'text candidates: anon may not call them'
);
select tests.authenticate_as('member_b');

-- ─── usage statistics and agents' bases ──────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, knowledge_base_ids)
     values (tests.tenant_id('tenant-a'), 'Knowledge agent', 'demo', 'demo-small', array[(select id from base_a)]) $$,
  'an agent lists a base of its company'
);
select throws_ok(
  format($$ insert into public.agents (tenant_id, name, provider, model, knowledge_base_ids) values (%L, 'Thief', 'demo', 'demo-small', array[%L::uuid]) $$,
         tests.tenant_id('tenant-a'), gen_random_uuid()),
  '23503', null, 'an agent cannot list a base that does not exist'
);
select count(*) from public.search_knowledge('férias', null, array[(select id from base_a)], 2, 0, agent_id => tests.agent_id('Knowledge agent'));
select count(*) from public.search_knowledge('férias', null, array[(select id from base_a)], 1, 0, agent_id => tests.agent_id('Knowledge agent'));
select is(
  (select array_agg(use_count order by use_count desc) from public.document_usage_stats where agent_id = tests.agent_id('Knowledge agent')),
  array[2::bigint, 1],
  'search records one use per returned chunk for the agent'
);
select throws_ok(
  $$ delete from public.knowledge_bases where name = 'Políticas' $$,
  '23503', 'agents use this knowledge base; remove it from them first', 'a base in use is not deleted'
);
select tests.authenticate_as('owner_b');
select throws_ok(
  format($$ insert into public.agents (tenant_id, name, provider, model, knowledge_base_ids) values (%L, 'Thief', 'demo', 'demo-small', array[%L::uuid]) $$,
         tests.tenant_id('tenant-b'), (select id from base_a)),
  '23503', format('knowledge_base_ids: %s is not a knowledge base of this company', (select id from base_a)),
  'an agent of B cannot list A''s base'
);
select throws_ok(
  format($$ select public.record_knowledge_usage(%L, '{}') $$, tests.agent_id('Knowledge agent')),
  '42501', 'usage can only be recorded for an agent of your company', 'B cannot record usage for A''s agent'
);
select is((select count(*)::int from public.document_usage_stats), 0, 'B reads none of A''s usage');

select * from finish();
rollback;
