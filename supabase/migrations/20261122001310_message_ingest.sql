-- message ingest: how a message from a webhook lands, exactly once, and how delivery statuses move.
-- private.record_webhook_message does it all in one transaction, in a fixed lock order (the
-- provider id's row, then the conversation's row) so concurrent webhooks neither duplicate nor
-- deadlock:
--   1. the (inbox, provider message id) row in private.message_provider_ids, created or locked:
--      a second copy of the message waits here and then finds it recorded (duplicate);
--   2. the contact (private.upsert_contact);
--   3. the open conversation of (inbox, contact), found and locked by the update that takes the
--      next message_index, or opened (the unique index settles a race between two openers);
--   4. the message, with any delivery status that arrived before it.
-- private.apply_message_status moves a status forward only (the enum's order; failed is final),
-- and keeps the furthest status of a message not yet known, applied when the message arrives.
--
-- Who may do what: the service role only (webhooks, outbound delivery); people read.
--
-- Who writes each table:
--   messages, private.message_provider_ids, conversations (counters)   these two functions (service)

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- A failed delivery reported before its message: the provider's error, applied with the status.
alter table private.message_provider_ids add column early_error jsonb;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- The further of two delivery statuses (the enum's order: received < queued < sent < delivered <
-- read < failed).
create or replace function private.further_message_status(current_status public.message_status, reported public.message_status)
returns public.message_status
language sql
immutable
set search_path = ''
as $$
  select case when current_status is null or reported > current_status then reported else current_status end;
$$;

/*
 * Records one message a webhook carried (see the opening comment). message: {contact_phone,
 * contact_name, direction (in|out), role (user|human|assistant|system), type, body, media,
 * provider_message_id, sent_at, metadata}. Answers {message_id, conversation_id, contact_id,
 * duplicate}: the same provider message id again answers the first one's ids with duplicate true
 * and changes nothing. Service role only. Raises inbox_not_found, webhook_message_invalid,
 * invalid_phone.
 */
create or replace function private.record_webhook_message(target_inbox_id uuid, message jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  inbox public.inboxes;
  provider_id text := message ->> 'provider_message_id';
  claimed private.message_provider_ids;
  recorded public.messages;
  sender_contact_id uuid;
  conversation public.conversations;
  invalid_field text;
  arrived_at timestamptz := now();
  direction public.message_direction;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role records webhook messages';
  end if;
  select * into inbox from public.inboxes i where i.id = target_inbox_id;
  if inbox.id is null then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  invalid_field := case
    when pg_catalog.jsonb_typeof(message) is distinct from 'object' then 'message'
    when pg_catalog.jsonb_typeof(message -> 'provider_message_id') is distinct from 'string'
         or char_length(provider_id) not between 1 and 256 then 'provider_message_id'
    when pg_catalog.jsonb_typeof(message -> 'contact_phone') is distinct from 'string' then 'contact_phone'
    when coalesce(message ->> 'direction', '') not in ('in', 'out') then 'direction'
    when coalesce(message ->> 'role', '') not in (select unnest(enum_range(null::public.message_role))::text) then 'role'
    when coalesce(message ->> 'type', '') not in (select unnest(enum_range(null::public.message_type))::text) then 'type'
    when pg_catalog.jsonb_typeof(message -> 'body') not in ('string', 'null') then 'body'
    when pg_catalog.jsonb_typeof(message -> 'media') not in ('object', 'null') then 'media'
    when pg_catalog.jsonb_typeof(message -> 'metadata') not in ('object', 'null') then 'metadata'
    when pg_catalog.jsonb_typeof(message -> 'contact_name') not in ('string', 'null') then 'contact_name'
    when pg_catalog.jsonb_typeof(message -> 'sent_at') not in ('string', 'null')
         or (message ->> 'sent_at') !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' then 'sent_at'
  end;
  if invalid_field is not null then
    raise exception using errcode = '22023', constraint = 'webhook_message_invalid', column = invalid_field,
      message = format('the message''s %s is missing or not valid', invalid_field),
      detail = pg_catalog.jsonb_build_object('field', invalid_field)::text;
  end if;
  direction := (message ->> 'direction')::public.message_direction;

  -- 1. One message per (inbox, provider id): the row is created or locked until we commit.
  insert into private.message_provider_ids as p (inbox_id, provider_message_id)
  values (inbox.id, provider_id)
  on conflict (inbox_id, provider_message_id) do update set provider_message_id = excluded.provider_message_id
  returning p.* into claimed;
  if claimed.message_id is not null then
    select * into recorded from public.messages m where m.id = claimed.message_id and m.created_at = claimed.message_created_at;
    return pg_catalog.jsonb_build_object('message_id', recorded.id, 'conversation_id', recorded.conversation_id,
                                         'contact_id', recorded.contact_id, 'duplicate', true);
  end if;

  -- 2. The contact.
  sender_contact_id := private.upsert_contact(inbox.tenant_id, message ->> 'contact_phone', message ->> 'contact_name');

  -- 3. The open conversation takes the next index under its row lock, or a new one is opened.
  loop
    update public.conversations c
    set last_message_index = c.last_message_index + 1,
        last_message_at = arrived_at,
        unread_count = c.unread_count + case when direction = 'in' then 1 else 0 end
    where c.inbox_id = inbox.id and c.contact_id = sender_contact_id and c.status <> 'closed'
    returning * into conversation;
    exit when conversation.id is not null;
    insert into public.conversations (tenant_id, inbox_id, contact_id, last_message_at, last_message_index, unread_count)
    values (inbox.tenant_id, inbox.id, sender_contact_id, arrived_at, 1, case when direction = 'in' then 1 else 0 end)
    on conflict (inbox_id, contact_id) where status <> 'closed' do nothing
    returning * into conversation;
    exit when conversation.id is not null;
  end loop;

  -- 4. The message, with a status that came first.
  insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type,
                               body, media, provider_message_id, status, status_at, error, metadata, sent_at, created_at)
  values (inbox.tenant_id, inbox.id, conversation.id, sender_contact_id, conversation.last_message_index,
          direction, (message ->> 'role')::public.message_role, (message ->> 'type')::public.message_type,
          message ->> 'body', nullif(message -> 'media', 'null'), provider_id,
          private.further_message_status(case when direction = 'in' then 'received' else 'sent' end::public.message_status, claimed.early_status),
          coalesce(claimed.early_status_at, (message ->> 'sent_at')::timestamptz, arrived_at),
          claimed.early_error, coalesce(nullif(message -> 'metadata', 'null'), '{}'), (message ->> 'sent_at')::timestamptz, arrived_at)
  returning * into recorded;
  update private.message_provider_ids p
  set message_id = recorded.id, message_created_at = recorded.created_at, early_status = null, early_status_at = null, early_error = null
  where p.inbox_id = inbox.id and p.provider_message_id = provider_id;

  return pg_catalog.jsonb_build_object('message_id', recorded.id, 'conversation_id', conversation.id,
                                       'contact_id', sender_contact_id, 'duplicate', false);
end;
$$;
comment on function private.record_webhook_message(uuid, jsonb) is
  'Service role only: records a webhook''s message exactly once (contact, open conversation, gapless index, early status); '
  'answers {message_id, conversation_id, contact_id, duplicate}. Raises inbox_not_found, webhook_message_invalid, invalid_phone.';

/*
 * A delivery status for the message with this provider id: moves it forward only (failed is
 * final), with the provider's error for a failure. For an id not known yet, the furthest status
 * is kept and applied when the message arrives. True when something changed. Service role only.
 */
create or replace function private.apply_message_status(
  target_inbox_id uuid,
  provider_message_id text,
  status public.message_status,
  status_at timestamptz,
  error jsonb default null
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  claimed private.message_provider_ids;
  changed integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role records delivery statuses';
  end if;
  if not exists (select from public.inboxes i where i.id = target_inbox_id) then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  if apply_message_status.status is null or char_length(apply_message_status.provider_message_id) not between 1 and 256
     or apply_message_status.provider_message_id is null then
    raise exception using errcode = '22023', constraint = 'webhook_message_invalid', column = 'provider_message_id',
      message = 'a delivery status needs the provider''s message id and the status';
  end if;
  -- Locks the id's row: a status and its message arriving together are applied one after the other.
  insert into private.message_provider_ids as p (inbox_id, provider_message_id)
  values (target_inbox_id, apply_message_status.provider_message_id)
  on conflict (inbox_id, provider_message_id) do update set provider_message_id = excluded.provider_message_id
  returning p.* into claimed;
  if claimed.message_id is null then
    update private.message_provider_ids p
    set early_status = apply_message_status.status, early_status_at = coalesce(apply_message_status.status_at, now()),
        early_error = case when apply_message_status.status = 'failed' then apply_message_status.error end
    where p.inbox_id = target_inbox_id and p.provider_message_id = apply_message_status.provider_message_id
      and (p.early_status is null or apply_message_status.status > p.early_status);
  else
    update public.messages m
    set status = apply_message_status.status, status_at = coalesce(apply_message_status.status_at, now()),
        error = case when apply_message_status.status = 'failed' then apply_message_status.error else m.error end
    where m.id = claimed.message_id and m.created_at = claimed.message_created_at
      and apply_message_status.status > m.status;
  end if;
  get diagnostics changed = row_count;
  return changed > 0;
end;
$$;
comment on function private.apply_message_status(uuid, text, public.message_status, timestamptz, jsonb) is
  'Service role only: moves a message''s delivery status forward (never back; failed is final), or keeps it for a message '
  'not known yet; true when something changed. Raises inbox_not_found, webhook_message_invalid.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
-- Messages and the id table are written by these functions only; the service role reads them.
revoke insert, update, delete, truncate on private.message_provider_ids from anon, authenticated;
grant select on private.message_provider_ids to service_role;
grant execute on function private.further_message_status(public.message_status, public.message_status) to service_role;
grant execute on function private.record_webhook_message(uuid, jsonb) to service_role;
grant execute on function private.apply_message_status(uuid, text, public.message_status, timestamptz, jsonb) to service_role;
