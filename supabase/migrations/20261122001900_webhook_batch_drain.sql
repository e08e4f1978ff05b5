-- webhook batch drain: stored events are processed in batches, one inbox at a time per drain, and
-- the conversation turns they made due are started right after each batch commits.
-- private.drain_webhook_events (20261122001430) took events one at a time, a transaction each, and
-- left every reply to the pg_cron pass of private.start_due_turns (up to half a second later, more
-- when that pass was busy). Now each slice of a drain:
--   1. picks the inbox of the oldest due event whose advisory lock (xact, per inbox) it gets: two
--      drains never work on one inbox's conversations at once, so a batch holding several
--      conversations' rows cannot deadlock with another drain's batch (different inboxes never
--      share a conversation);
--   2. processes that inbox's due events oldest first (each on its own, as before: one failing
--      leaves the others recorded) until none is left, `max_events` are done or the slice has run
--      for 0.25 s, so no drain holds its locks long;
--   3. commits (asynchronously, as before: the raw event was committed durably before its 200), then
--      starts the due conversation turns (private.start_due_turns) and commits again.
-- A turn with a debounce of 0 is due at its message's arrival and is started here, after the
-- message's transaction (20261122001710 no longer starts a run inside it, which made ingest take
-- run rows while holding the conversation: the engine's order is run, then conversation).
--
-- Who may do what: the procedure's owner only (the `webhooks` function and pg_cron connect as it).
--
-- Who writes each table: public.webhook_events (status, attempts, error, outcome) through
-- private.process_webhook_event only; private.conversation_turns through private.start_due_turns.

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- One inbox's due events, oldest first.
create index webhook_events_inbox_due_idx on public.webhook_events (inbox_id, next_attempt_at, id)
  where status in ('pending', 'failed');

-- ─── procedures ───────────────────────────────────────────────────────────────────────────────
/*
 * The drain the `webhooks` function (after each 200) and the pg_cron job call (see the opening
 * comment): slices of up to 0.25 s, each one inbox's batch and one commit, then the due turns,
 * until no inbox with due events is free, `max_events` are done or `max_seconds` have passed;
 * answers how many events it processed in `processed`. Inboxes whose events another drain holds
 * are left to it (it goes round again before it stops). Security invoker with no SET clause
 * (Postgres forbids transaction control otherwise): it calls only schema-qualified names, and
 * only its owner may call it.
 */
create or replace procedure private.drain_webhook_events(max_events integer default 1000, max_seconds numeric default 45, inout processed integer default 0)
language plpgsql
as $$
declare
  started timestamptz := pg_catalog.clock_timestamp();
  slice_started timestamptz;
  candidate uuid;
  drained_inbox uuid;
  due_id bigint;
  in_slice integer;
begin
  processed := 0;
  loop
    perform pg_catalog.set_config('synchronous_commit', 'off', true);
    drained_inbox := null;
    for candidate in
      select e.inbox_id from public.webhook_events e
      where e.status in ('pending', 'failed') and e.next_attempt_at <= now()
      order by e.next_attempt_at, e.id
      limit 200
    loop
      if candidate is distinct from drained_inbox
         and pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('renum:webhook_drain'), pg_catalog.hashtext(candidate::text)) then
        drained_inbox := candidate;
        exit;
      end if;
    end loop;
    exit when drained_inbox is null;

    slice_started := pg_catalog.clock_timestamp();
    in_slice := 0;
    for due_id in
      select e.id from public.webhook_events e
      where e.inbox_id = drained_inbox and e.status in ('pending', 'failed') and e.next_attempt_at <= now()
      order by e.next_attempt_at, e.id
      limit greatest(max_events - processed, 1)
      for update skip locked
    loop
      perform private.process_webhook_event(due_id);
      processed := processed + 1;
      in_slice := in_slice + 1;
      exit when pg_catalog.clock_timestamp() - slice_started > interval '250 milliseconds';
    end loop;
    commit;
    -- Its events are held by someone else (a replay processing one): left to them.
    exit when in_slice = 0;

    if in_slice > 0 then
      -- The replies to what was just recorded; a turn another pass holds is skipped, not awaited.
      begin
        perform private.start_due_turns(pg_catalog.clock_timestamp());
      exception when others then
        raise warning 'drain_webhook_events: starting due turns failed: %', sqlerrm;
      end;
      commit;
    end if;
    exit when processed >= max_events or pg_catalog.clock_timestamp() - started > pg_catalog.make_interval(secs => max_seconds);
  end loop;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on procedure private.drain_webhook_events(integer, numeric, integer) from public;
