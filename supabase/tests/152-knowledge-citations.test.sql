-- Citations: the engine reads a step's agent's knowledge bases and records, for the step it holds,
-- which chunks its model was given — only chunks of the run's own company, only under its lease;
-- members read them on the step, nobody else writes them.
--
-- Cast: tenant A (owner_a, member_a, analyst_a, ...), tenant B (owner_b, member_b), anon, service.
begin;
set search_path to public, extensions, tests;

select plan(12);

select tests.create_two_tenants();
update public.tenants set plan = 'enterprise';

select tests.authenticate_as('member_a');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Manual', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Férias', 'text' from public.knowledge_bases;
insert into public.document_versions (document_id, pasted_text) select id, 'Trinta dias.' from public.documents;
insert into public.agents (tenant_id, name, model, status, knowledge_base_ids)
select tests.tenant_id('tenant-a'), 'RH', 'demo-small', 'active', array[id] from public.knowledge_bases;
insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, continue_on_error, timeout_seconds)
values (tests.tenant_id('tenant-a'), 'Atendimento', 'sequential', 5, false, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Atendimento'), tests.agent_id('RH'), 'member', 1, '{"source": "initial_prompt"}', '[]');

select tests.authenticate_as('owner_b');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-b'), 'Deles', auth.uid());
insert into public.documents (knowledge_base_id, title, source) select id, 'Segredo', 'text' from public.knowledge_bases;
insert into public.document_versions (document_id, pasted_text) select id, 'Segredo de B.' from public.documents;

-- Chunks for both companies' documents, as ingestion writes them.
select tests.authenticate_as_service_role();
update public.documents set status = 'processing';
select public.replace_document_chunks(d.id, 1, jsonb_build_array(jsonb_build_object(
  'content', d.title, 'token_count', 1, 'embedding', '[' || array_to_string(array_fill(0.05::numeric, array[384]), ',') || ']')))
from public.documents d;

select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Atendimento'), 'Quantos dias de férias?');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5)), 1, 'the engine holds the step');

create temporary table cited as
select (select id from public.document_chunks where content = 'Férias') as own_chunk,
       (select id from public.document_chunks where content = 'Segredo') as foreign_chunk,
       tests.step_id('Quantos dias de férias?', 'RH') as step_id;
grant select on cited to authenticated, service_role;

-- ─── who may call them ───────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select throws_ok($$ select private.step_knowledge_bases(step_id) from cited $$, '42501', null, 'a member cannot read a step''s bases through the engine''s function');
select throws_ok($$ select private.record_step_citations(step_id, 'worker-1', 1, '[]') from cited $$, '42501', null, 'a member cannot record citations');
select throws_ok($$ update public.execution_steps set citations = '[]' $$, '42501', null, 'nor write them on the step');
select tests.clear_authentication();
select throws_ok($$ select private.record_step_citations(gen_random_uuid(), 'w', 1, '[]') $$, '42501', null, 'anon cannot record citations');

-- ─── the engine ──────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((select private.step_knowledge_bases(step_id) from cited), (select array_agg(id) from public.knowledge_bases where name = 'Manual'),
  'step_knowledge_bases answers the agent''s bases');
select is(tests.error_code($$ select private.record_step_citations(step_id, 'worker-1', 1, jsonb_build_array(jsonb_build_object('n', 1, 'chunk_id', foreign_chunk))) from cited $$),
  'step_citations_invalid', 'a chunk of another company cannot be cited');
select ok(not (select private.record_step_citations(step_id, 'worker-2', 1, '[]') from cited), 'a worker without the lease records nothing');
select ok((select private.record_step_citations(step_id, 'worker-1', 1, jsonb_build_array(jsonb_build_object('n', 1, 'chunk_id', own_chunk))) from cited),
  'the lease holder records the citations');
select is((select jsonb_array_length(citations) from public.execution_steps where id = (select step_id from cited)), 1, 'they are on the step');

select tests.authenticate_as('analyst_a');
select is((select citations -> 0 ->> 'chunk_id' from public.execution_steps), (select own_chunk::text from cited), 'members read the step''s citations');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.execution_steps), 0, 'another company reads none');

select * from finish();
rollback;
