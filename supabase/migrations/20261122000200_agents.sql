-- agents: the AI agents a tenant builds, the tools they may call, an immutable version for every
-- change (executions record which version ran), and sharing with a user or another tenant.
--
-- Who may do what:
--   owner, admin, member of the agent's tenant   create, update, archive (status)
--   owner, admin of the agent's tenant           delete
--   analyst of the tenant                        read
--   grantee of a share ('use')                   read (the agent appears in their lists)
--   grantee of a share ('edit'), not an analyst  read and tune the definition (name, description, model,
--                                                system_prompt, temperature, max_tokens, config tuning keys);
--                                                never where its data goes: provider, type, tools, knowledge
--                                                bases, status, config.base_url/path/agent_type/... (guard trigger)
--   analyst of either company                    never changes an agent, shared or not
--   owner/admin of the agent's tenant            share and revoke
-- (capabilities build_agents, delete_agents, share_agents: private.role_capabilities)
--
-- Who writes each table:
--   tools           migrations only (reference data)
--   agents          API or direct (RLS, column grants, prepare and guard triggers)
--   agent_versions  the agents trigger only
--   agent_shares    API or direct (RLS, prepare trigger)

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.agent_type as enum ('sdr', 'copilot', 'custom', 'sub_agent');
create type public.agent_provider as enum ('openai-compatible', 'anthropic', 'suna', 'agent-api', 'demo');
create type public.agent_status as enum ('draft', 'active', 'archived');
create type public.share_permission as enum ('use', 'edit');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- The tools registry: platform-wide reference data, each with the JSON schema of its parameters.
create table public.tools (
  id text primary key constraint tools_id_format check (id ~ '^[a-z][a-z0-9_]{1,63}$'),
  name text not null constraint tools_name_length check (char_length(name) between 1 and 120),
  description text not null default '' constraint tools_description_length check (char_length(description) <= 2000),
  parameters jsonb not null default '{"type": "object", "properties": {}}'
    constraint tools_parameters_is_schema check (jsonb_typeof(parameters) = 'object' and parameters ->> 'type' = 'object'),
  created_at timestamptz not null default now()
);

create table public.agents (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint agents_name_length check (char_length(btrim(name)) between 1 and 120),
  description text not null default '' constraint agents_description_length check (char_length(description) <= 2000),
  type public.agent_type not null default 'custom',
  provider public.agent_provider not null default 'demo',
  model text not null constraint agents_model_length check (char_length(btrim(model)) between 1 and 200),
  system_prompt text not null default '' constraint agents_system_prompt_length check (char_length(system_prompt) <= 100000),
  temperature numeric(3, 2) not null default 0.7 constraint agents_temperature_range check (temperature between 0 and 2),
  max_tokens integer not null default 1024 constraint agents_max_tokens_range check (max_tokens between 1 and 200000),
  config jsonb not null default '{}' constraint agents_config_is_object check (jsonb_typeof(config) = 'object')
    constraint agents_config_bounded check (private.jsonb_is_bounded(config, 8, 16384)),
  tools text[] not null default '{}' constraint agents_tools_count check (cardinality(tools) <= 64),
  knowledge_base_ids uuid[] not null default '{}' constraint agents_knowledge_base_ids_count check (cardinality(knowledge_base_ids) <= 100),
  status public.agent_status not null default 'draft',
  version integer not null default 1,
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Immutable snapshots: one per definition change, never updated or deleted (only with the agent).
create table public.agent_versions (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references public.agents (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  version integer not null,
  definition jsonb not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint agent_versions_one_per_number unique (agent_id, version)
);

create table public.agent_shares (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references public.agents (id) on delete cascade,
  -- The agent's own tenant, copied on insert so policies need no join.
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  grantee_user_id uuid references auth.users (id) on delete cascade,
  grantee_tenant_id uuid references public.tenants (id) on delete cascade,
  permission public.share_permission not null default 'use',
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  constraint agent_shares_one_grantee check (num_nonnulls(grantee_user_id, grantee_tenant_id) = 1),
  constraint agent_shares_not_to_own_tenant check (grantee_tenant_id is distinct from tenant_id)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index agents_tenant_id_updated_at_idx on public.agents (tenant_id, updated_at desc, id);
create index agents_tenant_id_name_idx on public.agents (tenant_id, lower(name));
create index agents_created_by_idx on public.agents (created_by);
create index agent_versions_tenant_id_idx on public.agent_versions (tenant_id);
create index agent_shares_agent_id_idx on public.agent_shares (agent_id);
create index agent_shares_tenant_id_idx on public.agent_shares (tenant_id);
create index agent_shares_grantee_user_id_idx on public.agent_shares (grantee_user_id, agent_id);
create index agent_shares_grantee_tenant_id_idx on public.agent_shares (grantee_tenant_id, agent_id);
create unique index agent_shares_one_per_user on public.agent_shares (agent_id, grantee_user_id) where grantee_user_id is not null;
create unique index agent_shares_one_per_tenant on public.agent_shares (agent_id, grantee_tenant_id) where grantee_tenant_id is not null;

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- The agents shared with the caller, directly or through one of their tenants, at a permission.
-- An 'edit' share to a company lets its owners, admins and members edit, never its analysts.
create or replace function private.agents_shared_with_caller(minimum public.share_permission default 'use')
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  -- Two index lookups rather than one OR, which would scan every share.
  select s.agent_id from public.agent_shares s
  where s.grantee_user_id = (select auth.uid()) and (minimum = 'use' or s.permission = 'edit')
  union
  select s.agent_id from public.agent_shares s
  where s.grantee_tenant_id in (select m.tenant_id from public.memberships m
                                where m.user_id = (select auth.uid()) and (minimum = 'use' or m.role <> 'analyst')
                                  and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope())))
    and (minimum = 'use' or s.permission = 'edit');
$$;
comment on function private.agents_shared_with_caller(public.share_permission) is
  'Agent ids shared with the caller or one of the caller''s tenants, at least at the given permission '
  '(''edit'' through a company share only for its owners, admins and members).';

-- The config settings a grantee may tune on a shared agent: none says where the data goes or
-- which remote agent, thread or organization answers.
create or replace function private.shared_agent_tunable_config_keys()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['top_p', 'top_k', 'presence_penalty', 'frequency_penalty', 'stop', 'stop_sequences', 'timeout_ms',
               'reply', 'latency_ms', 'fail_rate', 'tokens_per_reply'];
$$;

-- Provider-specific config, validated with messages that name the field.
create or replace function private.validate_agent_config(provider public.agent_provider, config jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  allowed text[];
  unknown_key text;
begin
  allowed := case provider
    when 'openai-compatible' then array['base_url', 'organization', 'top_p', 'presence_penalty', 'frequency_penalty', 'stop']
    when 'anthropic' then array['base_url', 'top_p', 'top_k', 'stop_sequences']
    when 'suna' then array['base_url', 'agent_id', 'model_name', 'thread_id']
    when 'agent-api' then array['agent_type', 'path', 'timeout_ms']
    when 'demo' then array['reply', 'latency_ms', 'fail_rate', 'tokens_per_reply']
  end;
  select k into unknown_key from pg_catalog.jsonb_object_keys(config) k where k <> all (allowed) limit 1;
  if unknown_key is not null then
    raise exception using errcode = '22023', constraint = 'agent_config_unknown_setting',
      message = format('config.%s is not a setting of the %s provider', unknown_key, provider),
      detail = pg_catalog.jsonb_build_object('field', 'config.' || unknown_key, 'provider', provider)::text,
      hint = format('Allowed settings: %s.', pg_catalog.array_to_string(allowed, ', '));
  end if;
  if config ? 'base_url' and (pg_catalog.jsonb_typeof(config -> 'base_url') <> 'string' or config ->> 'base_url' !~ '^https?://[^\s]+$') then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.base_url must be an http(s) URL', detail = '{"field": "config.base_url"}';
  end if;
  -- Never an internal address (20261122000060_outbound_urls.sql): raises address_not_allowed.
  perform private.assert_outbound_url(config ->> 'base_url', 'config.base_url');
  if provider = 'suna' and config ? 'agent_id' and pg_catalog.jsonb_typeof(config -> 'agent_id') <> 'string' then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.agent_id must be a string', detail = '{"field": "config.agent_id"}';
  end if;
  if config ? 'timeout_ms' and (pg_catalog.jsonb_typeof(config -> 'timeout_ms') <> 'number' or (config ->> 'timeout_ms')::numeric not between 1000 and 300000) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.timeout_ms must be a number between 1000 and 300000', detail = '{"field": "config.timeout_ms"}';
  end if;
  if config ? 'latency_ms' and (pg_catalog.jsonb_typeof(config -> 'latency_ms') <> 'number' or (config ->> 'latency_ms')::numeric not between 0 and 600000) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.latency_ms must be a number between 0 and 600000', detail = '{"field": "config.latency_ms"}';
  end if;
  if config ? 'fail_rate' and (pg_catalog.jsonb_typeof(config -> 'fail_rate') <> 'number' or (config ->> 'fail_rate')::numeric not between 0 and 1) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.fail_rate must be a number between 0 and 1', detail = '{"field": "config.fail_rate"}';
  end if;
  if config ? 'top_p' and (pg_catalog.jsonb_typeof(config -> 'top_p') <> 'number' or (config ->> 'top_p')::numeric not between 0 and 1) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.top_p must be a number between 0 and 1', detail = '{"field": "config.top_p"}';
  end if;
  -- Every number a provider reads has bounds, so nothing downstream multiplies or waits on 1e18.
  if config ? 'top_k' and (pg_catalog.jsonb_typeof(config -> 'top_k') <> 'number' or (config ->> 'top_k')::numeric not between 1 and 1000) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.top_k must be a number between 1 and 1000', detail = '{"field": "config.top_k"}';
  end if;
  if config ? 'presence_penalty' and (pg_catalog.jsonb_typeof(config -> 'presence_penalty') <> 'number' or (config ->> 'presence_penalty')::numeric not between -2 and 2) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.presence_penalty must be a number between -2 and 2', detail = '{"field": "config.presence_penalty"}';
  end if;
  if config ? 'frequency_penalty' and (pg_catalog.jsonb_typeof(config -> 'frequency_penalty') <> 'number' or (config ->> 'frequency_penalty')::numeric not between -2 and 2) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.frequency_penalty must be a number between -2 and 2', detail = '{"field": "config.frequency_penalty"}';
  end if;
  if config ? 'tokens_per_reply' and (pg_catalog.jsonb_typeof(config -> 'tokens_per_reply') <> 'number' or (config ->> 'tokens_per_reply')::numeric not between 0 and 1000000) then
    raise exception using errcode = '22023', constraint = 'agent_config_invalid', message = 'config.tokens_per_reply must be a number between 0 and 1000000', detail = '{"field": "config.tokens_per_reply"}';
  end if;
end;
$$;
comment on function private.validate_agent_config(public.agent_provider, jsonb) is
  'Raises 22023 naming the offending config field when config does not fit the provider, and P0001 address_not_allowed when config.base_url is an internal address.';

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create or replace function private.prepare_agent()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.name := btrim(new.name);
  new.model := btrim(new.model);
  perform private.validate_agent_config(new.provider, new.config);
  -- agents.tools is checked by private.check_agent_tools (tool registry, 3000), which knows company tools too.
  if tg_op = 'UPDATE' then
    if (new.name, new.description, new.type, new.provider, new.model, new.system_prompt, new.temperature,
        new.max_tokens, new.config, new.tools, new.knowledge_base_ids, new.status)
       is distinct from
       (old.name, old.description, old.type, old.provider, old.model, old.system_prompt, old.temperature,
        old.max_tokens, old.config, old.tools, old.knowledge_base_ids, old.status) then
      new.version := old.version + 1;
    else
      new.version := old.version;
    end if;
  else
    new.version := 1;
  end if;
  return new;
end;
$$;

create or replace function private.record_agent_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.version <> old.version then
    insert into public.agent_versions (agent_id, tenant_id, version, definition, created_by)
    values (new.id, new.tenant_id, new.version,
            pg_catalog.to_jsonb(new) - array['id', 'tenant_id', 'version', 'created_by', 'created_at', 'updated_at'],
            (select auth.uid()));
  end if;
  return null;
end;
$$;

create or replace function private.forbid_agent_version_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deleting the agent removes its versions through the foreign key cascade; nothing else may.
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception using errcode = '42501', constraint = 'agent_versions_immutable', message = 'agent versions are immutable';
end;
$$;

create or replace function private.prepare_agent_share()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select a.tenant_id into new.tenant_id from public.agents a where a.id = new.agent_id;
  if new.tenant_id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'agent not found';
  end if;
  -- agent_shares_guard_writable fires before this trigger (name order), before tenant_id is known.
  perform private.assert_tenant_writable(new.tenant_id);
  if new.grantee_user_id is not null and exists (
    select 1 from public.memberships m where m.tenant_id = new.tenant_id and m.user_id = new.grantee_user_id
  ) then
    raise exception using errcode = 'P0001', constraint = 'share_grantee_is_member', message = 'this person already belongs to the agent''s company';
  end if;
  return new;
end;
$$;

/*
 * Who changes what on an agent, whatever path the update takes. Builders of the agent's company
 * (owners, admins, members) change anything; analysts of the agent's company nothing, even through a
 * share to another company they belong to; a grantee ('edit' share) only the definition's wording
 * and tuning. Raises P0001 shared_agent_field_locked naming the field.
 */
create or replace function private.guard_shared_agent_edit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tunable text[] := private.shared_agent_tunable_config_keys();
  locked text;
begin
  if private.is_trusted_caller() or private.has_capability(old.tenant_id, 'build_agents') then
    return new;
  end if;
  -- A member of the agent's company who may not build agents: an analyst.
  if private.is_member(old.tenant_id) then
    raise exception using errcode = 'P0001', constraint = 'shared_agent_field_locked',
      message = 'analysts can read agents but not change them';
  end if;
  locked := case
    when new.provider is distinct from old.provider then 'provider'
    when new.type is distinct from old.type then 'type'
    when new.tools is distinct from old.tools then 'tools'
    when new.knowledge_base_ids is distinct from old.knowledge_base_ids then 'knowledge_base_ids'
    when new.status is distinct from old.status then 'status'
  end;
  if locked is null then
    select 'config.' || k into locked
    from (select pg_catalog.jsonb_object_keys(new.config) union select pg_catalog.jsonb_object_keys(old.config)) as keys (k)
    where k <> all (tunable) and (new.config -> k) is distinct from (old.config -> k)
    order by k limit 1;
  end if;
  if locked is not null then
    raise exception using errcode = 'P0001', constraint = 'shared_agent_field_locked',
      message = format('%s of a shared agent can only be changed by the company that owns it', locked),
      hint = 'A shared agent''s provider, address, credentials, tools, knowledge bases and status stay as its company set them.';
  end if;
  return new;
end;
$$;

create trigger agents_guard_shared_edit before update on public.agents
  for each row execute function private.guard_shared_agent_edit();
create trigger agents_prepare before insert or update on public.agents
  for each row execute function private.prepare_agent();
create trigger agents_touch_updated_at before update on public.agents
  for each row execute function private.touch_updated_at();
create trigger agents_guard_immutable before update on public.agents
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'created_by', 'created_at');
create trigger agents_guard_writable before insert or update or delete on public.agents
  for each row execute function private.guard_tenant_writable();
create trigger agents_record_version after insert or update on public.agents
  for each row execute function private.record_agent_version();
create trigger agents_audit after insert or update or delete on public.agents
  for each row execute function private.audit_row_change();

create trigger agent_versions_immutable before update or delete on public.agent_versions
  for each row execute function private.forbid_agent_version_changes();

create trigger agent_shares_prepare before insert on public.agent_shares
  for each row execute function private.prepare_agent_share();
create trigger agent_shares_guard_immutable before update on public.agent_shares
  for each row execute function private.guard_immutable_columns('id', 'agent_id', 'tenant_id', 'grantee_user_id', 'grantee_tenant_id', 'created_by', 'created_at');
create trigger agent_shares_guard_writable before insert or update or delete on public.agent_shares
  for each row execute function private.guard_tenant_writable();
create trigger agent_shares_audit after insert or update or delete on public.agent_shares
  for each row execute function private.audit_row_change();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.tools enable row level security;
alter table public.agents enable row level security;
alter table public.agent_versions enable row level security;
alter table public.agent_shares enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "signed-in users read the tools registry" on public.tools
  for select to authenticated
  using (true);

create policy "members read their tenant's agents" on public.agents
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "grantees read agents shared with them" on public.agents
  for select to authenticated
  using (id in (select private.agents_shared_with_caller('use')));
create policy "builders create agents in their tenant" on public.agents
  for insert to authenticated
  with check (
    (select private.has_capability(tenant_id, 'build_agents'))
    and created_by = (select auth.uid())
  );
create policy "builders update their tenant's agents" on public.agents
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'build_agents')))
  with check ((select private.has_capability(tenant_id, 'build_agents')));
create policy "editors update agents shared with them for editing" on public.agents
  for update to authenticated
  using (id in (select private.agents_shared_with_caller('edit')))
  with check (id in (select private.agents_shared_with_caller('edit')));
create policy "owners and admins delete their tenant's agents" on public.agents
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'delete_agents')));

create policy "members read their tenant's agent versions" on public.agent_versions
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "grantees read versions of agents shared with them" on public.agent_versions
  for select to authenticated
  using (agent_id in (select private.agents_shared_with_caller('use')));

create policy "members read their tenant's shares" on public.agent_shares
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "grantees read shares made to them" on public.agent_shares
  for select to authenticated
  using (
    grantee_user_id = (select auth.uid())
    or grantee_tenant_id in (select private.tenants_of_caller())
  );
create policy "owners and admins share their tenant's agents" on public.agent_shares
  for insert to authenticated
  with check (
    (select private.has_capability(tenant_id, 'share_agents'))
    and created_by = (select auth.uid())
  );
create policy "owners and admins change a share's permission" on public.agent_shares
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'share_agents')))
  with check ((select private.has_capability(tenant_id, 'share_agents')));
create policy "owners and admins revoke shares" on public.agent_shares
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'share_agents')));

-- ─── reference data ───────────────────────────────────────────────────────────────────────────
insert into public.tools (id, name, description, parameters) values
  ('web_search', 'Web search', 'Searches the web and returns the top results.',
   '{"type": "object", "properties": {"query": {"type": "string", "maxLength": 500}, "max_results": {"type": "integer", "minimum": 1, "maximum": 20}}, "required": ["query"]}'),
  ('knowledge_search', 'Knowledge base search', 'Searches the agent''s own knowledge bases with the words you give (hybrid: words and meaning); answers the best passages with their source and score.',
   '{"type": "object", "properties": {"query": {"type": "string", "maxLength": 2000}, "top_k": {"type": "integer", "minimum": 1, "maximum": 50}}, "required": ["query"]}'),
  ('http_request', 'HTTP request', 'Calls an address on one of the hosts the company allows (its settings): GET, or POST with a JSON body. Answers the response body (an error with the status when it is not 2xx).',
   '{"type": "object", "properties": {"url": {"type": "string", "maxLength": 2000, "description": "The full address, e.g. https://api.example.com/orders?id=1"}, "method": {"type": "string", "enum": ["GET", "POST"]}, "body": {"type": "object", "description": "The JSON body of a POST"}}, "required": ["url"], "additionalProperties": false}'),
  ('whatsapp_send', 'Send WhatsApp message', 'Sends a text message to the lead on WhatsApp.',
   '{"type": "object", "properties": {"to": {"type": "string", "pattern": "^[0-9]{10,15}$"}, "text": {"type": "string", "maxLength": 4096}}, "required": ["to", "text"]}'),
  ('calculator', 'Calculator', 'Evaluates an arithmetic expression.',
   '{"type": "object", "properties": {"expression": {"type": "string", "maxLength": 500}}, "required": ["expression"]}')
on conflict (id) do nothing;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.tools, public.agents, public.agent_versions, public.agent_shares from anon, authenticated;
grant select on public.tools to authenticated;
grant select, delete on public.agents to authenticated;
-- Not version, created_at, updated_at: the database sets them.
grant insert (id, tenant_id, name, description, type, provider, model, system_prompt, temperature, max_tokens, config, tools,
              knowledge_base_ids, status, created_by)
  on public.agents to authenticated;
grant update (name, description, type, provider, model, system_prompt, temperature, max_tokens, config, tools, knowledge_base_ids, status)
  on public.agents to authenticated;
grant select on public.agent_versions to authenticated;
grant select, delete on public.agent_shares to authenticated;
grant insert (agent_id, grantee_user_id, grantee_tenant_id, permission, created_by) on public.agent_shares to authenticated;
grant update (permission) on public.agent_shares to authenticated;

grant execute on function private.agents_shared_with_caller(public.share_permission) to authenticated, service_role;
