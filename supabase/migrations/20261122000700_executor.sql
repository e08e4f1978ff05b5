-- executor: what the `executor` edge function may ask of the database beyond the engine functions:
-- which provider key a step's call uses (and its plaintext, for that call only), and when the next
-- ready step may be claimed, so an idle worker knows how long to wait.
--
-- Who may do what: the service role only. Who writes each table: none of its own (decrypting a key
-- writes an audit entry).

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
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
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can decrypt provider keys';
  end if;
  select s.execution_id, e.created_by into run
  from public.execution_steps s join public.executions e on e.id = s.execution_id where s.id = target_step_id;
  if run.execution_id is null or key_id is distinct from (select k.key_id from private.provider_key_for_step(target_step_id) k) then
    raise exception using errcode = '42501', constraint = 'step_key_mismatch', message = 'this key is not the one this step may use';
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

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.provider_key_for_step(uuid) to service_role;
grant execute on function private.decrypt_provider_key_for_step(uuid, uuid) to service_role;
grant execute on function private.next_step_attempt_at() to service_role;
