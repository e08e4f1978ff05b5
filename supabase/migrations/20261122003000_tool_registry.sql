-- tools: what an agent may call during a run. Built-in tools are platform reference data in
-- public.tools (0200); a company adds its own HTTP tools here (address, method, JSON-Schema
-- parameters, plain headers, and secret headers kept in Vault). An agent lists the tools it may use
-- (agents.tools names a built-in or one of its company's tools); a team narrows them per agent
-- (team_agents.config.tools); the executor asks private.step_tools for the result at run time and
-- records every call and its result as a numbered `tool_call` event of the step.
--
-- Who may do what: members read their company's tools (never the secret values); owners and admins
-- (capability manage_tools) create, change and delete them and set their secret headers; the
-- service role (the executor) reads a running step's tools with their secrets and records calls.
-- A company's tools serve only its own runs: a shared agent that names them finds them only in
-- runs of the company that owns them, so a secret header never travels into another company's run.
-- Who writes each table: tenant_tools                 API or direct (manage_tools)
--                        private.tenant_tool_secrets  public.set_tenant_tool_secret() only

-- ─── built-in tools ───────────────────────────────────────────────────────────────────────────
-- Sending WhatsApp is 0200's `whatsapp_send`; no second name for the same thing.
insert into public.tools (id, name, description, parameters) values
  ('current_time', 'Current time', 'Answers the current date and time, in UTC and in the time zone asked for.',
   '{"type": "object", "properties": {"timezone": {"type": "string", "maxLength": 64, "description": "An IANA time zone such as America/Sao_Paulo"}}, "additionalProperties": false}'),
  ('query_data', 'Query data', 'Runs ONE read-only PostgreSQL statement (SELECT, WITH … SELECT) over the company''s data, as the person who started the run and in this company only: the tables of schema public (agents, teams, executions, contacts, conversations, messages, projects, interviews, …) and the views of schema analytics. Answers JSON with columns, rows (at most 200) and truncated. Writes, SET and several statements are refused.',
   '{"type": "object", "properties": {"sql": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "One SQL statement, e.g. select name, status from public.teams"}}, "required": ["sql"], "additionalProperties": false}')
on conflict (id) do nothing;

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- Plain headers: at most 20, names as HTTP allows them, values up to 2000 characters, and none of
-- the headers the request itself owns.
create or replace function private.are_tool_headers(headers jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(headers) = 'object'
     and (select count(*) <= 20
               and coalesce(bool_and(h.key ~ '^[A-Za-z0-9!#$%&''*+.^_`|~-]{1,100}$'
                                     and pg_catalog.lower(h.key) not in ('host', 'content-length', 'transfer-encoding', 'connection', 'cookie')
                                     and pg_catalog.jsonb_typeof(h.value) = 'string'
                                     and char_length(h.value #>> '{}') <= 2000), true)
          from pg_catalog.jsonb_each(headers) h);
$$;
grant execute on function private.are_tool_headers(jsonb) to authenticated, service_role;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- The company's own HTTP tools. The model fills `parameters`; GET sends them as the query string,
-- other methods as a JSON body.
create table public.tenant_tools (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint tenant_tools_name_format check (name ~ '^[a-z][a-z0-9_]{1,63}$'),
  description text not null default '' constraint tenant_tools_description_length check (char_length(description) <= 2000),
  url text not null constraint tenant_tools_url_length check (char_length(url) <= 2000)
    constraint tenant_tools_url_allowed check (private.assert_outbound_url(url, 'url')),
  method text not null default 'POST' constraint tenant_tools_method_values check (method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
  parameters jsonb not null default '{"type": "object", "properties": {}}'
    constraint tenant_tools_parameters_is_schema check (pg_catalog.jsonb_typeof(parameters) = 'object' and parameters ->> 'type' = 'object'
                                                        and pg_catalog.octet_length(parameters::text) <= 20000),
  headers jsonb not null default '{}' constraint tenant_tools_headers_shape check (private.are_tool_headers(headers)),
  timeout_ms integer not null default 10000 constraint tenant_tools_timeout_range check (timeout_ms between 100 and 30000),
  is_active boolean not null default true,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenant_tools_name_unique unique (tenant_id, name)
);
create index tenant_tools_created_by_idx on public.tenant_tools (created_by);

-- Secret header values, one Vault secret each; only their names are readable (tenant_tool_secret_names).
create table private.tenant_tool_secrets (
  tool_id uuid not null references public.tenant_tools (id) on delete cascade,
  header_name text not null,
  secret_id uuid not null,
  updated_at timestamptz not null default now(),
  primary key (tool_id, header_name)
);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A company tool may not take a built-in's name: agents.tools names either, and must mean one thing.
create or replace function private.prepare_tenant_tool()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.tools t where t.id = new.name) then
    raise exception using errcode = '23505', constraint = 'tenant_tool_name_taken',
      message = format('name: "%s" is a built-in tool', new.name),
      detail = pg_catalog.jsonb_build_object('field', 'name')::text;
  end if;
  return new;
end;
$$;

-- The Vault secrets of a deleted tool go with it.
create or replace function private.forget_tenant_tool_secret()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from vault.secrets s where s.id = old.secret_id;
  return old;
end;
$$;

create trigger tenant_tools_prepare before insert or update of name on public.tenant_tools
  for each row execute function private.prepare_tenant_tool();
create trigger tenant_tools_touch_updated_at before update on public.tenant_tools
  for each row execute function private.touch_updated_at();
create trigger tenant_tools_guard_writable before insert or update or delete on public.tenant_tools
  for each row execute function private.guard_tenant_writable();
create trigger tenant_tools_audit after insert or update or delete on public.tenant_tools
  for each row execute function private.audit_row_change();
create trigger tenant_tool_secrets_forget after delete on private.tenant_tool_secrets
  for each row execute function private.forget_tenant_tool_secret();

-- agents.tools names a built-in, or a tool of the agent's own company. Checked here rather than in
-- private.prepare_agent (0200) because company tools only exist from this file on. Security definer:
-- a shared agent's editor may not read the owning company's tools.
create or replace function private.check_agent_tools()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown_tool text;
begin
  select t into unknown_tool from pg_catalog.unnest(new.tools) t
  where not exists (select 1 from public.tools r where r.id = t)
    and not exists (select 1 from public.tenant_tools c where c.tenant_id = new.tenant_id and c.name = t)
  limit 1;
  if unknown_tool is not null then
    raise exception using errcode = '22023', constraint = 'agent_tool_unknown', message = format('tools: "%s" is not in the tools registry', unknown_tool),
      detail = pg_catalog.jsonb_build_object('field', 'tools', 'tool', unknown_tool)::text;
  end if;
  return new;
end;
$$;

create trigger agents_check_tools before insert or update of tools on public.agents
  for each row execute function private.check_agent_tools();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.tenant_tools enable row level security;
alter table private.tenant_tool_secrets enable row level security;

create policy "members read their tenant's tools" on public.tenant_tools
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "tool managers create tools" on public.tenant_tools
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'manage_tools')));
create policy "tool managers change tools" on public.tenant_tools
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_tools')))
  with check ((select private.has_capability(tenant_id, 'manage_tools')));
create policy "tool managers delete tools" on public.tenant_tools
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'manage_tools')));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Sets (or, with a null value, removes) a secret header of a company tool; the value goes to
 * Vault and is never readable again through the API. Security definer for Vault; asks manage_tools.
 */
create or replace function public.set_tenant_tool_secret(tool_id uuid, header_name text, secret_value text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  tool public.tenant_tools;
  existing uuid;
begin
  select * into tool from public.tenant_tools t where t.id = tool_id;
  if tool.id is null or not private.has_capability(tool.tenant_id, 'manage_tools') then
    raise exception using errcode = 'P0002', constraint = 'tenant_tool_not_found', message = 'tool not found';
  end if;
  perform private.assert_tenant_writable(tool.tenant_id);
  if header_name is null or header_name !~ '^[A-Za-z0-9!#$%&''*+.^_`|~-]{1,100}$'
     or pg_catalog.lower(header_name) in ('host', 'content-length', 'transfer-encoding', 'connection', 'cookie') then
    raise exception using errcode = '22023', constraint = 'tenant_tool_header_invalid', message = 'header_name is not a header a tool may set',
      detail = pg_catalog.jsonb_build_object('field', 'header_name')::text;
  end if;
  if secret_value is not null and char_length(secret_value) not between 1 and 4000 then
    raise exception using errcode = '22023', constraint = 'tenant_tool_secret_length', message = 'the secret must have 1 to 4000 characters',
      detail = pg_catalog.jsonb_build_object('field', 'secret_value')::text;
  end if;
  select s.secret_id into existing from private.tenant_tool_secrets s
  where s.tool_id = tool.id and pg_catalog.lower(s.header_name) = pg_catalog.lower(header_name) for update;
  if secret_value is null then
    delete from private.tenant_tool_secrets s where s.tool_id = tool.id and pg_catalog.lower(s.header_name) = pg_catalog.lower(header_name);
  elsif existing is null then
    insert into private.tenant_tool_secrets (tool_id, header_name, secret_id)
    values (tool.id, header_name, vault.create_secret(secret_value, 'renum_tool_' || tool.id || '_' || pg_catalog.lower(header_name)));
  else
    perform vault.update_secret(existing, secret_value);
    update private.tenant_tool_secrets s set updated_at = now() where s.tool_id = tool.id and s.secret_id = existing;
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (tool.tenant_id, auth.uid(), coalesce(auth.role(), current_user), case when secret_value is null then 'delete' else 'update' end,
          'tenant_tool_secrets', tool.id::text, pg_catalog.jsonb_build_object('header_name', header_name));
end;
$$;
comment on function public.set_tenant_tool_secret(uuid, text, text) is
  'Sets or (null value) removes a secret header of a company tool, kept in Vault. Needs manage_tools; audited without the value.';

-- The names of a tool's secret headers, for whoever may read the tool.
create or replace function public.tenant_tool_secret_names(tool_id uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(pg_catalog.array_agg(s.header_name order by s.header_name), '{}')
  from private.tenant_tool_secrets s
  join public.tenant_tools t on t.id = s.tool_id
  where s.tool_id = tenant_tool_secret_names.tool_id and t.tenant_id in (select private.tenants_of_caller());
$$;
comment on function public.tenant_tool_secret_names(uuid) is
  'The header names (never the values) of a company tool''s secrets, for members of its company.';

/*
 * The tools a running step may call, for the executor (service role only): the agent's list as the
 * run pinned it, narrowed by the team's per-agent config.tools, each a built-in of public.tools or
 * an active tool of the run's company, with the company tool's address, method and headers (secret
 * ones decrypted). An empty array when the step is not running.
 */
create or replace function private.step_tools(target_step_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  step public.execution_steps;
  wanted text[];
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine can read a step''s tools';
  end if;
  select * into step from public.execution_steps s where s.id = target_step_id and s.status = 'running';
  if step.id is null then
    return '[]'::jsonb;
  end if;
  select coalesce(pg_catalog.array_agg(t), '{}') into wanted
  from pg_catalog.jsonb_array_elements_text(coalesce(step.agent_definition -> 'tools', '[]')) t
  where not (step.overrides ? 'tools')
     or t in (select pg_catalog.jsonb_array_elements_text(step.overrides -> 'tools'));
  return coalesce((
    select pg_catalog.jsonb_agg(tool order by tool ->> 'name')
    from (
      select pg_catalog.jsonb_build_object('name', b.id, 'description', b.description, 'parameters', b.parameters, 'kind', 'builtin') as tool
      from public.tools b where b.id = any (wanted)
      union all
      select pg_catalog.jsonb_build_object('name', c.name, 'description', c.description, 'parameters', c.parameters, 'kind', 'http',
               'url', c.url, 'method', c.method, 'timeout_ms', c.timeout_ms,
               'headers', c.headers || coalesce((
                 select pg_catalog.jsonb_object_agg(s.header_name, d.decrypted_secret)
                 from private.tenant_tool_secrets s join vault.decrypted_secrets d on d.id = s.secret_id
                 where s.tool_id = c.id), '{}'))
      from public.tenant_tools c
      where c.tenant_id = step.tenant_id and c.is_active and c.name = any (wanted)
        and not exists (select 1 from public.tools b where b.id = c.name)
    ) tools
  ), '[]'::jsonb);
end;
$$;
comment on function private.step_tools(uuid) is
  'The tools a running step may call (agent list narrowed by the team), company tools with decrypted headers. Service role only.';

-- ─── tool calls in the event log ──────────────────────────────────────────────────────────────
alter table public.execution_events drop constraint execution_events_event_values;
alter table public.execution_events add constraint execution_events_event_values
  check (event in ('status_update', 'agent_status_update', 'progress_update', 'result_update', 'error_update', 'log', 'tool_call'));

/*
 * Appends a `tool_call` event (the call, its result or error, its duration) to the step's run, for
 * the worker holding the step's lease only; false (nothing recorded) otherwise. Service role only;
 * raises engine_only for anyone else and tool_call_not_object when `call` is not a JSON object.
 */
create or replace function private.record_tool_call(target_step_id uuid, worker text, attempt integer, call jsonb)
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
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine can record tool calls';
  end if;
  if call is null or pg_catalog.jsonb_typeof(call) <> 'object' then
    raise exception using errcode = '22023', constraint = 'tool_call_not_object', message = 'a tool call is recorded as a JSON object',
      detail = pg_catalog.jsonb_build_object('field', 'call')::text;
  end if;
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt;
  if step.id is null then
    return false;
  end if;
  perform private.append_execution_event(step.execution_id, 'tool_call',
    call || pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'attempt', attempt), step.id);
  return true;
end;
$$;
comment on function private.record_tool_call(uuid, text, integer, jsonb) is
  'Appends a tool_call event (a JSON object) for the step''s lease holder; false otherwise. Service role only.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.tenant_tools from anon, authenticated;
revoke all on private.tenant_tool_secrets from anon, authenticated, service_role;
grant select, delete on public.tenant_tools to authenticated;
grant insert (tenant_id, name, description, url, method, parameters, headers, timeout_ms, is_active)
  on public.tenant_tools to authenticated;
grant update (name, description, url, method, parameters, headers, timeout_ms, is_active) on public.tenant_tools to authenticated;
grant select, insert, update, delete on public.tenant_tools to service_role;

revoke all on function public.set_tenant_tool_secret(uuid, text, text) from public, anon;
revoke all on function public.tenant_tool_secret_names(uuid) from public, anon;
revoke all on function private.step_tools(uuid) from public, anon, authenticated;
revoke all on function private.record_tool_call(uuid, text, integer, jsonb) from public, anon, authenticated;
grant execute on function public.set_tenant_tool_secret(uuid, text, text) to authenticated;
grant execute on function public.tenant_tool_secret_names(uuid) to authenticated;
grant execute on function private.step_tools(uuid) to service_role;
grant execute on function private.record_tool_call(uuid, text, integer, jsonb) to service_role;
