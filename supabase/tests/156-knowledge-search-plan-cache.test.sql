-- Knowledge search answers the same call the same way however many calls a connection has made:
-- plpgsql may switch a statement to a generic plan after five calls, and for search_knowledge that
-- plan ranks the vector half by an exact sort instead of HNSW, which picks other candidates — so
-- a pooled connection answered other chunks from its sixth call on (20261122008500).
--
-- The fixture makes the two plans disagree visibly: 3,000 chunks of one base with 35 distinct
-- vectors (85 chunks share the query's), so the 40 vector candidates are a choice among
-- equal distances that HNSW and the sort make differently, and the top 3 (ties broken by id)
-- follow that choice. The stats are gathered, as a live base has them, so the custom plan of this
-- base uses HNSW. Before 20261122008500, on a fresh stack after the other knowledge files, all
-- eight later hybrid and vector calls and the generic session's answered otherwise than the first;
-- whether plpgsql switches by itself depends on costs (a bloated table can tip them), so the first
-- assertion checks the setting that rules the switch out.
--
-- Cast: tenant A's member (member_a), under RLS as the API runs it; tenant B's owner, whose small base
-- makes the table one of several bases, as a live one is.
begin;
set search_path to public, extensions, tests;

select plan(14);

-- A 384-d vector as text with 1 at the listed dimensions (1-based), for fixtures.
create function tests.plan_cache_vector(hot integer[]) returns text language sql immutable as $$
  select '[' || string_agg(case when i = any (hot) then '1' else '0' end, ',' order by i) || ']'
  from generate_series(1, 384) as i;
$$;
grant execute on function tests.plan_cache_vector(integer[]) to authenticated, service_role;

select tests.create_two_tenants();

-- ─── the functions plan every call ───────────────────────────────────────────────────────────
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace = 'public'::regnamespace and p.proname in ('search_knowledge', 'knowledge_text_candidates')
     and 'plan_cache_mode=force_custom_plan' = any (p.proconfig)),
  array['knowledge_text_candidates', 'search_knowledge'],
  'search_knowledge and knowledge_text_candidates plan each call for its arguments (force_custom_plan)'
);

-- ─── the fixture ─────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Catálogo', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Produtos', 'text' from public.knowledge_bases where name = 'Catálogo';
insert into public.document_versions (document_id, pasted_text) select id, 'produtos' from public.documents where title = 'Produtos';
create temporary table catalogue as select id from public.knowledge_bases where name = 'Catálogo';
grant select on catalogue to authenticated;
select tests.authenticate_as_service_role();
update public.documents set status = 'processing' where title = 'Produtos';
select public.replace_document_chunks(id, 1, (
  select jsonb_agg(jsonb_build_object(
           'content', format('O produto %s da linha %s custa %s reais.', n, n % 7, n % 5),
           'token_count', 9, 'embedding', tests.plan_cache_vector(array[1 + n % 7, 8 + n % 5])) order by n)
  from generate_series(1, 3000) as n))
from public.documents where title = 'Produtos';
-- Another company's small base: a table of several bases, as a live one is.
select tests.authenticate_as('owner_b');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-b'), 'Manual de B', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Regras', 'text' from public.knowledge_bases where name = 'Manual de B';
insert into public.document_versions (document_id, pasted_text) select id, 'regras' from public.documents where title = 'Regras';
select tests.authenticate_as_service_role();
update public.documents set status = 'processing' where title = 'Regras';
select public.replace_document_chunks(id, 1, (
  select jsonb_agg(jsonb_build_object('content', format('A regra %s vale para o produto da linha %s.', n, n % 3),
                                      'token_count', 9, 'embedding', tests.plan_cache_vector(array[1, 8 + n % 3])) order by n)
  from generate_series(1, 6) as n))
from public.documents where title = 'Regras';
reset role;
-- No (auto)vacuum may rewire the HNSW graph between the calls compared (it needs this lock too).
lock table public.document_chunks in share update exclusive mode;
analyze public.document_chunks;
analyze public.knowledge_bases;

-- One call's answer: the chunk ids in the order returned.
create function pg_temp.answer(mode text, top integer) returns uuid[] language sql volatile as $$
  select array(
    select s.chunk_id from public.search_knowledge(
      case when mode = 'vector' then null else 'produto linha' end,
      case when mode = 'text' then null else tests.plan_cache_vector(array[1, 8])::extensions.vector end,
      array[(select id from catalogue)], top, 0) as s)
$$;
create temporary table first_answers (mode text primary key, ids uuid[]);
create temporary table later_answers (mode text, call integer, plan_cache_mode text, ids uuid[]);
grant execute on function pg_temp.answer(text, integer) to authenticated;
grant all on first_answers, later_answers to authenticated;

-- ─── the same call, again and again, on one connection ───────────────────────────────────────
select tests.authenticate_as('member_a');
insert into first_answers
select mode, pg_temp.answer(mode, 3) from unnest(array['hybrid', 'vector']) as mode;

-- Other searches on the connection in between (top 20): custom plans dearer than a top 3's, so
-- that plpgsql, comparing the generic plan with their average, would take it for the next calls.
select count(*) from (select pg_temp.answer(mode, 20) from unnest(array['hybrid', 'vector']) as mode, generate_series(1, 5)) as warm;

insert into later_answers
select mode, call, current_setting('plan_cache_mode'), pg_temp.answer(mode, 3)
from unnest(array['hybrid', 'vector']) as mode, generate_series(1, 8) as call;

-- The text half alone (its plans are cheap, so they come after: they would lower that average).
insert into first_answers values
  ('text', pg_temp.answer('text', 3)),
  ('text candidates', public.knowledge_text_candidates('produto linha', array[(select id from catalogue)], 30));
insert into later_answers
select 'text', call, current_setting('plan_cache_mode'), pg_temp.answer('text', 3) from generate_series(1, 8) as call;
insert into later_answers
select 'text candidates', call, current_setting('plan_cache_mode'),
       public.knowledge_text_candidates('produto linha', array[(select id from catalogue)], 30)
from generate_series(1, 8) as call;
select is(
  (select array_agg(row(mode, cardinality(ids))::text order by mode) from first_answers),
  array[row('hybrid', 3)::text, row('text', 3)::text, row('text candidates', 30)::text, row('vector', 3)::text],
  'the first calls answer: top 3 of each mode, 30 text candidates'
);

-- Whatever the session sets: a generic plan is what plpgsql's own choice could land on.
set plan_cache_mode = force_generic_plan;
insert into later_answers
select mode, call, current_setting('plan_cache_mode'), pg_temp.answer(mode, 3)
from unnest(array['hybrid', 'vector', 'text']) as mode, generate_series(1, 3) as call;
insert into later_answers
select 'text candidates', call, current_setting('plan_cache_mode'),
       public.knowledge_text_candidates('produto linha', array[(select id from catalogue)], 30)
from generate_series(1, 3) as call;
reset plan_cache_mode;

-- Each assertion lists the calls (by number) that answered otherwise than the first: none.
create function pg_temp.differing_calls(wanted_mode text, wanted_plan_cache_mode text) returns integer[] language sql stable as $$
  select coalesce(array_agg(l.call order by l.call), '{}')
  from later_answers l join first_answers f using (mode)
  where l.mode = wanted_mode and l.plan_cache_mode = wanted_plan_cache_mode and l.ids is distinct from f.ids
$$;
select is(
  (select count(*)::int from later_answers where plan_cache_mode = 'auto'), 32,
  'eight more calls of each mode were made after ten top-20 ones'
);
select is(pg_temp.differing_calls('hybrid', 'auto'), '{}'::integer[],
  'hybrid: eight later calls of search_knowledge answer the first call''s chunks in its order');
select is(pg_temp.differing_calls('vector', 'auto'), '{}'::integer[],
  'vector only: eight later calls answer the first call''s chunks in its order');
select is(pg_temp.differing_calls('text', 'auto'), '{}'::integer[],
  'text only: eight later calls answer the first call''s chunks in its order');
select is(pg_temp.differing_calls('text candidates', 'auto'), '{}'::integer[],
  'knowledge_text_candidates: eight later calls answer the first call''s ids in its order');
select is(
  (select count(*)::int from later_answers where plan_cache_mode = 'force_generic_plan'), 12,
  'three calls of each mode were made with the session forcing generic plans'
);
select is(pg_temp.differing_calls('hybrid', 'force_generic_plan'), '{}'::integer[],
  'hybrid: a session forcing generic plans gets the first call''s chunks');
select is(pg_temp.differing_calls('vector', 'force_generic_plan'), '{}'::integer[],
  'vector only: a session forcing generic plans gets the first call''s chunks');
select is(pg_temp.differing_calls('text', 'force_generic_plan'), '{}'::integer[],
  'text only: a session forcing generic plans gets the first call''s chunks');
select is(pg_temp.differing_calls('text candidates', 'force_generic_plan'), '{}'::integer[],
  'knowledge_text_candidates: a session forcing generic plans gets the first call''s ids');

-- The answers are the search's, not the fixture's accident: the top 3 of the hybrid and vector
-- calls are chunks with the query's own vector (85 share it, so which 3 is the plan's choice).
select is(
  (select count(*)::int from public.document_chunks c, first_answers f
   where f.mode in ('hybrid', 'vector') and c.id = any (f.ids) and c.embedding = tests.plan_cache_vector(array[1, 8])::extensions.vector),
  6, 'the hybrid and vector top 3 are chunks with the query''s vector'
);
select is(
  (select count(*)::int from public.document_chunks c where c.knowledge_base_id = (select id from catalogue)
     and c.embedding = tests.plan_cache_vector(array[1, 8])::extensions.vector),
  85, 'more chunks share the query''s vector than the 40 vector candidates hold'
);

select * from finish();
rollback;
