-- message conversation key: one foreign key says whose conversation a message is.
--
-- A message named its company, inbox, contact and conversation through four foreign keys, each
-- checked row by row on insert (a lookup and a key-share lock in tenants, inboxes, contacts and
-- conversations): ~20 ms of CPU per 1,000 messages, 40% of the insert before any trigger
-- (scripts/bench/messages-ingest.ts). The conversation already names the company, the inbox and
-- the contact (conversations' own keys, immutable there: 20261122001210), so one composite key to
-- the conversation checks the same existence with one lookup — and also what nothing checked
-- before: that a message's tenant_id, inbox_id and contact_id are its conversation's.
-- Deleting a company, an inbox or a contact still takes their messages, through their
-- conversations (on delete cascade all the way), now along messages_conversation_index_idx
-- rather than a scan of every partition for the contact's and the inbox's keys, which no index
-- served.

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- The key messages reference (id alone is already unique; this makes the four together a key).
create unique index conversations_message_key on public.conversations (id, tenant_id, inbox_id, contact_id);

-- ─── constraints ──────────────────────────────────────────────────────────────────────────────
alter table public.messages
  drop constraint messages_tenant_id_fkey,
  drop constraint messages_inbox_id_fkey,
  drop constraint messages_contact_id_fkey,
  drop constraint messages_conversation_id_fkey,
  add constraint messages_conversation_id_fkey foreign key (conversation_id, tenant_id, inbox_id, contact_id)
    references public.conversations (id, tenant_id, inbox_id, contact_id) on delete cascade;
