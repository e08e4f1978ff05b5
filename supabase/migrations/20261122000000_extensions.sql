-- extensions: what Renum needs from Postgres, installed where Supabase puts them, plus the
-- `private` schema for security-definer helpers and internal tables that no API role may touch.

-- ─── extensions ───────────────────────────────────────────────────────────────────────────────
create extension if not exists pgcrypto with schema extensions;
create extension if not exists vector with schema extensions;
-- Trigram indexes: contacts searched by any part of a name or phone number.
create extension if not exists pg_trgm with schema extensions;
-- pg_cron keeps its objects in the `cron` schema; Supabase installs it from pg_catalog.
create extension if not exists pg_cron with schema pg_catalog;

-- ─── private schema ───────────────────────────────────────────────────────────────────────────
create schema if not exists private;
revoke all on schema private from public;
revoke all on schema private from anon, authenticated;
grant usage on schema private to service_role;

-- ─── default privileges: deny by default ─────────────────────────────────────────────────────
-- New functions are not callable by the API roles until a migration grants each one explicitly.
-- PUBLIC's execute can only be revoked globally; anon/authenticated per schema and globally.
alter default privileges revoke execute on functions from public;
alter default privileges revoke execute on functions from anon, authenticated;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges in schema private revoke all on tables from anon, authenticated;
alter default privileges in schema private revoke all on sequences from anon, authenticated;
