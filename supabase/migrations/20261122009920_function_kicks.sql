-- One way the database wakes an edge function, and the wake-ups that need only one waiting look
-- for it before they decrypt anything.
--
-- private.kick_executor, kick_ingest, kick_outbound and kick_notify each restated the same body:
-- read the functions' address and the service key from Vault, then queue a pg_net POST to
-- `<address>/<function>/run`. Outbound and notify also queued nothing while a wake-up of theirs
-- waited in pg_net's queue (one pass drains everything), but they read Vault first, at every call:
-- a burst of replies appended in one transaction found its own first wake-up queued and still
-- decrypted two secrets per reply. Profiling outbound-throughput.ts (3,000 replies in batches of
-- 100, pg_stat_user_functions with track_functions = all) counted 6,002 decryptions, ~1.6 s of
-- kick_outbound's time, a tenth of the database's CPU for the whole delivery.
--
-- private.kick_function(run_path, while_none_queued) is that body once; with while_none_queued it
-- reads the queue first, by the path every wake-up of the function ends with (only these functions
-- post there), and Vault only when a request is really queued. The four keep their names, rights
-- and answers: what is queued, and when, is unchanged.

create or replace function private.kick_function(run_path text, while_none_queued boolean)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  if while_none_queued
     and pg_catalog.has_table_privilege('net.http_request_queue', 'select')
     and exists (select from net.http_request_queue q where pg_catalog.right(q.url, pg_catalog.length(run_path)) = run_path) then
    return null;
  end if;
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || run_path,
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;
comment on function private.kick_function(text, boolean) is
  'Queues a pg_net POST of the service key to <functions URL><run_path> (after commit); with while_none_queued, nothing while one to that path waits. Runs with its caller''s rights: the security-definer kick_* functions, never people.';
revoke all on function private.kick_function(text, boolean) from public, anon, authenticated, service_role;

create or replace function private.kick_executor()
returns bigint
language sql
security definer
set search_path = ''
as $$ select private.kick_function('/executor/run', false) $$;

create or replace function private.kick_ingest()
returns bigint
language sql
security definer
set search_path = ''
as $$ select private.kick_function('/ingest/run', false) $$;

create or replace function private.kick_outbound()
returns bigint
language sql
security definer
set search_path = ''
as $$ select private.kick_function('/outbound/run', true) $$;

create or replace function private.kick_notify()
returns bigint
language sql
security definer
set search_path = ''
as $$ select private.kick_function('/notify/run', true) $$;
