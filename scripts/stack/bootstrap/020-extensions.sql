-- Platform bootstrap 020: the `extensions` schema and the extensions Supabase installs into it
-- before any project migration (supabase/postgres init-scripts/00000000000000-initial-schema.sql:
-- "uuid-ossp" and pgcrypto with schema extensions; pgjwt is deprecated and not installed here).

create schema if not exists extensions;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

-- "Allow Extensions to be used in the API".
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- Dashboard user (init-scripts/00000000000003-post-setup.sql).
grant all on schema extensions to dashboard_user;
grant all on all tables in schema extensions to dashboard_user;
grant all on all sequences in schema extensions to dashboard_user;
grant all on all routines in schema extensions to dashboard_user;

grant usage on schema extensions to supabase_realtime_admin;
