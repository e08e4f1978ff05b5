-- Platform bootstrap 090: Supabase's grants on `public` and its default privileges
-- (supabase/postgres init-scripts/00000000000000-initial-schema.sql): the API roles may use the
-- schema, and tables, functions and sequences that postgres (or supabase_admin) creates there are
-- granted to postgres, anon, authenticated and service_role — RLS, not grants, decides access.
-- Supabase sets no default privileges for the API roles in `extensions`, so neither does this file.

grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- Default privileges are a starting point that migrations may narrow (e.g. `alter default
-- privileges in schema public revoke execute on functions from anon`). This file runs again on
-- every stack start, after those migrations, so it sets them only on a database that has no
-- default privileges in `public` yet — i.e. once, on the first bootstrap — and never undoes a
-- migration's choice.
do $defaults$
begin
  if not exists (
    select from pg_catalog.pg_default_acl
    where defaclrole = 'postgres'::regrole and defaclnamespace = 'public'::regnamespace
  ) then
    alter default privileges for role postgres in schema public
      grant all on tables to postgres, anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on functions to postgres, anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on sequences to postgres, anon, authenticated, service_role;
  end if;

  if exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin')
     and not exists (
       select from pg_catalog.pg_default_acl
       where defaclrole = 'supabase_admin'::regrole and defaclnamespace = 'public'::regnamespace
     ) then
    alter default privileges for role supabase_admin in schema public
      grant all on tables to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public
      grant all on functions to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public
      grant all on sequences to postgres, anon, authenticated, service_role;
  end if;
end
$defaults$;
