-- outbound delivery: the queue's transitions (see 20261122001600_outbound_queue.sql for the states
-- and the at-most-once choice). The outbound function calls, per job:
--   private.claim_outbound_deliveries   leases the first open job of conversations, in order;
--   private.record_outbound_part        after each part the provider accepted: its provider id;
--   private.settle_outbound_delivery    sent, retry later, failed (final) or dead (a dead letter);
--   private.reap_outbound_deliveries    leases that ran out: dead letters, `delivery_interrupted`.
-- A dead letter is sent again or given up through private.resolve_dead_letter, which no role may
-- execute: the service calls private.retry_dead_letter / discard_dead_letter, people (manage_inboxes)
-- public.retry_dead_letter / discard_dead_letter (20261122001620_outbound_people.sql).
--
-- Who may do what: the service role only.
--
-- Who writes each table:
--   private.outbound_deliveries, public.messages (status, error, provider id),
--   private.message_provider_ids                                            these functions

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Retries after the first, second and third retryable failure; the fourth makes a dead letter.
create or replace function private.outbound_retry_delays()
returns numeric[]
language sql
immutable
set search_path = ''
as $$ select array[1, 5, 25]::numeric[] $$;

/*
 * Moves jobs whose lease ran out (their worker died or hung mid-send) to the dead letters with
 * `delivery_interrupted`, and their messages to failed: whether the provider got the request is
 * unknown, and resending could send it twice (at most once). Returns how many. Service role only.
 */
create or replace function private.reap_outbound_deliveries()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  reaped integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role reaps deliveries';
  end if;
  with expired as (
    update private.outbound_deliveries d
    set status = 'dead', lease_owner = null, lease_expires_at = null, finished_at = now(), updated_at = now(),
        last_error = pg_catalog.jsonb_build_object('code', 'delivery_interrupted',
          'message', 'the worker stopped while sending; the provider may or may not have received the message')
    where d.id in (
      select x.id from private.outbound_deliveries x
      where x.status = 'sending' and x.lease_expires_at < now()
      for update skip locked
    )
    returning d.message_id, d.message_created_at, d.last_error
  )
  update public.messages m
  set status = 'failed', status_at = now(), error = expired.last_error || '{"dead_letter": true}'
  from expired
  where m.id = expired.message_id and m.created_at = expired.message_created_at;
  get diagnostics reaped = row_count;
  return reaped;
end;
$$;

/*
 * Leases up to `max_jobs` jobs for `worker` for `lease_seconds`: for each conversation, its first
 * open job (lowest message_index among pending and sending) when it is pending and due. A job
 * never overtakes an earlier one of its conversation, so a retry holds the later messages back.
 * Each row carries what the send needs (the inbox's provider and ids, the contact's phone, the
 * body and the parts already sent) and whether Meta's 24-hour customer window is open (the
 * contact wrote in the last 24 hours). Reaps expired leases first. Service role only.
 * A company that is not active (suspended, inactive) sends nothing: its jobs are not claimed and
 * wait, `pending` with their messages `queued` (not failed, not dead letters), until it is active
 * again, when the watchdog's next pass wakes the function for them. A job already `sending` when
 * the suspension came finishes its send (and a retry of it then waits too).
 */
create or replace function private.claim_outbound_deliveries(worker text, max_jobs integer default 20, lease_seconds integer default 60)
returns table (
  delivery_id uuid,
  message_id uuid,
  conversation_id uuid,
  message_index integer,
  attempts integer,
  parts_sent integer,
  body text,
  inbox_id uuid,
  provider public.inbox_provider,
  meta_phone_number_id text,
  zapi_instance_id text,
  evolution_instance_name text,
  evolution_base_url text,
  contact_phone text,
  customer_window_open boolean
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role claims deliveries';
  end if;
  if worker is null or char_length(worker) not between 1 and 200 or max_jobs not between 1 and 500 or lease_seconds not between 5 and 600 then
    raise exception using errcode = '22023', constraint = 'delivery_claim_invalid',
      message = 'a claim needs a worker id (1-200 characters), 1-500 jobs and a lease of 5-600 s';
  end if;
  perform private.reap_outbound_deliveries();
  return query
  with heads as (
    select distinct on (o.conversation_id) o.id, o.status, o.next_attempt_at
    from private.outbound_deliveries o
    where o.status in ('pending', 'sending')
    order by o.conversation_id, o.message_index
  ),
  claimed as (
    update private.outbound_deliveries d
    set status = 'sending', lease_owner = worker, lease_expires_at = now() + pg_catalog.make_interval(secs => lease_seconds),
        attempts = d.attempts + 1, updated_at = now()
    where d.id in (
      select x.id from private.outbound_deliveries x
      where x.id in (select h.id from heads h where h.status = 'pending' and h.next_attempt_at <= now())
        and x.status = 'pending'
        and exists (select from public.tenants t where t.id = x.tenant_id and t.status = 'active')
      order by x.next_attempt_at
      limit max_jobs
      for update skip locked
    )
    returning d.*
  )
  select c.id, c.message_id, c.conversation_id, c.message_index, c.attempts, c.parts_sent, m.body, i.id, i.provider,
         i.meta_phone_number_id, i.zapi_instance_id, i.evolution_instance_name, i.evolution_base_url, k.phone,
         exists (
           select from public.messages u
           where u.conversation_id = c.conversation_id and u.direction = 'in'
             and u.created_at > now() - interval '24 hours'
             and coalesce(u.sent_at, u.created_at) > now() - interval '24 hours'
         )
  from claimed c
  join public.messages m on m.id = c.message_id and m.created_at = c.message_created_at
  join public.inboxes i on i.id = c.inbox_id
  join public.contacts k on k.id = m.contact_id
  order by c.conversation_id, c.message_index;
end;
$$;

/*
 * The provider accepted part `part_number` (1-based) of the job's message under `provider_message_id`:
 * the job counts it and renews its lease, and the id is mapped to the message so status callbacks
 * reach it (the first part's id is the message's own). False when `worker` no longer holds the
 * lease. Service role only.
 */
create or replace function private.record_outbound_part(
  target_delivery_id uuid,
  worker text,
  part_number integer,
  provider_message_id text,
  lease_seconds integer default 60
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  job private.outbound_deliveries;
  claimed private.message_provider_ids;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role records deliveries';
  end if;
  if char_length(record_outbound_part.provider_message_id) not between 1 and 256 or record_outbound_part.provider_message_id is null then
    raise exception using errcode = '22023', constraint = 'provider_message_id_invalid', message = 'the provider''s message id has 1-256 characters';
  end if;
  update private.outbound_deliveries d
  set parts_sent = greatest(d.parts_sent, part_number), updated_at = now(),
      lease_expires_at = now() + pg_catalog.make_interval(secs => lease_seconds)
  where d.id = target_delivery_id and d.status = 'sending' and d.lease_owner = worker
  returning d.* into job;
  if job.id is null then
    return false;
  end if;
  -- Locks the id's row like the webhooks do; a status that came first is applied now.
  insert into private.message_provider_ids as p (inbox_id, provider_message_id, message_id, message_created_at)
  values (job.inbox_id, record_outbound_part.provider_message_id, job.message_id, job.message_created_at)
  on conflict (inbox_id, provider_message_id) do update set message_id = excluded.message_id, message_created_at = excluded.message_created_at
  returning p.* into claimed;
  if part_number = 1 then
    update public.messages m set provider_message_id = record_outbound_part.provider_message_id
    where m.id = job.message_id and m.created_at = job.message_created_at;
  end if;
  if claimed.early_status is not null then
    update public.messages m
    set status = claimed.early_status, status_at = claimed.early_status_at,
        error = case when claimed.early_status = 'failed' then claimed.early_error else m.error end
    where m.id = job.message_id and m.created_at = job.message_created_at and claimed.early_status > m.status;
    update private.message_provider_ids p set early_status = null, early_status_at = null, early_error = null
    where p.inbox_id = job.inbox_id and p.provider_message_id = record_outbound_part.provider_message_id;
  end if;
  return true;
end;
$$;

/*
 * Settles a job `worker` holds. outcome:
 *   sent        every part was accepted: the job is done, the message `sent` (unless a status
 *               callback already moved it further);
 *   retry       a retryable failure (429, 5xx, timeout, connection): pending again after the next
 *               delay (1 s, 5 s, 25 s; or retry_after_seconds when longer); after the third retry,
 *               a dead letter and the message `failed` with the error and dead_letter true;
 *   failed      a final refusal (other 4xx, outside the customer window): the message `failed`.
 * failure: {code, message, http_status}. False when `worker` no longer holds the lease (the reaper
 * took it). Service role only. Raises delivery_outcome_invalid.
 */
create or replace function private.settle_outbound_delivery(
  target_delivery_id uuid,
  worker text,
  outcome text,
  failure jsonb default null,
  retry_after_seconds numeric default null
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  job private.outbound_deliveries;
  delays numeric[] := private.outbound_retry_delays();
  next_status private.outbound_delivery_status;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role settles deliveries';
  end if;
  if outcome is null or outcome not in ('sent', 'retry', 'failed')
     or (outcome <> 'sent' and (pg_catalog.jsonb_typeof(failure) is distinct from 'object' or pg_catalog.jsonb_typeof(failure -> 'code') is distinct from 'string')) then
    raise exception using errcode = '22023', constraint = 'delivery_outcome_invalid',
      message = 'an outcome is sent, retry or failed; a failure carries an error with its code';
  end if;
  select * into job from private.outbound_deliveries d
  where d.id = target_delivery_id and d.status = 'sending' and d.lease_owner = worker
  for update;
  if job.id is null then
    return false;
  end if;

  next_status := case
    when outcome = 'sent' then 'sent'
    when outcome = 'failed' then 'failed'
    when job.attempts > coalesce(array_length(delays, 1), 0) then 'dead'
    else 'pending'
  end::private.outbound_delivery_status;
  update private.outbound_deliveries d
  set status = next_status, lease_owner = null, lease_expires_at = null, updated_at = now(),
      last_error = case when outcome = 'sent' then d.last_error else failure end,
      next_attempt_at = case when next_status = 'pending'
        then now() + pg_catalog.make_interval(secs => greatest(delays[job.attempts], least(coalesce(retry_after_seconds, 0), 3600)))
        else d.next_attempt_at end,
      finished_at = case when next_status = 'pending' then null else now() end
  where d.id = job.id;

  if next_status = 'sent' then
    update public.messages m set status = 'sent', status_at = now(), error = null
    where m.id = job.message_id and m.created_at = job.message_created_at and m.status < 'sent';
  elsif next_status in ('failed', 'dead') then
    update public.messages m
    set status = 'failed', status_at = now(),
        error = failure || case when next_status = 'dead' then '{"dead_letter": true}'::jsonb else '{}'::jsonb end
    where m.id = job.message_id and m.created_at = job.message_created_at;
  end if;
  return true;
end;
$$;

/*
 * A dead letter of `target_tenant_id` resolved by an admin's explicit decision. Sent again
 * (`send_again`): the job pending now with its attempts reset, the message queued again (the one
 * way a failed message moves back; parts already accepted are not resent). Given up: the job
 * discarded, the message stays failed with its error, marked discarded. Returns the message id.
 * No caller check: for the security-definer functions that checked their caller (below, and the
 * people's public.retry_dead_letter / discard_dead_letter); no role may execute it. Raises
 * dead_letter_not_found, and conversation_closed when sending again into a closed conversation.
 */
create or replace function private.resolve_dead_letter(target_tenant_id uuid, target_delivery_id uuid, send_again boolean)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  job private.outbound_deliveries;
begin
  update private.outbound_deliveries d
  set status = case when send_again then 'pending' else 'discarded' end::private.outbound_delivery_status,
      attempts = case when send_again then 0 else d.attempts end,
      next_attempt_at = case when send_again then now() else d.next_attempt_at end,
      finished_at = case when send_again then null else now() end,
      updated_at = now()
  where d.id = target_delivery_id and d.tenant_id = target_tenant_id and d.status = 'dead'
  returning d.* into job;
  if job.id is null then
    raise exception using errcode = 'P0002', constraint = 'dead_letter_not_found', message = 'dead letter not found',
      detail = pg_catalog.jsonb_build_object('dead_letter_id', target_delivery_id)::text;
  end if;
  if not send_again then
    update public.messages m set error = coalesce(m.error, '{}') || '{"discarded": true}'
    where m.id = job.message_id and m.created_at = job.message_created_at;
    return job.message_id;
  end if;
  if exists (select from public.conversations c where c.id = job.conversation_id and c.status = 'closed') then
    raise exception using errcode = 'P0001', constraint = 'conversation_closed', message = 'the conversation is closed',
      detail = pg_catalog.jsonb_build_object('conversation_id', job.conversation_id)::text;
  end if;
  update public.messages m set status = 'queued', status_at = now(), error = null
  where m.id = job.message_id and m.created_at = job.message_created_at;
  perform private.kick_outbound();
  return job.message_id;
end;
$$;

-- Service role only (the API's routes act as people, through public.retry_dead_letter): a dead letter sent again.
create or replace function private.retry_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role retries dead letters';
  end if;
  return private.resolve_dead_letter(target_tenant_id, target_delivery_id, send_again => true);
end;
$$;

-- Service role only: a dead letter given up.
create or replace function private.discard_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role discards dead letters';
  end if;
  return private.resolve_dead_letter(target_tenant_id, target_delivery_id, send_again => false);
end;
$$;

/*
 * The watchdog's pass: reaps expired leases, then wakes the outbound function when a job is due
 * (a retry whose time came, a kick that was lost, or the jobs of a company reactivated). Jobs of a
 * company that is not active wake nothing (they would not be claimed). Returns the pg_net request
 * id, or null.
 */
create or replace function private.rescue_outbound_deliveries()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.reap_outbound_deliveries();
  if exists (
    select from private.outbound_deliveries d
    where d.status = 'pending' and d.next_attempt_at <= now()
      and exists (select from public.tenants t where t.id = d.tenant_id and t.status = 'active')
  ) then
    return private.kick_outbound();
  end if;
  return null;
end;
$$;

/*
 * Like private.watch_executions: a rescue pass every `every_seconds` for `for_seconds`, each
 * committed on its own, so retries due in 1 s and 5 s are picked up in time even when no worker
 * stayed awake for them. pg_cron runs it every minute as postgres.
 */
create or replace procedure private.watch_outbound_deliveries(for_seconds integer default 58, every_seconds numeric default 1)
language plpgsql
as $$
declare
  watch_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => for_seconds);
begin
  loop
    perform private.rescue_outbound_deliveries();
    commit;
    exit when pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => every_seconds) > watch_until;
    perform pg_catalog.pg_sleep(every_seconds);
  end loop;
end;
$$;

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-watch-outbound', '* * * * *', 'call private.watch_outbound_deliveries()');
select cron.schedule('renum-watch-outbound-at-start', '@reboot', 'call private.watch_outbound_deliveries()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.reap_outbound_deliveries(), private.claim_outbound_deliveries(text, integer, integer),
  private.record_outbound_part(uuid, text, integer, text, integer), private.settle_outbound_delivery(uuid, text, text, jsonb, numeric),
  private.retry_dead_letter(uuid, uuid), private.discard_dead_letter(uuid, uuid), private.rescue_outbound_deliveries()
  from public, anon, authenticated;
revoke all on procedure private.watch_outbound_deliveries(integer, numeric) from public;
revoke all on function private.resolve_dead_letter(uuid, uuid, boolean) from public, anon, authenticated, service_role;
grant execute on function private.outbound_retry_delays() to service_role;
grant execute on function private.reap_outbound_deliveries() to service_role;
grant execute on function private.claim_outbound_deliveries(text, integer, integer) to service_role;
grant execute on function private.record_outbound_part(uuid, text, integer, text, integer) to service_role;
grant execute on function private.settle_outbound_delivery(uuid, text, text, jsonb, numeric) to service_role;
grant execute on function private.retry_dead_letter(uuid, uuid) to service_role;
grant execute on function private.discard_dead_letter(uuid, uuid) to service_role;
grant execute on function private.rescue_outbound_deliveries() to service_role;
