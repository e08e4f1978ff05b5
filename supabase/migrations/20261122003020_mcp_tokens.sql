-- mcp tokens: how an MCP client (an AI assistant, an IDE, a script) reaches the `mcp` function for
-- one company. A token is made by an owner or admin (capability manage_tools), shown once, and kept
-- only as its SHA-256; it acts for the person who made it, in that company only, read-only or
-- read-write (`scope`), until it expires or is revoked. It stops working on its own when its maker
-- leaves the company or loses manage_tools, and while the company is not active.
--
-- Who may do what: owners and admins (manage_tools) list the company's tokens (never a token or its
-- hash: column grants), make and revoke them through the functions below; members and analysts see
-- none; the service role (the mcp function) resolves a presented token with private.mcp_token_caller.
-- Who writes the table: public.create_mcp_token(), public.revoke_mcp_token(), and
-- private.mcp_token_caller() (last_used_at) only.

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.mcp_tokens (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint mcp_tokens_name_length check (char_length(name) between 1 and 100),
  -- The first characters of the token (`rnm_mcp_ab12`), so people can tell their tokens apart.
  token_prefix text not null,
  token_hash bytea not null constraint mcp_tokens_hash_unique unique,
  scope text not null default 'read' constraint mcp_tokens_scope_values check (scope in ('read', 'read_write')),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_by uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index mcp_tokens_tenant_id_idx on public.mcp_tokens (tenant_id);
create index mcp_tokens_created_by_idx on public.mcp_tokens (created_by);

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.mcp_tokens enable row level security;

create policy "tool managers read their tenant's mcp tokens" on public.mcp_tokens
  for select to authenticated using ((select private.has_capability(tenant_id, 'manage_tools')));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Makes an MCP token for the company and answers it once, with its id: only its hash is kept.
 * Needs manage_tools in the company (else mcp_token_forbidden) and the company writable; the name is
 * 1 to 100 characters, the scope `read` or `read_write`, the expiry in the future (or null: never).
 * Security definer because the table takes no direct writes; audited without the token.
 */
create or replace function public.create_mcp_token(target_tenant_id uuid, token_name text, token_scope text default 'read', expires timestamptz default null)
returns table (id uuid, token text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  plain text := 'rnm_mcp_' || pg_catalog.encode(extensions.gen_random_bytes(32), 'hex');
  made public.mcp_tokens;
begin
  if auth.uid() is null or not private.has_capability(target_tenant_id, 'manage_tools') then
    raise exception using errcode = '42501', constraint = 'mcp_token_forbidden',
      message = 'only the company''s owners and admins can make MCP tokens';
  end if;
  perform private.assert_tenant_writable(target_tenant_id);
  if token_name is null or char_length(pg_catalog.btrim(token_name)) not between 1 and 100 then
    raise exception using errcode = '22023', constraint = 'mcp_token_name_invalid', message = 'name must have 1 to 100 characters',
      detail = pg_catalog.jsonb_build_object('field', 'name')::text;
  end if;
  if token_scope is null or token_scope not in ('read', 'read_write') then
    raise exception using errcode = '22023', constraint = 'mcp_token_scope_invalid', message = 'scope must be read or read_write',
      detail = pg_catalog.jsonb_build_object('field', 'scope')::text;
  end if;
  if expires is not null and expires <= now() then
    raise exception using errcode = '22023', constraint = 'mcp_token_expiry_past', message = 'expires_at must be in the future',
      detail = pg_catalog.jsonb_build_object('field', 'expires_at')::text;
  end if;
  insert into public.mcp_tokens (tenant_id, name, token_prefix, token_hash, scope, expires_at, created_by)
  values (target_tenant_id, pg_catalog.btrim(token_name), pg_catalog.left(plain, 12), extensions.digest(plain, 'sha256'),
          token_scope, expires, auth.uid())
  returning * into made;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (target_tenant_id, auth.uid(), coalesce(auth.role(), current_user), 'insert', 'mcp_tokens', made.id::text,
          pg_catalog.jsonb_build_object('name', made.name, 'scope', made.scope, 'expires_at', made.expires_at, 'token_prefix', made.token_prefix));
  return query select made.id, plain;
end;
$$;
comment on function public.create_mcp_token(uuid, text, text, timestamptz) is
  'Makes an MCP token for the company (manage_tools) and answers it once; only its SHA-256 is kept. Audited without the token.';

/*
 * Revokes an MCP token of the caller's company at once (it answers 401 from the next request on).
 * Needs manage_tools in the token's company; a token the caller may not manage is mcp_token_not_found,
 * as a missing one. Revoking twice keeps the first time. Audited.
 */
create or replace function public.revoke_mcp_token(token_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  found public.mcp_tokens;
begin
  select * into found from public.mcp_tokens t where t.id = token_id;
  if found.id is null or not private.has_capability(found.tenant_id, 'manage_tools') then
    raise exception using errcode = 'P0002', constraint = 'mcp_token_not_found', message = 'MCP token not found';
  end if;
  update public.mcp_tokens t set revoked_at = coalesce(t.revoked_at, now()) where t.id = found.id;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (found.tenant_id, auth.uid(), coalesce(auth.role(), current_user), 'update', 'mcp_tokens', found.id::text,
          pg_catalog.jsonb_build_object('revoked', true));
end;
$$;
comment on function public.revoke_mcp_token(uuid) is
  'Revokes an MCP token of a company the caller manages tools of (manage_tools). Audited.';

/*
 * Who a presented token acts for, for the mcp function (service role only): the token's company,
 * maker and scope when it is known, not revoked, not expired, its maker still has manage_tools in the
 * company and the company is active; no row otherwise (the function answers 401 the same way for
 * every reason). Marks the token used (at most once a minute, so a busy client writes little).
 */
create or replace function private.mcp_token_caller(presented text)
returns table (token_id uuid, tenant_id uuid, user_id uuid, scope text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  found public.mcp_tokens;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the mcp function resolves MCP tokens';
  end if;
  select * into found from public.mcp_tokens t
  where presented is not null and t.token_hash = extensions.digest(presented, 'sha256')
    and t.revoked_at is null and (t.expires_at is null or t.expires_at > now());
  if found.id is null
     or not exists (select 1 from public.tenants c where c.id = found.tenant_id and c.status = 'active')
     or not exists (select 1 from public.memberships m
                    where m.tenant_id = found.tenant_id and m.user_id = found.created_by
                      and 'manage_tools' = any (private.role_capabilities(m.role))) then
    return;
  end if;
  update public.mcp_tokens t set last_used_at = now()
  where t.id = found.id and (t.last_used_at is null or t.last_used_at < now() - interval '1 minute');
  return query select found.id, found.tenant_id, found.created_by, found.scope;
end;
$$;
comment on function private.mcp_token_caller(text) is
  'The company, maker and scope a presented MCP token acts for, when it is valid; no row otherwise. Service role only.';

/*
 * One active HTTP tool of a company as the mcp function calls it for a token of that company
 * (service role only): address, method, timeout and headers, secret ones decrypted; null when the
 * company has no active tool of that name. The company comes from the verified token, never from
 * the client.
 */
create or replace function private.tenant_tool_definition(target_tenant_id uuid, tool_name text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the mcp function reads a tool''s headers';
  end if;
  return (
    select pg_catalog.jsonb_build_object('name', c.name, 'description', c.description, 'parameters', c.parameters, 'kind', 'http',
             'url', c.url, 'method', c.method, 'timeout_ms', c.timeout_ms,
             'headers', c.headers || coalesce((
               select pg_catalog.jsonb_object_agg(s.header_name, d.decrypted_secret)
               from private.tenant_tool_secrets s join vault.decrypted_secrets d on d.id = s.secret_id
               where s.tool_id = c.id), '{}'))
    from public.tenant_tools c
    where c.tenant_id = target_tenant_id and c.name = tool_name and c.is_active
  );
end;
$$;
comment on function private.tenant_tool_definition(uuid, text) is
  'One active company tool with decrypted headers, for the mcp function. Service role only.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.mcp_tokens from anon, authenticated;
grant select (id, tenant_id, name, token_prefix, scope, expires_at, revoked_at, last_used_at, created_by, created_at)
  on public.mcp_tokens to authenticated;
grant select, insert, update, delete on public.mcp_tokens to service_role;

revoke all on function public.create_mcp_token(uuid, text, text, timestamptz) from public, anon;
revoke all on function public.revoke_mcp_token(uuid) from public, anon;
revoke all on function private.mcp_token_caller(text) from public, anon, authenticated;
grant execute on function public.create_mcp_token(uuid, text, text, timestamptz) to authenticated;
grant execute on function public.revoke_mcp_token(uuid) to authenticated;
grant execute on function private.mcp_token_caller(text) to service_role;
revoke all on function private.tenant_tool_definition(uuid, text) from public, anon, authenticated;
grant execute on function private.tenant_tool_definition(uuid, text) to service_role;
