-- teams: agents grouped to work on one prompt with a strategy. A team's workflow is its strategy
-- (`workflow_type`) plus one team_agents row per agent: role, order, where its input comes from,
-- the conditions under which it runs, and per-agent overrides. The definition is validated as a
-- whole when the transaction that changed it commits, with messages naming the agent and field.
--
-- Who may do what: members of the tenant read; owners, admins and members create and change;
-- owners and admins delete. Analysts read. (capabilities build_teams, delete_teams.)
-- Who writes each table: teams and team_agents, API or direct (RLS, column grants, triggers and
-- the workflow check at commit hold on both paths). A team with a run in flight cannot be deleted
-- (executions migration).
--
-- Input sources (team_agents.input):
--   {"source": "initial_prompt"}
--   {"source": "agent_result", "agent_id": "<uuid of an agent in the team>"}
--   {"source": "combined", "sources": [{"type": "initial_prompt"} | {"type": "agent_result", "agent_id": "…"}
--                                      | {"type": "context", "key": "…"} | {"type": "variable", "name": "…"}],
--    "template": "optional text with {{initial_prompt}}, {{agent:<uuid>}}, {{context.key}}, {{variables.name}}"}
-- Conditions (team_agents.conditions, all must hold): [{"field": "<ref>", "operator": "equals" |
--   "contains" | "greater_than" | "less_than", "value": <json>}], where <ref> is `initial_prompt`,
--   `agents.<uuid>.output`, `agents.<uuid>.status`, `context.<key>` or `variables.<name>`.
-- Approval (team_agents.config.approval; present = the agent's output waits for a person before the
--   run goes on): {"approvers": ["<user id>", …] (optional, at most 20 members who may run teams;
--   owners and admins always may decide), "timeout_seconds": 60..2592000 (optional),
--   "on_timeout": "reject" | "approve" | "keep_waiting" (with timeout_seconds; default reject)}.

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.workflow_type as enum ('sequential', 'parallel', 'pipeline', 'conditional');
create type public.team_agent_role as enum ('leader', 'member', 'coordinator');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.teams (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint teams_name_length check (char_length(btrim(name)) between 1 and 120),
  description text not null default '' constraint teams_description_length check (char_length(description) <= 2000),
  is_active boolean not null default true,
  workflow_type public.workflow_type not null default 'sequential',
  max_tokens integer constraint teams_max_tokens_range check (max_tokens between 1 and 200000),
  temperature numeric(3, 2) constraint teams_temperature_range check (temperature between 0 and 2),
  timeout_seconds integer not null default 600 constraint teams_timeout_seconds_range check (timeout_seconds between 10 and 3600),
  max_parallel_agents integer not null default 5 constraint teams_max_parallel_agents_range check (max_parallel_agents between 1 and 20),
  continue_on_error boolean not null default false,
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.team_agents (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  -- The team's tenant, copied on insert so policies need no join.
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null references public.agents (id) on delete cascade,
  role public.team_agent_role not null default 'member',
  execution_order integer not null constraint team_agents_execution_order_range check (execution_order between 1 and 100),
  input jsonb not null default '{"source": "initial_prompt"}' constraint team_agents_input_is_object check (jsonb_typeof(input) = 'object')
    constraint team_agents_input_bounded check (private.jsonb_is_bounded(input, 8, 65536)),
  conditions jsonb not null default '[]' constraint team_agents_conditions_is_array check (jsonb_typeof(conditions) = 'array')
    constraint team_agents_conditions_bounded check (private.jsonb_is_bounded(conditions, 8, 65536)),
  config jsonb not null default '{}' constraint team_agents_config_is_object check (jsonb_typeof(config) = 'object')
    constraint team_agents_config_bounded check (private.jsonb_is_bounded(config, 8, 65536)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint team_agents_one_per_agent unique (team_id, agent_id)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index teams_tenant_id_updated_at_idx on public.teams (tenant_id, updated_at desc, id);
create index teams_tenant_id_name_idx on public.teams (tenant_id, lower(name));
create index teams_created_by_idx on public.teams (created_by);
create index team_agents_team_id_order_idx on public.team_agents (team_id, execution_order);
create index team_agents_tenant_id_idx on public.team_agents (tenant_id);
create index team_agents_agent_id_idx on public.team_agents (agent_id);

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- The agent ids an input or a condition list reads results from.
create or replace function private.workflow_references(input jsonb, conditions jsonb)
returns table (agent_ref text, field text)
language sql
immutable
set search_path = ''
as $$
  select input ->> 'agent_id', 'input.agent_id' where input ->> 'source' = 'agent_result'
  union all
  select s ->> 'agent_id', format('input.sources[%s].agent_id', n - 1)
  from pg_catalog.jsonb_array_elements(case when input ->> 'source' = 'combined' and pg_catalog.jsonb_typeof(input -> 'sources') = 'array' then input -> 'sources' else '[]' end)
       with ordinality as e(s, n)
  where s ->> 'type' = 'agent_result'
  union all
  select pg_catalog.split_part(c ->> 'field', '.', 2), format('conditions[%s].field', n - 1)
  from pg_catalog.jsonb_array_elements(conditions) with ordinality as e(c, n)
  where c ->> 'field' like 'agents.%';
$$;

-- Most agents one team may have (execution_order runs 1..100; the API's zod says the same earlier).
create or replace function private.max_team_agents()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 50;
$$;

-- The first key of a JSON object that is not among `allowed` (null when there is none).
create or replace function private.unknown_key(object jsonb, allowed text[])
returns text
language sql
immutable
set search_path = ''
as $$
  select k from pg_catalog.jsonb_object_keys(case when pg_catalog.jsonb_typeof(object) = 'object' then object else '{}' end) k
  where k <> all (allowed) order by k limit 1;
$$;

/*
 * Checks a team's whole workflow and raises 22023 with a message naming the offending agent and
 * field: malformed inputs or conditions, references to agents outside the team, agents of another
 * tenant, a pipeline input from a later agent, dependency cycles, conditions on fields nothing
 * produces, and duplicate orders where the strategy runs agents one after another.
 */
create or replace function private.validate_team_workflow(target_team_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  team public.teams;
  member record;
  reference record;
  referenced_order integer;
  condition jsonb;
  condition_index integer;
  source jsonb;
  source_index integer;
  field_parts text[];
  unknown_key text;
  uuid_pattern constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
begin
  select * into team from public.teams t where t.id = target_team_id;
  if team.id is null then
    return;
  end if;

  if (select count(*) from public.team_agents ta where ta.team_id = team.id) > private.max_team_agents() then
    raise exception using errcode = '22023', constraint = 'team_agent_limit',
      message = format('a team has at most %s agents', private.max_team_agents()),
      detail = pg_catalog.jsonb_build_object('field', 'agents', 'limit', private.max_team_agents())::text,
      hint = 'agents';
  end if;

  for member in
    select ta.*, a.name as agent_name, a.tenant_id as agent_tenant_id, a.status as agent_status
    from public.team_agents ta join public.agents a on a.id = ta.agent_id
    where ta.team_id = team.id
    order by ta.execution_order, ta.agent_id
  loop
    if member.agent_tenant_id <> team.tenant_id then
      raise exception using errcode = '22023',
        -- Not its name: the caller may not know another company's agents.
        constraint = 'team_agent_not_in_company',
        message = format('agent %s is not an agent of this company', member.agent_id),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'agent_id')::text,
        hint = 'agent_id';
    end if;
    if member.agent_status = 'archived' then
      raise exception using errcode = '22023',
        constraint = 'team_agent_archived',
        message = format('agent "%s" is archived; restore it or remove it from the team', member.agent_name),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'agent_id')::text,
        hint = 'agent_id';
    end if;

    -- input
    if member.input ->> 'source' not in ('initial_prompt', 'agent_result', 'combined') or member.input ->> 'source' is null then
      raise exception using errcode = '22023',
        constraint = 'team_input_invalid',
        message = format('agent "%s": input.source must be initial_prompt, agent_result or combined', member.agent_name),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.source')::text,
        hint = 'input.source';
    end if;
    unknown_key := private.unknown_key(member.input, case member.input ->> 'source'
      when 'agent_result' then array['source', 'agent_id'] when 'combined' then array['source', 'sources', 'template'] else array['source'] end);
    if unknown_key is not null then
      raise exception using errcode = '22023', constraint = 'team_input_invalid',
        message = format('agent "%s": input.%s is not part of a %s input', member.agent_name, unknown_key, member.input ->> 'source'),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.' || unknown_key)::text,
        hint = 'input.' || unknown_key;
    end if;
    if member.input ->> 'source' = 'agent_result' and coalesce(member.input ->> 'agent_id', '') !~ uuid_pattern then
      raise exception using errcode = '22023',
        constraint = 'team_input_invalid',
        message = format('agent "%s": input.agent_id must name an agent of the team', member.agent_name),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.agent_id')::text,
        hint = 'input.agent_id';
    end if;
    if member.input ->> 'source' = 'combined' then
      if pg_catalog.jsonb_typeof(member.input -> 'sources') <> 'array' or pg_catalog.jsonb_array_length(member.input -> 'sources') = 0 then
        raise exception using errcode = '22023',
          constraint = 'team_input_invalid',
          message = format('agent "%s": input.sources must list at least one source', member.agent_name),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.sources')::text,
          hint = 'input.sources';
      end if;
      if pg_catalog.jsonb_array_length(member.input -> 'sources') > 20 then
        raise exception using errcode = '22023', constraint = 'team_source_limit',
          message = format('agent "%s": input.sources has at most 20 sources', member.agent_name),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.sources', 'limit', 20)::text,
          hint = 'input.sources';
      end if;
      for source, source_index in select s, n - 1 from pg_catalog.jsonb_array_elements(member.input -> 'sources') with ordinality as e(s, n) loop
        if not (
          (source ->> 'type' = 'initial_prompt')
          or (source ->> 'type' = 'agent_result' and coalesce(source ->> 'agent_id', '') ~ uuid_pattern)
          or (source ->> 'type' = 'context' and coalesce(source ->> 'key', '') ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$')
          or (source ->> 'type' = 'variable' and coalesce(source ->> 'name', '') ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$')
        ) or private.unknown_key(source, array['type', case source ->> 'type'
               when 'agent_result' then 'agent_id' when 'context' then 'key' when 'variable' then 'name' else 'type' end]) is not null then
          raise exception using errcode = '22023',
            constraint = 'team_input_invalid',
            message = format('agent "%s": input.sources[%s] must be an initial_prompt, an agent_result with agent_id, a context key or a variable name', member.agent_name, source_index),
            detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', format('input.sources[%s]', source_index))::text,
            hint = format('input.sources[%s]', source_index);
        end if;
      end loop;
      if member.input ? 'template' and (pg_catalog.jsonb_typeof(member.input -> 'template') <> 'string' or char_length(member.input ->> 'template') > 20000) then
        raise exception using errcode = '22023',
          constraint = 'team_input_invalid',
          message = format('agent "%s": input.template must be text of at most 20000 characters', member.agent_name),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'input.template')::text,
          hint = 'input.template';
      end if;
    end if;

    -- conditions
    if pg_catalog.jsonb_array_length(member.conditions) > 20 then
      raise exception using errcode = '22023', constraint = 'team_condition_limit',
        message = format('agent "%s": conditions has at most 20 conditions', member.agent_name),
        detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', 'conditions', 'limit', 20)::text,
        hint = 'conditions';
    end if;
    for condition, condition_index in select c, n - 1 from pg_catalog.jsonb_array_elements(member.conditions) with ordinality as e(c, n) loop
      if pg_catalog.jsonb_typeof(condition) <> 'object' or not (condition ? 'field' and condition ? 'operator' and condition ? 'value')
         or private.unknown_key(condition, array['field', 'operator', 'value']) is not null then
        raise exception using errcode = '22023',
          constraint = 'team_condition_invalid',
          message = format('agent "%s": conditions[%s] needs field, operator and value', member.agent_name, condition_index),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', format('conditions[%s]', condition_index))::text,
          hint = format('conditions[%s]', condition_index);
      end if;
      if condition ->> 'operator' not in ('equals', 'contains', 'greater_than', 'less_than') then
        raise exception using errcode = '22023',
          constraint = 'team_condition_invalid',
          message = format('agent "%s": conditions[%s].operator must be equals, contains, greater_than or less_than', member.agent_name, condition_index),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', format('conditions[%s].operator', condition_index))::text,
          hint = format('conditions[%s].operator', condition_index);
      end if;
      if not (pg_catalog.jsonb_typeof(condition -> 'value') in ('number', 'boolean')
              or (pg_catalog.jsonb_typeof(condition -> 'value') = 'string' and char_length(condition ->> 'value') <= 10000)) then
        raise exception using errcode = '22023', constraint = 'team_condition_invalid',
          message = format('agent "%s": conditions[%s].value must be text of at most 10000 characters, a number or true/false', member.agent_name, condition_index),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', format('conditions[%s].value', condition_index))::text,
          hint = format('conditions[%s].value', condition_index);
      end if;
      field_parts := pg_catalog.string_to_array(condition ->> 'field', '.');
      if not (
        (condition ->> 'field' = 'initial_prompt')
        or (field_parts[1] = 'agents' and cardinality(field_parts) = 3 and field_parts[2] ~ uuid_pattern and field_parts[3] in ('output', 'status'))
        or (field_parts[1] in ('context', 'variables') and cardinality(field_parts) = 2 and field_parts[2] ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$')
      ) then
        raise exception using errcode = '22023', constraint = 'team_condition_invalid',
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', format('conditions[%s].field', condition_index))::text,
          message = format('agent "%s": conditions[%s].field "%s" is not something the team produces (use initial_prompt, agents.<agent id>.output, agents.<agent id>.status, context.<key> or variables.<name>)',
                           member.agent_name, condition_index, condition ->> 'field'),
          hint = format('conditions[%s].field', condition_index);
      end if;
    end loop;

    -- every agent a step reads from is in the team and runs before it
    for reference in select * from private.workflow_references(member.input, member.conditions) loop
      select ta.execution_order into referenced_order from public.team_agents ta
      where ta.team_id = team.id and ta.agent_id::text = reference.agent_ref;
      if referenced_order is null then
        raise exception using errcode = '22023', constraint = 'team_reference_outside_team',
          message = format('agent "%s": %s refers to agent %s, which is not in this team, so nothing produces it', member.agent_name, reference.field, reference.agent_ref),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', reference.field, 'referenced_agent_id', reference.agent_ref)::text,
          hint = reference.field;
      end if;
      if reference.agent_ref = member.agent_id::text then
        raise exception using errcode = '22023', constraint = 'team_reference_cycle',
          message = format('agent "%s": %s refers to the agent itself (a cycle)', member.agent_name, reference.field),
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', reference.field, 'referenced_agent_id', reference.agent_ref)::text,
          hint = reference.field;
      end if;
      if referenced_order >= member.execution_order then
        raise exception using errcode = '22023',
          constraint = case when team.workflow_type = 'pipeline' then 'team_pipeline_feeds_forward' else 'team_reference_cycle' end,
          detail = pg_catalog.jsonb_build_object('agent_id', member.agent_id, 'field', reference.field, 'referenced_agent_id', reference.agent_ref)::text,
          message = case when team.workflow_type = 'pipeline'
            then format('agent "%s": %s reads the result of a later agent (order %s); a pipeline only feeds forward', member.agent_name, reference.field, referenced_order)
            else format('agent "%s": %s reads the result of an agent that does not run before it (order %s), which would make a cycle', member.agent_name, reference.field, referenced_order) end,
          hint = reference.field;
      end if;
    end loop;
  end loop;

  if team.workflow_type in ('sequential', 'pipeline', 'conditional') and exists (
    select 1 from public.team_agents ta where ta.team_id = team.id group by ta.execution_order having count(*) > 1
  ) then
    raise exception using errcode = '22023', constraint = 'team_order_shared',
      message = format('two agents share the same execution_order; a %s team runs agents one after another', team.workflow_type),
      detail = pg_catalog.jsonb_build_object('field', 'execution_order', 'agent_ids', (
        select pg_catalog.jsonb_agg(ta.agent_id order by ta.agent_id) from public.team_agents ta
        where ta.team_id = team.id and ta.execution_order in (
          select o.execution_order from public.team_agents o where o.team_id = team.id group by o.execution_order having count(*) > 1)))::text,
      hint = 'execution_order';
  end if;

  if (select count(*) from public.team_agents ta where ta.team_id = team.id and ta.role in ('leader', 'coordinator')) > 1 then
    raise exception using errcode = '22023', constraint = 'team_one_leader',
      message = 'a team has at most one leader or coordinator',
      detail = pg_catalog.jsonb_build_object('field', 'role', 'agent_ids', (
        select pg_catalog.jsonb_agg(ta.agent_id order by ta.agent_id) from public.team_agents ta
        where ta.team_id = team.id and ta.role in ('leader', 'coordinator')))::text,
      hint = 'role';
  end if;
end;
$$;
comment on function private.validate_team_workflow(uuid) is
  'Raises 22023 (hint = the offending field) when the team''s workflow is invalid; see the file header.';

/*
 * Checks a team agent's approval settings (see the file header) and raises 22023 with constraint
 * team_agent_approval_invalid, naming the field: the shape, the timeout's range, and that every
 * named approver is a member of the company whose role may run teams (an analyst could never decide).
 * Called by the prepare_team_agent trigger (security definer), whose rights it runs with.
 */
create or replace function private.check_team_agent_approval(target_tenant_id uuid, target_agent_id uuid, approval jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  problem text;
  field text := 'config.approval';
  approver jsonb;
begin
  if pg_catalog.jsonb_typeof(approval) <> 'object' then
    problem := 'config.approval must be an object';
  elsif private.unknown_key(approval, array['approvers', 'timeout_seconds', 'on_timeout']) is not null then
    field := 'config.approval.' || private.unknown_key(approval, array['approvers', 'timeout_seconds', 'on_timeout']);
    problem := format('%s is not an approval setting (allowed: approvers, timeout_seconds, on_timeout)', field);
  elsif approval ? 'approvers' and not (pg_catalog.jsonb_typeof(approval -> 'approvers') = 'array'
        and pg_catalog.jsonb_array_length(approval -> 'approvers') <= 20) then
    field := 'config.approval.approvers';
    problem := 'config.approval.approvers must list at most 20 people';
  elsif approval ? 'timeout_seconds' and not (pg_catalog.jsonb_typeof(approval -> 'timeout_seconds') = 'number'
        and (approval ->> 'timeout_seconds')::numeric between 60 and 2592000 and (approval ->> 'timeout_seconds')::numeric % 1 = 0) then
    field := 'config.approval.timeout_seconds';
    problem := 'config.approval.timeout_seconds must be a whole number of seconds between 60 and 2592000 (30 days)';
  elsif approval ? 'on_timeout' and not (approval -> 'on_timeout' in ('"reject"', '"approve"', '"keep_waiting"') and approval ? 'timeout_seconds') then
    field := 'config.approval.on_timeout';
    problem := 'config.approval.on_timeout must be reject, approve or keep_waiting, with a timeout_seconds';
  end if;
  if problem is null then
    for approver in select a from pg_catalog.jsonb_array_elements(coalesce(approval -> 'approvers', '[]')) a loop
      if pg_catalog.jsonb_typeof(approver) <> 'string'
         or (approver #>> '{}') !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         or not exists (select 1 from public.memberships m
                        where m.tenant_id = target_tenant_id and m.user_id = (approver #>> '{}')::uuid
                          and 'run_teams' = any (private.role_capabilities(m.role))) then
        field := 'config.approval.approvers';
        problem := format('config.approval.approvers: %s is not a member of the company who may run teams', left(approver #>> '{}', 64));
        exit;
      end if;
    end loop;
  end if;
  if problem is not null then
    raise exception using errcode = '22023', constraint = 'team_agent_approval_invalid', message = problem,
      detail = pg_catalog.jsonb_build_object('agent_id', target_agent_id, 'field', field)::text,
      hint = field;
  end if;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create or replace function private.prepare_team_agent()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select t.tenant_id into new.tenant_id from public.teams t where t.id = new.team_id;
  if new.tenant_id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'team not found';
  end if;
  perform private.assert_tenant_writable(new.tenant_id);
  if new.config - array['max_tokens', 'temperature', 'tools', 'approval'] <> '{}'::jsonb then
    raise exception using errcode = '22023', constraint = 'team_agent_config_invalid',
      message = format('config.%s is not a per-agent team setting (allowed: max_tokens, temperature, tools, approval)',
                       (select k from pg_catalog.jsonb_object_keys(new.config - array['max_tokens', 'temperature', 'tools', 'approval']) k limit 1)),
      detail = pg_catalog.jsonb_build_object('agent_id', new.agent_id, 'field',
                 'config.' || private.unknown_key(new.config, array['max_tokens', 'temperature', 'tools', 'approval']))::text,
      hint = 'config';
  end if;
  -- The same ranges as the agent's own settings (agents_max_tokens_range, agents_temperature_range, agents_tools_count).
  if new.config ? 'max_tokens' and not (pg_catalog.jsonb_typeof(new.config -> 'max_tokens') = 'number'
       and (new.config ->> 'max_tokens')::numeric between 1 and 200000 and (new.config ->> 'max_tokens')::numeric % 1 = 0) then
    raise exception using errcode = '22023', constraint = 'team_agent_config_invalid',
      message = 'config.max_tokens must be a whole number between 1 and 200000',
      detail = pg_catalog.jsonb_build_object('agent_id', new.agent_id, 'field', 'config.max_tokens')::text,
      hint = 'config.max_tokens';
  end if;
  if new.config ? 'temperature' and not (pg_catalog.jsonb_typeof(new.config -> 'temperature') = 'number'
       and (new.config ->> 'temperature')::numeric between 0 and 2) then
    raise exception using errcode = '22023', constraint = 'team_agent_config_invalid',
      message = 'config.temperature must be a number between 0 and 2',
      detail = pg_catalog.jsonb_build_object('agent_id', new.agent_id, 'field', 'config.temperature')::text,
      hint = 'config.temperature';
  end if;
  if new.config ? 'tools' and not (pg_catalog.jsonb_typeof(new.config -> 'tools') = 'array'
       and pg_catalog.jsonb_array_length(new.config -> 'tools') <= 64
       and not exists (select 1 from pg_catalog.jsonb_array_elements(new.config -> 'tools') t
                       where pg_catalog.jsonb_typeof(t) <> 'string' or char_length(t #>> '{}') not between 1 and 64)) then
    raise exception using errcode = '22023', constraint = 'team_agent_config_invalid',
      message = 'config.tools must list at most 64 tool names',
      detail = pg_catalog.jsonb_build_object('agent_id', new.agent_id, 'field', 'config.tools')::text,
      hint = 'config.tools';
  end if;
  if new.config ? 'approval' then
    perform private.check_team_agent_approval(new.tenant_id, new.agent_id, new.config -> 'approval');
  end if;
  return new;
end;
$$;

create or replace function private.check_team_workflow_at_commit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- via jsonb: in a row trigger only one of new/old is a record with fields, depending on tg_op
  perform private.validate_team_workflow((
    pg_catalog.to_jsonb(case when tg_op = 'DELETE' then old else new end)
      ->> case when tg_table_name = 'teams' then 'id' else 'team_id' end
  )::uuid);
  return null;
end;
$$;

create trigger teams_touch_updated_at before update on public.teams
  for each row execute function private.touch_updated_at();
create trigger teams_guard_immutable before update on public.teams
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'created_by', 'created_at');
create trigger teams_guard_writable before insert or update or delete on public.teams
  for each row execute function private.guard_tenant_writable();
create trigger teams_audit after insert or update or delete on public.teams
  for each row execute function private.audit_row_change();
create constraint trigger teams_workflow_valid after insert or update on public.teams
  deferrable initially deferred
  for each row execute function private.check_team_workflow_at_commit();

-- On update too, so a change cannot put a setting into config that an insert would refuse.
create trigger team_agents_prepare before insert or update on public.team_agents
  for each row execute function private.prepare_team_agent();
create trigger team_agents_touch_updated_at before update on public.team_agents
  for each row execute function private.touch_updated_at();
create trigger team_agents_guard_immutable before update on public.team_agents
  for each row execute function private.guard_immutable_columns('id', 'team_id', 'tenant_id', 'agent_id', 'created_at');
create trigger team_agents_guard_writable before update or delete on public.team_agents
  for each row execute function private.guard_tenant_writable();
create trigger team_agents_audit after insert or update or delete on public.team_agents
  for each row execute function private.audit_row_change();
create constraint trigger team_agents_workflow_valid after insert or update or delete on public.team_agents
  deferrable initially deferred
  for each row execute function private.check_team_workflow_at_commit();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.teams enable row level security;
alter table public.team_agents enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenant's teams" on public.teams
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "builders create teams in their tenant" on public.teams
  for insert to authenticated
  with check (
    (select private.has_capability(tenant_id, 'build_teams'))
    and created_by = (select auth.uid())
  );
create policy "builders update their tenant's teams" on public.teams
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'build_teams')))
  with check ((select private.has_capability(tenant_id, 'build_teams')));
create policy "owners and admins delete their tenant's teams" on public.teams
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'delete_teams')));

create policy "members read their tenant's team agents" on public.team_agents
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "builders add agents to their tenant's teams" on public.team_agents
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'build_teams')));
create policy "builders change their tenant's team agents" on public.team_agents
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'build_teams')))
  with check ((select private.has_capability(tenant_id, 'build_teams')));
create policy "builders remove agents from their tenant's teams" on public.team_agents
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'build_teams')));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.teams, public.team_agents from anon, authenticated;
grant select, delete on public.teams to authenticated;
-- Not created_at, updated_at: the database sets them.
grant insert (id, tenant_id, name, description, is_active, workflow_type, max_tokens, temperature, timeout_seconds,
              max_parallel_agents, continue_on_error, created_by)
  on public.teams to authenticated;
grant update (name, description, is_active, workflow_type, max_tokens, temperature, timeout_seconds, max_parallel_agents, continue_on_error)
  on public.teams to authenticated;
grant select, delete on public.team_agents to authenticated;
grant insert (team_id, tenant_id, agent_id, role, execution_order, input, conditions, config) on public.team_agents to authenticated;
grant update (role, execution_order, input, conditions, config) on public.team_agents to authenticated;
