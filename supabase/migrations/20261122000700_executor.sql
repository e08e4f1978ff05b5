-- executor: how the database wakes the `executor` edge function and what the function may ask of
-- it beyond the engine functions. Following Supabase's pattern for pg_cron + pg_net, the function
-- URL and the service role key live in Vault, set once per project:
--   select vault.create_secret('https://<ref>.supabase.co/functions/v1', 'renum_functions_url');
--   select vault.create_secret('<service role key>', 'renum_service_role_key');
-- (the local stack sets both for itself). Without them nothing is kicked and runs wait for a worker.

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
/*
 * Queues `POST <functions url>/executor/run` with the service role key through pg_net; performed
 * after the calling transaction commits. Returns the pg_net request id, or null when the project
 * has not stored the URL and key in Vault.
 */
create or replace function private.kick_executor()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
begin
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(functions_url, '/') || '/executor/run',
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;
comment on function private.kick_executor() is
  'Service side: asks the executor function to run (pg_net, after commit). Null when Vault lacks its URL or key.';

/*
 * The watchdog's single pass, for a worker that died mid-step or a run nobody is working on: runs
 * the reaper (expired leases back to ready, overdue runs failed), then kicks the executor when a
 * step is claimable right now — a live engine claims a ready step within its poll interval, so a
 * claimable step seen here has no live worker. Returns the pg_net request id of the kick, or null
 * when nothing needed one (or Vault lacks the URL or key). Service role and the watchdog only.
 */
create or replace function private.rescue_stalled_runs()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.reap_executions();
  if exists (
    select 1
    from public.execution_steps s join public.executions e on e.id = s.execution_id
    where s.status = 'ready' and e.status = 'running' and e.cancel_requested_at is null
      and (e.deadline_at is null or e.deadline_at > now())
      and (s.next_attempt_at is null or s.next_attempt_at <= now())
      and (select count(*) from public.execution_steps r where r.execution_id = e.id and r.status = 'running')
          < (e.team_config ->> 'max_parallel_agents')::integer
  ) then
    return private.kick_executor();
  end if;
  return null;
end;
$$;
comment on function private.rescue_stalled_runs() is
  'Service role and the watchdog: reaps, then kicks the executor when a step is claimable and no worker took it.';

/*
 * The watchdog pg_cron starts every minute: a rescue pass every `every_seconds` for `for_seconds`,
 * each in its own transaction (so each kick is sent at once and each reap sees a fresh now()).
 * Leases are a few seconds long, so a run whose worker died is resumed within seconds, not at the
 * next minute: Debian's pg_cron 1.4 schedules by the minute only (hosted 1.6 also takes '1 seconds';
 * see README, "A crashed worker"). A procedure, not a function, for its COMMITs — which is also why
 * it is security invoker with no SET clause (Postgres forbids transaction control otherwise): it
 * calls only schema-qualified names, and only its owner (pg_cron runs jobs as postgres) may call it.
 */
create or replace procedure private.watch_executions(for_seconds integer default 58, every_seconds numeric default 1)
language plpgsql
as $$
declare
  watch_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => for_seconds);
begin
  loop
    perform private.rescue_stalled_runs();
    commit;
    exit when pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => every_seconds) > watch_until;
    perform pg_catalog.pg_sleep(every_seconds);
  end loop;
end;
$$;

/*
 * The provider key a step's call uses, for the service role (private.claim_steps hands it to the
 * worker): the key of the person who started the run for the agent's service, scoped to the run's
 * company first, then their personal key, then any key stored for the company. Null when none is
 * stored (the demo provider needs none).
 */
create or replace function private.provider_key_for_step(target_step_id uuid)
returns uuid
-- plpgsql, not sql: its plan is then kept for the session, where a sql function called once per
-- claim is planned again every time (0.8 ms of each claim).
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    with step as (
      select s.tenant_id, e.created_by,
             -- public.agent_provider_key_services, most preferred first
             coalesce((select pg_catalog.array_agg(m.service order by m.preference) from public.agent_provider_key_services m
                       where m.provider::text = s.agent_definition ->> 'provider'), '{}') as services
      from public.execution_steps s join public.executions e on e.id = s.execution_id
      where s.id = target_step_id
    )
    select k.id
    from public.provider_keys k, step
    where k.is_active and k.service = any (step.services)
      and ((k.user_id = step.created_by and (k.tenant_id = step.tenant_id or k.tenant_id is null)) or k.tenant_id = step.tenant_id)
    order by (k.user_id = step.created_by and k.tenant_id = step.tenant_id) desc,
             (k.user_id = step.created_by and k.tenant_id is null) desc,
             array_position(step.services, k.service),
             k.updated_at desc
    limit 1
  );
end;
$$;
comment on function private.provider_key_for_step(uuid) is
  'Service role: the provider_keys id a step should use (see the function body for the order), or null.';

-- The earliest moment a ready step may be claimed, so an idle worker knows whether to wait for it.
create or replace function private.next_step_attempt_at()
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select min(coalesce(s.next_attempt_at, now()))
  from public.execution_steps s join public.executions e on e.id = s.execution_id
  where s.status = 'ready' and e.status = 'running' and e.cancel_requested_at is null
    and (e.deadline_at is null or e.deadline_at > now());
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A run that starts (now, or later when the tenant has room) wakes a worker.
create or replace function private.kick_executor_for_started_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.kick_executor();
  return null;
end;
$$;
create trigger executions_kick_executor after update of status on public.executions
  for each row when (new.status = 'running' and old.status is distinct from 'running')
  execute function private.kick_executor_for_started_run();

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
-- One watchdog per minute, each watching the whole minute (see private.watch_executions), and one
-- as soon as the database starts: after a restart the minute job would wait for the next minute.
select cron.schedule('renum-watch-executions', '* * * * *', 'call private.watch_executions()');
select cron.schedule('renum-watch-executions-at-start', '@reboot', 'call private.watch_executions()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.provider_key_for_step(uuid) to service_role;
grant execute on function private.next_step_attempt_at() to service_role;
grant execute on function private.kick_executor() to service_role;
grant execute on function private.rescue_stalled_runs() to service_role;
revoke all on procedure private.watch_executions(integer, numeric) from public;
