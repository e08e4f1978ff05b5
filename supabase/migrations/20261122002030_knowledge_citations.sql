-- Agents that cite their sources: before a step's provider call the executor searches the agent's
-- knowledge bases for the step's input, gives the model the passages as numbered sources, and
-- records on the step which chunks they were (execution_steps.citations), so the run's monitor and
-- result can link each [n] to its document.
--
-- Who may do what:
--   members of the run's company     read a step's citations (execution_steps' own RLS)
--   service (the executor)           private.step_knowledge_bases, private.record_step_citations

alter table public.execution_steps
  add column citations jsonb not null default '[]'
  constraint execution_steps_citations_shape check (jsonb_typeof(citations) = 'array' and jsonb_array_length(citations) <= 100);
comment on column public.execution_steps.citations is
  'The knowledge passages the step''s model was given, in order ([1] first): {n, chunk_id, document_id, document_title, version, heading_path, score}.';

/* The knowledge bases of a step's agent (the agent as it is now: bases are references, not a snapshot). */
create or replace function private.step_knowledge_bases(target_step_id uuid)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine reads a step''s knowledge bases';
  end if;
  return coalesce((
    select a.knowledge_base_ids
    from public.execution_steps s join public.agents a on a.id = s.agent_id and a.tenant_id = s.tenant_id
    where s.id = target_step_id
  ), '{}');
end;
$$;

/*
 * Records the passages a step's attempt was given, for the worker holding the step's lease only
 * (false, nothing written, otherwise). Each citation names a chunk of the step's own company.
 */
create or replace function private.record_step_citations(target_step_id uuid, worker text, attempt integer, given jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine records citations';
  end if;
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt
  for update;
  if step.id is null then
    return false;
  end if;
  if given is null or pg_catalog.jsonb_typeof(given) <> 'array' or exists (
    select 1 from pg_catalog.jsonb_array_elements(given) as cited (item)
    where not exists (
      select 1 from public.document_chunks c
      where c.id::text = cited.item ->> 'chunk_id' and c.tenant_id = step.tenant_id
    )
  ) then
    raise exception using errcode = '22023', constraint = 'step_citations_invalid', message = 'citations must name chunks of the run''s company';
  end if;
  update public.execution_steps set citations = given where id = step.id;
  return true;
end;
$$;

revoke all on function private.step_knowledge_bases(uuid) from public, anon, authenticated;
revoke all on function private.record_step_citations(uuid, text, integer, jsonb) from public, anon, authenticated;
grant execute on function private.step_knowledge_bases(uuid) to service_role;
grant execute on function private.record_step_citations(uuid, text, integer, jsonb) to service_role;
