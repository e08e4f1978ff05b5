-- Platform bootstrap 020: the `extensions` schema and the extensions Supabase installs into it
-- before any project migration (supabase/postgres init-scripts/00000000000000-initial-schema.sql:
-- "uuid-ossp" and pgcrypto with schema extensions; pgjwt is deprecated and not installed here).

create schema if not exists extensions;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

-- "Allow Extensions to be used in the API"; postgres may also create in it
-- (10000000000000_demote-postgres: grant all on schema extensions to postgres).
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres;

-- On Supabase, postgres (not a superuser) creates allow-listed extensions such as vector and
-- pg_cron itself: supautils' privileged_extensions runs the CREATE EXTENSION as the superuser.
-- Debian does not package supautils, so the extensions the project's migrations and the CLI ask
-- for are created here first, where Supabase puts them; `create extension if not exists` in a
-- migration (or `supabase db lint`'s plpgsql_check) then finds them. pgTAP is created and dropped
-- around each test run by scripts/test/run-all.ts, as `supabase test db` does.
create extension if not exists vector with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;

-- pg_cron's grants to postgres, as Supabase's after-create script and its later fix give them
-- (ansible/files/postgresql_extension_custom_scripts/pg_cron/after-create.sql,
-- 20260730000000_revoke_trigger_on_cron_tables_from_postgres): jobs are managed through
-- cron.schedule()/cron.alter_job()/cron.unschedule(), cron.job itself is read-only.
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
grant all on all sequences in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
revoke trigger on cron.job_run_details from postgres;

-- Dashboard user (init-scripts/00000000000003-post-setup.sql).
grant all on schema extensions to dashboard_user;
grant all on all tables in schema extensions to dashboard_user;
grant all on all sequences in schema extensions to dashboard_user;
grant all on all routines in schema extensions to dashboard_user;

grant usage on schema extensions to supabase_realtime_admin;
