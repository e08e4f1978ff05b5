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
 * worker). The call's destination decides which keys fit:
 *   openai-compatible without config.base_url  an openai key (first-party: the platform's OpenAI address)
 *   openai-compatible with config.base_url     an openai-compatible key stored for that origin
 *   anthropic without config.base_url          an anthropic key (the platform's Anthropic address)
 *   anthropic with config.base_url             none (first-party keys never go to an agent's address)
 *   suna                                       a suna key stored for the origin of config.base_url
 *   agent-api                                  an agent-api key stored for the origin of the company's
 *                                              agents_endpoint_url
 * and whose key it is, in this order: the run starter's key for the run's company, the starter's
 * personal key, then a key for the run's company that an owner or admin shared with the company's
 * runs (its owner still a member; the most recently changed first). Never another member's personal
 * or unshared key. One row: the key (null when none fits; the demo needs none) with its service and
 * bound origin (null: the provider's own address), and, when no key fits but one of those people's
 * keys of the fitting service is stored for another address (or, for an anthropic agent with a
 * base_url, an anthropic key exists), that key's service and origin, so the worker fails the step
 * saying so instead of calling without a key.
 */
create or replace function private.provider_key_for_step(target_step_id uuid)
returns table (key_id uuid, key_service text, key_origin text, unusable_key_service text, unusable_key_origin text)
-- plpgsql, not sql: its plan is then kept for the session, where a sql function called once per
-- claim is planned again every time.
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  step record;
  destination text;
  fitting text[];
  related text[];
begin
  select s.tenant_id, e.created_by as starter, s.agent_definition ->> 'provider' as provider,
         s.agent_definition -> 'config' ->> 'base_url' as base_url, t.agents_endpoint_url
    into step
  from public.execution_steps s
  join public.executions e on e.id = s.execution_id
  join public.tenants t on t.id = s.tenant_id
  where s.id = target_step_id;
  if step.provider is null or step.provider = 'demo' then
    return query select null::uuid, null::text, null::text, null::text, null::text;
    return;
  end if;
  destination := private.url_origin(case when step.provider = 'agent-api' then step.agents_endpoint_url else step.base_url end);
  fitting := case
    when step.provider = 'openai-compatible' and step.base_url is null then array['openai']
    when step.provider = 'openai-compatible' then array['openai-compatible']
    when step.provider = 'anthropic' and step.base_url is null then array['anthropic']
    when step.provider in ('suna', 'agent-api') then array[step.provider]
    else array[]::text[] end;
  -- The keys worth naming when none fits: those of the fitting services stored for another address,
  -- or (anthropic with a base_url, which no key fits) the provider's own key.
  related := case when cardinality(fitting) > 0 then fitting else array[step.provider] end;

  return query
    with eligible as (
      select k.id, k.service::text as service, k.endpoint_origin,
             case when k.user_id = step.starter and k.tenant_id = step.tenant_id then 1
                  when k.user_id = step.starter and k.tenant_id is null then 2
                  else 3 end as precedence,
             k.updated_at
      from public.provider_keys k
      where k.is_active and k.service::text = any (related)
        and ((k.user_id = step.starter and (k.tenant_id = step.tenant_id or k.tenant_id is null))
             or (k.tenant_id = step.tenant_id and k.is_shared
                 and exists (select 1 from public.memberships m where m.tenant_id = k.tenant_id and m.user_id = k.user_id)))
    ),
    chosen as (
      select e.id, e.service, e.endpoint_origin from eligible e
      where e.service = any (fitting)
        and (case when private.provider_key_needs_endpoint(e.service) then e.endpoint_origin = destination
                  else e.endpoint_origin is null end)
      order by e.precedence, e.updated_at desc
      limit 1
    ),
    stray as (
      select e.service, e.endpoint_origin from eligible e
      where not exists (select 1 from chosen)
      order by e.precedence, e.updated_at desc
      limit 1
    )
    select (select c.id from chosen c), (select c.service from chosen c), (select c.endpoint_origin from chosen c),
           (select x.service from stray x), (select x.endpoint_origin from stray x);
end;
$$;
comment on function private.provider_key_for_step(uuid) is
  'Service role: the provider key a step may use (see above for which and in which order) with its bound '
  'origin, or the service and origin of a key that exists but does not fit the call''s destination.';

/*
 * The plaintext of the key chosen for a step, for the worker about to call the provider. Service
 * role only. Refuses (42501) any key other than the one provider_key_for_step picks now, so a
 * worker cannot be talked into decrypting someone else's key; the audit entry names the run's
 * starter as its actor (whose action caused the decryption) and the key's owner in its details.
 */
create or replace function private.decrypt_provider_key_for_step(target_step_id uuid, key_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  run record;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', message = 'only the service role can decrypt provider keys';
  end if;
  select s.execution_id, e.created_by into run
  from public.execution_steps s join public.executions e on e.id = s.execution_id where s.id = target_step_id;
  if run.execution_id is null or key_id is distinct from (select k.key_id from private.provider_key_for_step(target_step_id) k) then
    raise exception using errcode = '42501', message = 'this key is not the one this step may use';
  end if;
  return private.decrypt_provider_key(key_id, format('execution %s step %s', run.execution_id, target_step_id), run.created_by);
end;
$$;

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
grant execute on function private.decrypt_provider_key_for_step(uuid, uuid) to service_role;
grant execute on function private.next_step_attempt_at() to service_role;
grant execute on function private.kick_executor() to service_role;
grant execute on function private.rescue_stalled_runs() to service_role;
revoke all on procedure private.watch_executions(integer, numeric) from public;
