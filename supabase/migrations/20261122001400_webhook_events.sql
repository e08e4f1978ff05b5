-- webhook_events: every POST a WhatsApp provider makes to an inbox, stored raw and committed before
-- anything is parsed, so a 200 always means "kept". Parsing into contacts, conversations and
-- messages is SQL, one function per provider shape; a failure leaves the event `failed` with the
-- reason and a pg_cron job retries it with backoff. The same body again for the same inbox is the
-- same event (body_sha256): stored once, answered 200.
--
-- Who may do what:
--   owner, admin   read their tenant's events; replay a failed one
--   service        stores and processes events (the `webhooks` function, pg_cron)
--
-- Who writes each table:
--   webhook_events   the `webhooks` function (service) and the processing functions only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.webhook_event_status as enum ('pending', 'processed', 'ignored', 'failed');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.webhook_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  provider public.inbox_provider not null,
  -- The body exactly as received (the signature covers these bytes).
  raw_body text not null constraint webhook_events_raw_body_size check (octet_length(raw_body) <= 3145728),
  body_sha256 bytea not null,
  -- Only the headers that matter (content type, the provider's event ids, user agent), never secrets.
  headers jsonb not null default '{}',
  status public.webhook_event_status not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  error text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  constraint webhook_events_same_body_once unique (inbox_id, body_sha256)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index webhook_events_tenant_received_idx on public.webhook_events (tenant_id, received_at desc);
create index webhook_events_retry_idx on public.webhook_events (next_attempt_at) where status in ('pending', 'failed');

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.webhook_events enable row level security;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.webhook_events from anon, authenticated;
