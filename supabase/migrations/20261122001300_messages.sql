-- messages: every message of every conversation, range-partitioned by month on created_at so the
-- hot reads (a conversation's last messages, a company's latest) touch one or two partitions and
-- old months are detached and dropped by the retention job. Partitions are made ahead by pg_cron;
-- the default partition only catches strays, which a job moves to their month.
-- Uniqueness across partitions — one message per (inbox, provider message id) — lives in the small
-- non-partitioned private.message_provider_ids, written in the same transaction. It also keeps a
-- delivery status that arrived before its message (providers send statuses in any order).
-- consumption_inbox_daily is kept exact by a statement-level trigger in the same transaction.
--
-- Who may do what:
--   owner, admin, member, analyst   read their tenant's messages and consumption
--   service                         writes messages (webhooks, outbound delivery, the engine)
--
-- Who writes each table:
--   messages                         service only (webhook ingestion, outbound delivery, replies)
--   private.message_provider_ids     service only, with the message
--   consumption_inbox_daily          the consumption triggers only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.message_direction as enum ('in', 'out');
-- user: the contact; assistant: an agent's reply; human: a member (or the phone itself); system: notices.
create type public.message_role as enum ('user', 'assistant', 'human', 'system');
create type public.message_channel as enum ('whatsapp', 'sms', 'email');
create type public.message_type as enum ('text', 'image', 'audio', 'video', 'document', 'location', 'reaction', 'interactive', 'unknown');
-- In this order: a status never moves backwards (failed is final).
create type public.message_status as enum ('received', 'queued', 'sent', 'delivered', 'read', 'failed');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.messages (
  id uuid not null default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  -- Gapless per conversation (1, 2, 3...), taken from conversations.last_message_index.
  message_index integer not null constraint messages_message_index_range check (message_index >= 1),
  direction public.message_direction not null,
  role public.message_role not null,
  channel public.message_channel not null default 'whatsapp',
  type public.message_type not null default 'text',
  body text constraint messages_body_length check (char_length(body) <= 65536),
  -- Media is referenced, not downloaded: {provider_media_id, mime_type, caption, file_name, sha256}.
  media jsonb constraint messages_media_is_object check (jsonb_typeof(media) = 'object')
    constraint messages_media_bounded check (private.jsonb_is_bounded(media, 4, 8192)),
  provider_message_id text constraint messages_provider_message_id_length check (char_length(provider_message_id) between 1 and 256),
  status public.message_status not null,
  status_at timestamptz,
  -- What the provider said when delivery failed: {code, title}.
  error jsonb,
  -- The member who wrote a `human` message from the app (null for echoes from the phone).
  sent_by uuid references auth.users (id) on delete set null,
  input_tokens integer constraint messages_input_tokens_range check (input_tokens >= 0),
  output_tokens integer constraint messages_output_tokens_range check (output_tokens >= 0),
  cost_usd numeric(14, 6) constraint messages_cost_usd_range check (cost_usd >= 0),
  metadata jsonb not null default '{}' constraint messages_metadata_is_object check (jsonb_typeof(metadata) = 'object')
    constraint messages_metadata_bounded check (private.jsonb_is_bounded(metadata, 8, 65536)),
  -- When the provider says the message was sent (its timestamp), when known.
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (id, created_at),
  constraint messages_direction_matches_role check ((direction = 'in') = (role = 'user'))
) partition by range (created_at);

-- Catches rows whose month has no partition yet; a job moves them (it should stay empty).
create table public.messages_default partition of public.messages default;

create table private.message_provider_ids (
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  provider_message_id text not null,
  -- Null while only a status has arrived for this id.
  message_id uuid,
  message_created_at timestamptz,
  -- The furthest status seen before the message was known, applied when it arrives.
  early_status public.message_status,
  early_status_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (inbox_id, provider_message_id)
);

create table public.consumption_inbox_daily (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  day date not null,
  messages_in integer not null default 0,
  messages_out integer not null default 0,
  conversations_started integer not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric(16, 6) not null default 0,
  updated_at timestamptz not null default now(),
  primary key (inbox_id, day)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index messages_tenant_created_at_idx on public.messages (tenant_id, created_at desc);
create index messages_conversation_index_idx on public.messages (conversation_id, message_index);
create index consumption_inbox_daily_tenant_day_idx on public.consumption_inbox_daily (tenant_id, day);

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.messages enable row level security;
-- Partitions are tables of their own: reached only through the parent, whose policies apply.
alter table public.messages_default enable row level security;
alter table private.message_provider_ids enable row level security;
alter table public.consumption_inbox_daily enable row level security;

create policy "members read their tenant's messages" on public.messages
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

create policy "members read their tenant's consumption" on public.consumption_inbox_daily
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.messages, public.messages_default, public.consumption_inbox_daily from anon, authenticated;
grant select on public.messages, public.consumption_inbox_daily to authenticated;
