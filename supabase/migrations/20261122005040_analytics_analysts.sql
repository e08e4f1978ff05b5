-- analytics analysts: SQL logins for a company's analysts (psql, Metabase, a BI tool), isolated by
-- the database. An owner or admin (manage_analytics) creates a login with
-- public.create_analyst_login: a Postgres role `renum_analyst_<12 hex>` (a name that says nothing
-- about the company) with a generated password shown once and stored only as Postgres stores it
-- (SCRAM), a connection limit, a statement timeout and read-only transactions, member of the group
-- role renum_analyst. public.analyst_logins maps each login to its company; deleting the row
-- (revoking) ends the login's sessions and drops the role. Both are in the audit log.
--
-- What a login sees: the group renum_analyst may use the `analytics` schema and select only the
-- views below, which read the materialized views with their owner's rights (security barrier) and
-- keep the rows of the company mapped to current_user. It is granted nothing in public, private,
-- auth or vault, owns nothing and cannot create anything in a schema (Postgres still lets any
-- role make temporary tables, which vanish with its session and are dropped on revocation).
--
-- Who writes each table:
--   analyst_logins   create_analyst_login() (API or direct); delete (revoke): managers, API or direct

-- ─── roles ────────────────────────────────────────────────────────────────────────────────────
-- Roles belong to the cluster, not the database: a database reset keeps them, so create once.
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'renum_analyst') then
    create role renum_analyst nologin;
  end if;
end;
$$;
comment on role renum_analyst is 'Group of the companies'' analyst logins: reads its own company''s analytics views only.';

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.analyst_logins (
  role_name text primary key constraint analyst_logins_role_name_format check (role_name ~ '^renum_analyst_[0-9a-f]{12}$'),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  connection_limit integer not null constraint analyst_logins_connection_limit_range check (connection_limit between 1 and 20),
  statement_timeout_ms integer not null constraint analyst_logins_statement_timeout_range check (statement_timeout_ms between 1000 and 600000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.analyst_logins is
  'One row per SQL login of a company''s analysts (a Postgres role in renum_analyst); deleting the row drops the role.';

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index analyst_logins_tenant_id_idx on public.analyst_logins (tenant_id);
create index analyst_logins_created_by_idx on public.analyst_logins (created_by);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Revoking (allowed even when the company is suspended: access should end whenever asked): ends the login's open sessions, drops what it made (temporary tables) and the role.
-- To signal its backends and drop its objects, postgres takes membership in the login first (a
-- CREATEROLE role may, on Supabase as here); the membership goes with the role.
create or replace function private.drop_analyst_role()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from pg_catalog.pg_roles r where r.rolname = old.role_name) then
    execute pg_catalog.format('alter role %I nologin', old.role_name);
    execute pg_catalog.format('grant %I to current_user', old.role_name);
    perform pg_catalog.pg_terminate_backend(a.pid) from pg_catalog.pg_stat_activity a where a.usename = old.role_name;
    execute pg_catalog.format('drop owned by %I', old.role_name);
    execute pg_catalog.format('drop role %I', old.role_name);
  end if;
  return old;
end;
$$;

create trigger analyst_logins_drop_role after delete on public.analyst_logins
  for each row execute function private.drop_analyst_role();
create trigger analyst_logins_audit after insert or update or delete on public.analyst_logins
  for each row execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.analyst_logins enable row level security;

create policy "managers read their company's analyst logins" on public.analyst_logins
  for select to authenticated
  using (private.has_capability(tenant_id, 'manage_analytics'));
create policy "managers revoke their company's analyst logins" on public.analyst_logins
  for delete to authenticated
  using (private.has_capability(tenant_id, 'manage_analytics'));

-- ─── the analysts' views ──────────────────────────────────────────────────────────────────────
-- Each keeps the rows of the company mapped to the login running the query (current_user, which
-- a login cannot change: it is a member of no other role but the group, which maps to nothing).
-- The subquery reads analyst_logins with the view owner's rights; the login cannot read it.
create view analytics.team_performance with (security_barrier = true) as
  select v.* from analytics.team_performance_daily v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.team_performance is
  'For analyst logins: your company''s rows of team_performance_daily (one per UTC day and team).';

create view analytics.agent_performance with (security_barrier = true) as
  select v.* from analytics.agent_performance_daily v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.agent_performance is
  'For analyst logins: your company''s rows of agent_performance_daily (one per UTC day and agent).';

create view analytics.inbox_consumption with (security_barrier = true) as
  select v.* from analytics.inbox_consumption_monthly v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.inbox_consumption is
  'For analyst logins: your company''s rows of inbox_consumption_monthly (one per UTC month and WhatsApp inbox).';

create view analytics.agent_consumption with (security_barrier = true) as
  select v.* from analytics.agent_consumption_monthly v where v.tenant_id = (select l.tenant_id from public.analyst_logins l where l.role_name = current_user);
comment on view analytics.agent_consumption is
  'For analyst logins: your company''s rows of agent_consumption_monthly (one per UTC month and agent).';

-- When the data was refreshed is the same for everyone: analysts read it with the owner's rights.
alter view analytics.freshness set (security_invoker = false);

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Creates a login for the company's analysts; the only time the password is ever shown.
create or replace function public.create_analyst_login(target_tenant_id uuid, max_connections integer default 5,
                                                       timeout_ms integer default 30000)
returns table (role_name text, password text, connection_limit integer, statement_timeout_ms integer, created_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_role text := 'renum_analyst_' || pg_catalog.encode(extensions.gen_random_bytes(6), 'hex');
  new_password text := pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(24), 'base64'), '+/', '-_');
  created public.analyst_logins;
begin
  if not private.has_capability(target_tenant_id, 'manage_analytics') and not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'analyst_logins_by_managers',
      message = 'only the company''s owners and admins can create SQL logins for analysts';
  end if;
  perform private.assert_tenant_writable(target_tenant_id);
  -- One at a time per company, so two requests at once cannot pass the limit together.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('analyst_logins'), pg_catalog.hashtext(target_tenant_id::text));
  if (select count(*) from public.analyst_logins l where l.tenant_id = target_tenant_id) >= 5 then
    raise exception using errcode = 'P0001', constraint = 'analyst_login_limit',
      message = 'a company has at most 5 SQL logins: revoke one first',
      detail = pg_catalog.jsonb_build_object('limit', 5)::text;
  end if;
  insert into public.analyst_logins as l (role_name, tenant_id, connection_limit, statement_timeout_ms, created_by)
  values (new_role, target_tenant_id, max_connections, timeout_ms, (select auth.uid()))
  returning l.* into created;
  execute pg_catalog.format('create role %I login password %L connection limit %s in role renum_analyst',
    new_role, new_password, created.connection_limit);
  execute pg_catalog.format('alter role %I set statement_timeout = %s', new_role, created.statement_timeout_ms);
  execute pg_catalog.format('alter role %I set idle_in_transaction_session_timeout = 60000', new_role);
  execute pg_catalog.format('alter role %I set default_transaction_read_only = on', new_role);
  execute pg_catalog.format('alter role %I set search_path = analytics', new_role);
  return query select created.role_name, new_password, created.connection_limit, created.statement_timeout_ms, created.created_at;
end;
$$;
comment on function public.create_analyst_login(uuid, integer, integer) is
  'Owners and admins: a new SQL login for the company''s analysts; returns its password, never shown again.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.analyst_logins from anon, authenticated;
grant select, delete on public.analyst_logins to authenticated;
grant select, delete on public.analyst_logins to service_role;
revoke all on function private.drop_analyst_role() from public, anon, authenticated;
revoke all on function public.create_analyst_login(uuid, integer, integer) from public, anon;
grant execute on function public.create_analyst_login(uuid, integer, integer) to authenticated, service_role;

grant usage on schema analytics to renum_analyst;
revoke all on analytics.team_performance, analytics.agent_performance, analytics.inbox_consumption, analytics.agent_consumption
  from public, anon, authenticated;
grant select on analytics.team_performance, analytics.agent_performance, analytics.inbox_consumption, analytics.agent_consumption,
  analytics.freshness to renum_analyst, service_role;
