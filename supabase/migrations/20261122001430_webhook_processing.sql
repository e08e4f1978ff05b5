-- webhook processing: a stored event becomes contacts, conversations, messages and statuses.
-- The body is parsed by its provider's parser (20261122001420_webhook_parsers.sql); each message
-- goes through private.record_webhook_message and each status through private.apply_message_status
-- (both idempotent on the provider's message id), all of one event in one subtransaction, so an
-- event is either wholly recorded or not at all:
--   processed  something was recorded (or was already: a retry of a message we have)
--   ignored    nothing in it is ours to keep (a group, a notice, another number, a shape we don't
--              know, a body that is not JSON); never retried, but an admin may replay it
--   failed     recording raised; the error is kept and the event is retried with backoff
--              (30 s, 1, 2, 4 … minutes, at most 10 attempts), then waits for an admin's replay
-- Events are processed by drains (private.drain_webhook_events): the `webhooks` function calls one
-- right after it answers the provider (one call for a batch, not one per event), and a pg_cron job
-- every minute picks up retries and anything a function did not get to. Drains take events with
-- SKIP LOCKED and commit after each, so several run side by side without doing an event twice or
-- waiting on each other.
--
-- Who may do what:
--   owner, admin   read their tenant's events (manage_inboxes); have one processed again (public.replay_webhook_event)
--   service        processes events (the `webhooks` function, pg_cron)
--
-- Who writes each table: public.webhook_events (status, attempts, error, outcome) these functions only.

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- What processing made of the event: counts, and why anything was skipped.
alter table public.webhook_events add column outcome jsonb
  constraint webhook_events_outcome_is_object check (jsonb_typeof(outcome) = 'object');

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- How long a failed event waits before its next attempt; null once it has had its ten.
create or replace function private.webhook_retry_delay(attempts integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select case when attempts >= 10 then null
              else pg_catalog.make_interval(secs => least(30 * pg_catalog.power(2, greatest(attempts - 1, 0)), 3600)) end
$$;

/*
 * Processes one event now, whatever its status (a replay may redo an ignored or failed one; doing
 * a processed one again records nothing new). Takes the event's row lock first, so two callers
 * never process it at once. Answers the status it ends in.
 */
create or replace function private.process_webhook_event(target_event_id bigint)
returns public.webhook_event_status
language plpgsql
security definer
set search_path = ''
as $$
declare
  event record;
  parsed jsonb;
  item jsonb;
  recorded jsonb;
  messages_new integer := 0;
  messages_known integer := 0;
  statuses_changed integer := 0;
  statuses_unchanged integer := 0;
  failure text;
  failed_code text;
  skipped jsonb;
  final_status public.webhook_event_status;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can process webhook events';
  end if;
  select e.id, e.inbox_id, e.provider, e.raw_body, e.received_at, e.attempts, i.meta_phone_number_id
    into event
  from public.webhook_events e join public.inboxes i on i.id = e.inbox_id
  where e.id = target_event_id
  for update of e;
  if event.id is null then
    raise exception using errcode = 'P0002', constraint = 'webhook_event_not_found', message = 'there is no such webhook event';
  end if;

  parsed := private.parse_webhook_body(event.provider, event.raw_body, event.meta_phone_number_id);
  skipped := parsed -> 'skipped';
  begin
    for item in select pg_catalog.jsonb_array_elements(parsed -> 'messages') loop
      begin
        recorded := private.record_webhook_message(event.inbox_id, item);
        if (recorded ->> 'duplicate')::boolean then messages_known := messages_known + 1; else messages_new := messages_new + 1; end if;
      exception when data_exception then
        -- A message whose data can never be kept (a phone that is no phone number): skipped with
        -- its reason, so the rest of the event is recorded and nothing is retried in vain.
        get stacked diagnostics failure = message_text, failed_code = constraint_name;
        skipped := skipped || pg_catalog.jsonb_build_object('reason', coalesce(nullif(failed_code, ''), 'invalid_message'),
          'provider_message_id', item ->> 'provider_message_id', 'message', failure);
      end;
    end loop;
    for item in select pg_catalog.jsonb_array_elements(parsed -> 'statuses') loop
      if private.apply_message_status(event.inbox_id, item ->> 'provider_message_id', (item ->> 'status')::public.message_status,
           coalesce((item ->> 'status_at')::timestamptz, event.received_at), item -> 'error') then
        statuses_changed := statuses_changed + 1;
      else
        statuses_unchanged := statuses_unchanged + 1;
      end if;
    end loop;
  exception when others then
    -- Everything this event recorded is undone with the subtransaction; the event stays to retry.
    get stacked diagnostics failure = message_text;
    update public.webhook_events e
    set status = 'failed', attempts = e.attempts + 1, error = pg_catalog.left(sqlstate || ': ' || failure, 2000),
        next_attempt_at = now() + private.webhook_retry_delay(e.attempts + 1), processed_at = null,
        outcome = pg_catalog.jsonb_build_object('skipped', skipped)
    where e.id = event.id;
    return 'failed';
  end;

  final_status := case when messages_new + messages_known + statuses_changed + statuses_unchanged = 0 then 'ignored' else 'processed' end;
  update public.webhook_events e
  set status = final_status, attempts = e.attempts + 1, error = null, next_attempt_at = null, processed_at = now(),
      outcome = pg_catalog.jsonb_build_object('messages_new', messages_new, 'messages_known', messages_known,
        'statuses_changed', statuses_changed, 'statuses_unchanged', statuses_unchanged, 'skipped', skipped)
  where e.id = event.id;
  return final_status;
end;
$$;

/*
 * Processes up to `max_events` events that are due (pending, or failed and past their retry time),
 * oldest first, each on its own (one failing leaves the others recorded). Events another drain has
 * locked are skipped, not waited for. Answers how many it processed.
 */
create or replace function private.process_webhook_events(max_events integer default 200)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  due bigint[];
  event_id bigint;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can process webhook events';
  end if;
  select coalesce(pg_catalog.array_agg(e.id order by e.next_attempt_at, e.id), '{}') into due
  from (select e.id, e.next_attempt_at from public.webhook_events e
        where e.status in ('pending', 'failed') and e.next_attempt_at <= now()
        order by e.next_attempt_at, e.id
        limit greatest(least(max_events, 1000), 1)
        for update skip locked) e;
  foreach event_id in array due loop
    perform private.process_webhook_event(event_id);
  end loop;
  return pg_catalog.array_length(due, 1);
end;
$$;

/*
 * The drain the `webhooks` function (after each 200) and the pg_cron job call: processes due
 * events one by one, committing after each, until none is due, `max_events` are done or
 * `max_seconds` have passed; answers how many in `processed`. One call is one round trip for a
 * whole batch, and each event's locks (its conversation's row among them) are held only while it
 * is recorded, so drains running side by side (several workers, the cron job) never deadlock on
 * each other's batches. Commits are asynchronous: the raw event was committed durably before its
 * 200, and a processing commit lost in a crash leaves the event pending, processed again later.
 * Security invoker with no SET clause (Postgres forbids transaction control otherwise): it calls
 * only schema-qualified names, and only its owner (the functions and pg_cron connect as postgres)
 * may call it.
 */
create or replace procedure private.drain_webhook_events(max_events integer default 1000, max_seconds numeric default 45, inout processed integer default 0)
language plpgsql
as $$
declare
  started timestamptz := pg_catalog.clock_timestamp();
  due_id bigint;
begin
  processed := 0;
  loop
    perform pg_catalog.set_config('synchronous_commit', 'off', true);
    select e.id into due_id from public.webhook_events e
    where e.status in ('pending', 'failed') and e.next_attempt_at <= now()
    order by e.next_attempt_at, e.id
    limit 1
    for update skip locked;
    exit when due_id is null;
    perform private.process_webhook_event(due_id);
    processed := processed + 1;
    commit;
    exit when processed >= max_events or pg_catalog.clock_timestamp() - started > pg_catalog.make_interval(secs => max_seconds);
  end loop;
end;
$$;

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
/*
 * An owner or admin (manage_inboxes) has one of their tenant's events processed again: a failed
 * one after the cause was fixed (its ten attempts spent or not), an ignored one after a parser
 * learnt its shape. The event is made due now, with its attempts counted afresh; whoever drains
 * next processes it (the `api` route at once, as the service role; else the pg_cron job). A
 * processed event is refused (`webhook_event_already_processed`); another tenant's, or one that
 * does not exist, is `webhook_event_not_found`. Answers the event (without its raw body).
 */
create or replace function public.replay_webhook_event(target_event_id bigint)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  event record;
begin
  select e.id, e.tenant_id, e.status into event from public.webhook_events e where e.id = target_event_id for update;
  if event.id is null or not (private.is_trusted_caller() or private.has_capability(event.tenant_id, 'manage_inboxes')) then
    raise exception using errcode = 'P0002', constraint = 'webhook_event_not_found', message = 'there is no such webhook event';
  end if;
  perform private.assert_tenant_writable(event.tenant_id);
  if event.status = 'processed' then
    raise exception using errcode = 'P0001', constraint = 'webhook_event_already_processed',
      message = 'this event was already processed; replaying it would record nothing new';
  end if;
  update public.webhook_events e set status = 'pending', attempts = 0, next_attempt_at = now() where e.id = event.id;
  return (select pg_catalog.to_jsonb(e) - 'raw_body' - 'body_sha256' from public.webhook_events e where e.id = event.id);
end;
$$;

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
create policy "owners and admins read their tenant's webhook events" on public.webhook_events
  for select to authenticated
  using (private.has_capability(tenant_id, 'manage_inboxes'));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant select on public.webhook_events to authenticated;
revoke execute on function private.process_webhook_event(bigint) from public;
revoke execute on function private.process_webhook_events(integer) from public;
revoke all on procedure private.drain_webhook_events(integer, numeric, integer) from public;
revoke execute on function public.replay_webhook_event(bigint) from public, anon;
grant execute on function private.webhook_retry_delay(integer) to service_role;
grant execute on function private.process_webhook_event(bigint) to service_role;
grant execute on function private.process_webhook_events(integer) to service_role;
grant execute on function public.replay_webhook_event(bigint) to authenticated, service_role;

-- ─── jobs ─────────────────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-drain-webhook-events', '* * * * *', 'call private.drain_webhook_events()');
