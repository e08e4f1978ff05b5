-- A reply's wake-up of the outbound function (and a notification's of notify) looks for a queued
-- wake-up before it decrypts anything.
--
-- private.kick_outbound and private.kick_notify queue at most one pg_net request to their function
-- at a time, but they read (decrypt) the functions' address and the service key from Vault first,
-- at every call. A burst of replies appended in one transaction found its own first wake-up queued
-- and still decrypted two secrets per reply: profiling outbound-throughput.ts (3,000 replies in
-- batches of 100, pg_stat_user_functions with track_functions = all) counted 6,002 decryptions,
-- ~1.6 s of kick_outbound's time, a tenth of the database's CPU for the whole delivery.
--
-- The queue is read first, by the path every wake-up of the function ends with (only these
-- functions post there); Vault is read only when a request is really queued. What is queued, and
-- when, is unchanged: at most one waiting wake-up per function, as before.

create or replace function private.kick_outbound()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  if pg_catalog.has_table_privilege('net.http_request_queue', 'select')
     and exists (select from net.http_request_queue q where q.url like '%/outbound/run') then
    return null;
  end if;
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || '/outbound/run',
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;

create or replace function private.kick_notify()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  if pg_catalog.has_table_privilege('net.http_request_queue', 'select')
     and exists (select from net.http_request_queue q where q.url like '%/notify/run') then
    return null;
  end if;
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || '/notify/run',
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;
