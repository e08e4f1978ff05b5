-- Platform bootstrap 010: the roles every Supabase database has.
--
-- Runs as the cluster superuser `supabase_admin`, before any project migration, on every stack
-- start; every statement is idempotent. Sources: supabase/postgres `migrations/db/init-scripts/`
-- (00000000000000-initial-schema.sql, 00000000000001-auth-schema.sql, 00000000000003-post-setup.sql)
-- and the later role migrations (20221028101028_set_authenticator_timeout,
-- 20230201083204 grant API roles to postgres, 20230529180330_alter_api_roles_for_inherit,
-- 20231130133139_set_lock_timeout_to_authenticator_role).
--
-- As on Supabase, `supabase_admin` is the cluster's superuser (initdb's bootstrap user) and
-- `postgres` is the project owner's role: NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION
-- BYPASSRLS (migrations/db/migrations/10000000000000_demote-postgres.sql), owner of the database
-- and so of `public`. Migrations, seed, pgTAP and functions connect as postgres, so what it may
-- not do on a hosted project fails here too.
--
-- Local differences, on purpose:
-- * Passwords are the local-development ones ('postgres').
-- * postgres is a member of supabase_realtime_admin, the owner of realtime.messages, so migrations
--   can create policies on it. Supabase grants exactly that (and not the membership) through
--   supautils' policy_grants, which Debian does not package; Supabase revoked the membership in
--   20250421084701_revoke_admin_roles_from_postgres.

do $roles$
begin
  -- API roles. Created NOLOGIN NOINHERIT as in the initial schema; Supabase later switched the
  -- three to INHERIT (20230529180330_alter_api_roles_for_inherit), which is applied below.
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;

  -- The role PostgREST / the local API logs in as, switching to one of the three per request.
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;

  -- The project owner's role (supabase_admin, the superuser, exists since initdb).
  if not exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
    create role postgres;
  end if;
  -- GoTrue connects as this role on Supabase, so it can log in (NOINHERIT CREATEROLE LOGIN NOREPLICATION).
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login noreplication;
  end if;
  -- Current supabase/realtime creates it NOINHERIT NOLOGIN NOREPLICATION (squashed tenant migrations).
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin noinherit nologin noreplication;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'dashboard_user') then
    create role dashboard_user nosuperuser createdb createrole replication;
  end if;
end
$roles$;

-- Attributes, re-asserted on every run so a drifted role is put back.
alter role anon nologin inherit nobypassrls;
alter role authenticated nologin inherit nobypassrls;
alter role service_role nologin inherit bypassrls;
alter role authenticator login noinherit nobypassrls password 'postgres';
alter role supabase_auth_admin login noinherit password 'postgres';
alter role postgres nosuperuser createdb createrole login replication bypassrls password 'postgres';
alter role supabase_admin password 'postgres';

-- The project's database and its `public` schema (owned by pg_database_owner) belong to postgres,
-- as Supabase's image sets them up ("alter database postgres owner to postgres").
alter database postgres owner to postgres;
grant all on database postgres to postgres;
grant supabase_realtime_admin to postgres;

grant anon, authenticated, service_role to authenticator;
-- Supabase grants the API roles to postgres (20230201083204) and to the realtime admin.
grant anon, authenticated, service_role to postgres;
grant anon, authenticated, service_role to supabase_realtime_admin;

-- Role settings as on Supabase.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
-- On Supabase `postgres` resolves extension functions (gen_random_bytes, crypt, ...) unqualified,
-- so migrations written against it do too.
alter role postgres set search_path = "$user", public, extensions;
