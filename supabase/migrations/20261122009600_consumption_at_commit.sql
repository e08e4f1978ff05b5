-- consumption at commit: the consumption triggers no longer hold an inbox's day row from the
-- moment a message is inserted to the end of the transaction.
--
-- One row of consumption_inbox_daily per inbox and day is every transaction's row: each webhook
-- drain batch and each reply of that inbox upserted it and then kept its lock while it went on
-- (a drain batch parses more events, starts turns and runs for up to a quarter of a second; a
-- reply records the run's end). Everything else of the inbox queued behind it, the more so the
-- busier the machine (a holder off the CPU holds everyone). On the webhook → reply benchmark at 20
-- conversations a second into one inbox, with two CPU burners running: p95 677–1,169 ms before,
-- 473–510 ms after (max 1,064–2,083 → 613–661); the waits sampled before were complete_step on a
-- row lock. Quiet, at 20–25 a second, the two are within noise; a burst of 200: +10 % replies/s.
--
-- Now the statement triggers only add their sums to private.consumption_pending, tagged with the
-- transaction (no conflict, no lock anyone waits for), and a deferred constraint trigger on that
-- table folds the transaction's sums into consumption_inbox_daily as the transaction commits: the
-- row is locked for the commit alone. The counts stay exact for every reader, appearing together
-- with the messages they count; inside the writing transaction they appear at its end (or at
-- `set constraints private.consumption_pending_apply immediate`, which folds at once).
--
-- Who writes each table:
--   private.consumption_pending    the consumption triggers (added), its commit trigger (removed)
--   consumption_inbox_daily        the commit trigger only

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- Rows live from a statement to its transaction's commit. No foreign keys: nothing outlives the
-- transaction, and the fold skips an inbox deleted in the meantime.
create table private.consumption_pending (
  transaction_id xid8 not null default pg_catalog.pg_current_xact_id(),
  tenant_id uuid not null,
  inbox_id uuid not null,
  day date not null,
  messages_in integer not null default 0,
  messages_out integer not null default 0,
  conversations_started integer not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric(16, 6) not null default 0
);
create index consumption_pending_transaction_idx on private.consumption_pending (transaction_id);

alter table private.consumption_pending enable row level security;
revoke all on private.consumption_pending from public, anon, authenticated, service_role;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Security definer: messages and conversations are inserted by the service role and by security
-- definer functions alike, and the pending table is nobody's to write directly.
create or replace function private.count_message_consumption()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.consumption_pending (tenant_id, inbox_id, day, messages_in, messages_out, input_tokens, output_tokens, cost_usd)
  select m.tenant_id, m.inbox_id, (m.created_at at time zone 'UTC')::date,
         count(*) filter (where m.direction = 'in'), count(*) filter (where m.direction = 'out'),
         coalesce(sum(m.input_tokens), 0), coalesce(sum(m.output_tokens), 0), coalesce(sum(m.cost_usd), 0)
  from new_messages m
  group by m.tenant_id, m.inbox_id, (m.created_at at time zone 'UTC')::date;
  return null;
end;
$$;

create or replace function private.count_started_conversations()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.consumption_pending (tenant_id, inbox_id, day, conversations_started)
  select c.tenant_id, c.inbox_id, (c.created_at at time zone 'UTC')::date, count(*)
  from new_conversations c
  group by c.tenant_id, c.inbox_id, (c.created_at at time zone 'UTC')::date;
  return null;
end;
$$;

/**
 * Folds the current transaction's pending sums into consumption_inbox_daily. Fires once per
 * pending row, at commit: the first firing takes them all, the others find none.
 */
create or replace function private.apply_pending_consumption()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  with folded as (
    delete from private.consumption_pending p where p.transaction_id = pg_catalog.pg_current_xact_id()
    returning p.*
  )
  insert into public.consumption_inbox_daily as d (tenant_id, inbox_id, day, messages_in, messages_out, conversations_started,
                                                   input_tokens, output_tokens, cost_usd)
  select f.tenant_id, f.inbox_id, f.day, sum(f.messages_in), sum(f.messages_out), sum(f.conversations_started),
         sum(f.input_tokens), sum(f.output_tokens), sum(f.cost_usd)
  from folded f
  where exists (select 1 from public.inboxes i where i.id = f.inbox_id)
  group by f.tenant_id, f.inbox_id, f.day
  -- A fixed order, so two commits touching the same inbox-days never deadlock.
  order by f.inbox_id, f.day
  on conflict (inbox_id, day) do update
    set messages_in = d.messages_in + excluded.messages_in,
        messages_out = d.messages_out + excluded.messages_out,
        conversations_started = d.conversations_started + excluded.conversations_started,
        input_tokens = d.input_tokens + excluded.input_tokens,
        output_tokens = d.output_tokens + excluded.output_tokens,
        cost_usd = d.cost_usd + excluded.cost_usd,
        updated_at = now();
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create constraint trigger consumption_pending_apply after insert on private.consumption_pending
  deferrable initially deferred
  for each row execute function private.apply_pending_consumption();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.count_message_consumption(), private.count_started_conversations(),
  private.apply_pending_consumption() from public;
