-- conversations: one thread between an inbox and a contact. At most one open (or pending)
-- conversation per inbox and contact, enforced by a unique index so concurrent webhooks cannot
-- open two; a closed conversation stays as history and the next message opens a new one.
-- `last_message_index` is the conversation's message counter: messages take the next number under
-- the conversation's row lock, so their `message_index` is gapless.
--
-- Who may do what:
--   owner, admin, member   read; close, reopen, assign
--   analyst                reads
--   service                opens conversations and counts messages from webhooks
--
-- Who writes each table:
--   conversations   webhook ingestion (service); status and assignee through the API or direct

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.conversation_status as enum ('open', 'pending', 'closed');
-- Who answers: the inbox's bot, a member (assignee_user_id), or nobody yet.
create type public.conversation_assignee as enum ('bot', 'member', 'unassigned');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  status public.conversation_status not null default 'open',
  assignee public.conversation_assignee not null default 'bot',
  assignee_user_id uuid references auth.users (id) on delete set null,
  last_message_at timestamptz,
  last_message_index integer not null default 0 constraint conversations_last_message_index_range check (last_message_index >= 0),
  unread_count integer not null default 0 constraint conversations_unread_count_range check (unread_count >= 0),
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversations_member_assignee check ((assignee = 'member') = (assignee_user_id is not null))
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create unique index conversations_one_open_per_contact on public.conversations (inbox_id, contact_id) where status <> 'closed';
create index conversations_tenant_last_message_idx on public.conversations (tenant_id, last_message_at desc nulls last, id);
create index conversations_inbox_last_message_idx on public.conversations (inbox_id, last_message_at desc nulls last, id);
create index conversations_contact_id_idx on public.conversations (contact_id);

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.conversations enable row level security;

create policy "members read their tenant's conversations" on public.conversations
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.conversations from anon, authenticated;
grant select on public.conversations to authenticated;
