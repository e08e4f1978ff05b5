-- Test helpers for every pgTAP file that follows (pg_prove runs files in name order).
--
-- Modelled on Basejump's supabase_test_helpers (same function names and behaviour), installed as
-- plain SQL into a `tests` schema. Deliberately NOT inside a rolled-back transaction: the schema
-- must outlive this file. Re-runnable: everything is `if not exists` / `create or replace`.
--
--   tests.create_supabase_user(identifier, email, phone, metadata) -> uuid
--   tests.get_supabase_uid(identifier) -> uuid
--   tests.get_supabase_user(identifier) -> json
--   tests.authenticate_as(identifier)          -- role authenticated + Supabase Auth's full claim set
--   tests.authenticate_as_service_role()       -- role service_role + service key claims
--   tests.clear_authentication()               -- back to anon: role anon, claims {"role":"anon"}
--   tests.rls_enabled(schema) / tests.rls_enabled(schema, table) -> pgTAP result
--   tests.tenant_id(slug) / tests.agent_id(name) / tests.team_id(name) -> uuid, whatever RLS shows
--   tests.run_id(prompt) / tests.step_id(prompt, agent name) -> uuid of a run / of one of its steps
--   tests.provider_key_id(identifier, service, tenant slug) -> uuid of a person's active key
--   tests.inbox_id(name) / tests.contact_id(tenant slug, phone) / tests.conversation_id(inbox name, phone) -> uuid
--   tests.raised(statement) -> {state, code, detail} of what it raised / tests.error_code(statement)
--   tests.create_two_tenants()                 -- the usual cast of the files that follow
--
-- Authentication settings are transaction-local (set_config(..., true)), so use them inside the
-- test file's `begin; ... rollback;`.

set client_min_messages to warning;
set search_path to public, extensions, tests;

create extension if not exists pgtap with schema extensions;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- identifier -> auth.users.id of the users created through tests.create_supabase_user().
create table if not exists tests.supabase_users (
  identifier text primary key,
  user_id uuid not null
);
alter table tests.supabase_users enable row level security;
revoke all on tests.supabase_users from public, anon, authenticated, service_role;

-- ─── users ───────────────────────────────────────────────────────────────────────────────────
-- Creates a confirmed email user the way Supabase Auth stores one (with its email identity) and
-- remembers it under `identifier`. `test_identifier` is also kept in raw_user_meta_data, as
-- Basejump does. The default email is unique per user.
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  phone text default null,
  metadata jsonb default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_id uuid := gen_random_uuid();
  new_email text := coalesce(email, new_id::text || '@test.local');
begin
  if identifier is null or identifier = '' then
    raise exception 'tests.create_supabase_user: identifier is required';
  end if;

  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    confirmation_token, recovery_token, email_change_token_new, email_change,
    raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, phone
  ) values (
    '00000000-0000-0000-0000-000000000000', new_id, 'authenticated', 'authenticated', new_email, '', now(),
    '', '', '', '',
    '{"provider": "email", "providers": ["email"]}'::jsonb,
    pg_catalog.jsonb_build_object('test_identifier', identifier) || coalesce(metadata, '{}'::jsonb),
    false, now(), now(), phone
  );

  insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
  values (
    new_id::text, new_id,
    pg_catalog.jsonb_build_object('sub', new_id::text, 'email', new_email, 'email_verified', true, 'phone_verified', false),
    'email', now(), now(), now()
  );

  insert into tests.supabase_users (identifier, user_id) values (identifier, new_id)
  on conflict on constraint supabase_users_pkey do update set user_id = excluded.user_id;

  return new_id;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  found uuid;
begin
  select u.id into found
  from tests.supabase_users t join auth.users u on u.id = t.user_id
  where t.identifier = get_supabase_uid.identifier;
  if found is null then
    select u.id into found from auth.users u
    where u.raw_user_meta_data ->> 'test_identifier' = get_supabase_uid.identifier
    order by u.created_at desc
    limit 1;
  end if;
  if found is null then
    raise exception 'User with identifier % not found', identifier;
  end if;
  return found;
end;
$$;

create or replace function tests.get_supabase_user(identifier text)
returns json
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.json_build_object(
    'id', u.id,
    'email', u.email,
    'phone', u.phone,
    'raw_user_meta_data', u.raw_user_meta_data,
    'raw_app_meta_data', u.raw_app_meta_data
  )
  from auth.users u
  where u.id = tests.get_supabase_uid(identifier);
$$;

-- The access-token claims Supabase Auth issues for this user (aud, exp, iat, iss, sub, email,
-- phone, app_metadata, user_metadata, role, aal, amr, session_id, is_anonymous).
create or replace function tests.supabase_user_claims(identifier text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'aud', 'authenticated',
    'exp', pg_catalog.floor(extract(epoch from now() + interval '1 hour'))::bigint,
    'iat', pg_catalog.floor(extract(epoch from now()))::bigint,
    'iss', 'http://127.0.0.1:54321/auth/v1',
    'sub', u.id::text,
    'email', coalesce(u.email, ''),
    'phone', coalesce(u.phone, ''),
    'app_metadata', coalesce(u.raw_app_meta_data, '{}'::jsonb),
    'user_metadata', coalesce(u.raw_user_meta_data, '{}'::jsonb),
    'role', 'authenticated',
    'aal', 'aal1',
    'amr', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
      'method', 'password', 'timestamp', pg_catalog.floor(extract(epoch from now()))::bigint)),
    'session_id', gen_random_uuid()::text,
    'is_anonymous', u.is_anonymous
  )
  from auth.users u
  where u.id = tests.get_supabase_uid(identifier);
$$;

-- ─── authentication (no SET clause: a function's SET clause would undo the role change) ──────
-- The older per-claim settings are emptied too: auth.uid()/role()/email() prefer them when set.
create or replace function tests.authenticate_as(identifier text)
returns void
language plpgsql
as $$
declare
  claims jsonb := tests.supabase_user_claims(identifier);
begin
  if claims is null then
    raise exception 'User with identifier % not found', identifier;
  end if;
  perform pg_catalog.set_config('role', 'authenticated', true);
  perform pg_catalog.set_config('request.jwt.claims', claims::text, true);
  perform pg_catalog.set_config('request.jwt.claim.sub', '', true);
  perform pg_catalog.set_config('request.jwt.claim.role', '', true);
  perform pg_catalog.set_config('request.jwt.claim.email', '', true);
  perform pg_catalog.set_config('request.jwt.claim', '', true);
end;
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
as $$
begin
  perform pg_catalog.set_config('role', 'service_role', true);
  perform pg_catalog.set_config('request.jwt.claims', pg_catalog.jsonb_build_object(
    'iss', 'supabase-demo',
    'role', 'service_role',
    'exp', pg_catalog.floor(extract(epoch from now() + interval '1 hour'))::bigint
  )::text, true);
  perform pg_catalog.set_config('request.jwt.claim.sub', '', true);
  perform pg_catalog.set_config('request.jwt.claim.role', '', true);
  perform pg_catalog.set_config('request.jwt.claim.email', '', true);
  perform pg_catalog.set_config('request.jwt.claim', '', true);
end;
$$;

create or replace function tests.clear_authentication()
returns void
language plpgsql
as $$
begin
  perform pg_catalog.set_config('role', 'anon', true);
  perform pg_catalog.set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform pg_catalog.set_config('request.jwt.claim.sub', '', true);
  perform pg_catalog.set_config('request.jwt.claim.role', '', true);
  perform pg_catalog.set_config('request.jwt.claim.email', '', true);
  perform pg_catalog.set_config('request.jwt.claim', '', true);
end;
$$;

-- ─── names → ids ─────────────────────────────────────────────────────────────────────────────
-- Every actor can name a row in an assertion, whatever RLS lets it see (security definer).
create or replace function tests.tenant_id(wanted_slug text) returns uuid
language sql stable security definer set search_path = ''
as $$ select t.id from public.tenants t where t.slug = wanted_slug $$;

create or replace function tests.agent_id(wanted_name text) returns uuid
language sql stable security definer set search_path = ''
as $$ select a.id from public.agents a where a.name = wanted_name $$;

create or replace function tests.team_id(wanted_name text) returns uuid
language sql stable security definer set search_path = ''
as $$ select t.id from public.teams t where t.name = wanted_name $$;

-- A run is named by its prompt, a step by its run's prompt and its agent's name.
create or replace function tests.run_id(prompt text) returns uuid
language sql stable security definer set search_path = ''
as $$ select e.id from public.executions e where e.initial_prompt = prompt $$;

create or replace function tests.step_id(prompt text, agent_name text) returns uuid
language sql stable security definer set search_path = ''
as $$ select s.id from public.execution_steps s join public.executions e on e.id = s.execution_id
      where e.initial_prompt = prompt and s.agent_definition ->> 'name' = agent_name $$;

-- A person's active provider key for a service: personal, or for the company with that slug.
create or replace function tests.provider_key_id(identifier text, wanted_service text, wanted_tenant_slug text default null)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select k.id from public.provider_keys k
  where k.user_id = tests.get_supabase_uid(identifier) and k.service::text = wanted_service and k.is_active
    and k.tenant_id is not distinct from (select t.id from public.tenants t where t.slug = wanted_tenant_slug)
$$;

-- WhatsApp: an inbox by its display name, a contact by its company and phone (E.164), the open
-- (or latest) conversation of an inbox with a phone.
create or replace function tests.inbox_id(wanted_name text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.inboxes i where i.display_name = wanted_name $$;

create or replace function tests.contact_id(wanted_tenant_slug text, wanted_phone text) returns uuid
language sql stable security definer set search_path = ''
as $$ select c.id from public.contacts c join public.tenants t on t.id = c.tenant_id
      where t.slug = wanted_tenant_slug and c.phone = wanted_phone $$;

create or replace function tests.conversation_id(wanted_inbox_name text, wanted_phone text) returns uuid
language sql stable security definer set search_path = ''
as $$ select c.id from public.conversations c join public.inboxes i on i.id = c.inbox_id join public.contacts p on p.id = c.contact_id
      where i.display_name = wanted_inbox_name and p.phone = wanted_phone
      order by (c.status <> 'closed') desc, c.created_at desc limit 1 $$;

grant execute on function tests.inbox_id(text), tests.contact_id(text, text), tests.conversation_id(text, text)
  to anon, authenticated, service_role;

grant execute on function tests.tenant_id(text), tests.agent_id(text), tests.team_id(text), tests.run_id(text),
  tests.step_id(text, text), tests.provider_key_id(text, text, text) to anon, authenticated, service_role;

-- ─── raised errors ───────────────────────────────────────────────────────────────────────────
-- What a statement raised, as sql-errors.ts reads it: {state, code, detail} (the SQLSTATE, the
-- stable code carried as the constraint name, the detail when it is JSON); null when it raised
-- nothing. Runs as the caller, so a refusal by RLS or a grant is the caller's.
create or replace function tests.raised(statement text) returns jsonb
language plpgsql
as $$
declare
  state text;
  code text;
  detail text;
begin
  execute statement;
  return null;
exception when others then
  get stacked diagnostics state = returned_sqlstate, code = constraint_name, detail = pg_exception_detail;
  return pg_catalog.jsonb_build_object('state', state, 'code', nullif(code, ''),
    'detail', case when detail like '{%' then detail::jsonb end);
end;
$$;

-- Only the stable code (the constraint name) a statement raised; null when it raised none.
create or replace function tests.error_code(statement text) returns text
language sql
as $$ select tests.raised(statement) ->> 'code' $$;

grant execute on function tests.raised(text), tests.error_code(text) to anon, authenticated, service_role;

-- ─── the usual cast ──────────────────────────────────────────────────────────────────────────
-- Tenant A ('tenant-a': owner_a, admin_a, member_a, analyst_a), tenant B ('tenant-b': owner_b,
-- member_b) and a platform admin in no tenant, each tenant created by its owner through
-- public.create_tenant as the product does. Leaves the caller acting as the service role.
create or replace function tests.create_two_tenants()
returns void
language plpgsql
as $$
declare
  staff_id uuid;
begin
  perform tests.create_supabase_user('owner_a', 'owner.a@renum.test');
  perform tests.create_supabase_user('admin_a', 'admin.a@renum.test');
  perform tests.create_supabase_user('member_a', 'member.a@renum.test');
  perform tests.create_supabase_user('analyst_a', 'analyst.a@renum.test');
  perform tests.create_supabase_user('owner_b', 'owner.b@renum.test');
  perform tests.create_supabase_user('member_b', 'member.b@renum.test');
  perform tests.create_supabase_user('platform_admin', 'staff@renum.test');

  perform tests.authenticate_as('owner_a');
  perform public.create_tenant('Tenant A', 'tenant-a', '11.222.333/0001-81');
  perform tests.authenticate_as('owner_b');
  perform public.create_tenant('Tenant B', 'tenant-b', '11.444.777/0001-61');

  perform tests.authenticate_as_service_role();
  insert into public.memberships (tenant_id, user_id, role) values
    (tests.tenant_id('tenant-a'), tests.get_supabase_uid('admin_a'), 'admin'),
    (tests.tenant_id('tenant-a'), tests.get_supabase_uid('member_a'), 'member'),
    (tests.tenant_id('tenant-a'), tests.get_supabase_uid('analyst_a'), 'analyst'),
    (tests.tenant_id('tenant-b'), tests.get_supabase_uid('member_b'), 'member');
  -- Not `where id = tests.get_supabase_uid(...)`: the planner folds that stable call while planning,
  -- with a snapshot from before this function created the user, and finds no one.
  staff_id := tests.get_supabase_uid('platform_admin');
  update public.profiles set is_platform_admin = true where id = staff_id;
end;
$$;

-- ─── RLS assertions (return a pgTAP result line) ─────────────────────────────────────────────
-- Every table (plain, partitioned, and partitions) in the schema must have RLS enabled; the
-- failure diagnostics list the offenders. A schema that does not exist fails.
create or replace function tests.rls_enabled(schema_name text)
returns text
language plpgsql
as $$
declare
  description text := 'All tables in the ' || schema_name || ' schema should have row level security enabled';
  offenders text[];
begin
  if pg_catalog.to_regnamespace(pg_catalog.quote_ident(schema_name)) is null then
    return ok(false, description) || E'\n' || diag('schema ' || schema_name || ' does not exist');
  end if;
  select coalesce(pg_catalog.array_agg(pg_catalog.format('%I.%I', n.nspname, c.relname) order by c.relname), '{}')
  into offenders
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = schema_name
    and c.relkind in ('r', 'p')
    and not c.relrowsecurity;
  return is(offenders, '{}'::text[], description);
end;
$$;

create or replace function tests.rls_enabled(schema_name text, table_name text)
returns text
language plpgsql
as $$
declare
  enabled boolean;
begin
  select c.relrowsecurity into enabled
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = schema_name and c.relname = table_name and c.relkind in ('r', 'p');
  return ok(coalesce(enabled, false), schema_name || '.' || table_name || ' should have row level security enabled')
    || case when enabled is null then E'\n' || diag('table ' || schema_name || '.' || table_name || ' does not exist') else '' end;
end;
$$;

-- pgTAP calls inside rls_enabled() resolve in pgTAP's own schema, whatever the caller's search_path.
do $pin$
declare
  pgtap_schema text;
begin
  select n.nspname into pgtap_schema
  from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
  where e.extname = 'pgtap';
  execute format('alter function tests.rls_enabled(text) set search_path = %I, pg_catalog', pgtap_schema);
  execute format('alter function tests.rls_enabled(text, text) set search_path = %I, pg_catalog', pgtap_schema);
end
$pin$;

-- ─── grants ──────────────────────────────────────────────────────────────────────────────────
-- The helpers are called while acting as any API role.
grant execute on all functions in schema tests to anon, authenticated, service_role;

-- pgTAP's own functions must be callable while a test acts as an API role. Projects may revoke
-- PUBLIC execute by default (`alter default privileges revoke execute on functions from public`),
-- which also strips it from pgTAP when the runner installs it afterwards, so grant them back here —
-- only pgTAP's functions, found through the extension's dependencies.
do $pgtap_grants$
declare
  fn regprocedure;
begin
  for fn in
    select p.oid::regprocedure
    from pg_catalog.pg_proc p
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    join pg_catalog.pg_extension e on e.oid = d.refobjid and e.extname = 'pgtap'
    -- Only what the API roles lack: pgTAP created by the platform's superuser keeps PUBLIC execute.
    where not pg_catalog.has_function_privilege('anon', p.oid, 'execute')
  loop
    execute format('grant execute on function %s to anon, authenticated, service_role', fn);
  end loop;
end
$pgtap_grants$;

select plan(1);
select ok(
  to_regprocedure('tests.authenticate_as(text)') is not null
    and to_regprocedure('tests.create_supabase_user(text, text, text, jsonb)') is not null
    and to_regprocedure('tests.rls_enabled(text)') is not null,
  'tests helpers installed'
);
select * from finish();
