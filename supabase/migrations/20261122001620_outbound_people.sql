-- outbound for people: a member replies by hand, and the company's admins retry or discard dead
-- letters. The service-side functions of 001600/001610 refuse every caller but the service role;
-- these check the person instead and then call the same internal functions, which no role may
-- execute: private.queue_outbound_message (the append) and private.resolve_dead_letter.
--
-- People call:
--   public.reply_in_conversation(conversation, body)    handle_conversations: a `human` reply, sent_by
--                                                        the caller, who takes the conversation
--   public.dead_letters(tenant, inbox, before, limit)   manage_inboxes: the company's dead letters
--   public.retry_dead_letter(tenant, id) / discard_dead_letter(tenant, id)   manage_inboxes
--
-- Who may do what:
--   owner, admin             reply; list, retry and discard dead letters
--   member                   reply
--   analyst                  reads conversations, nothing here
--   service                  append (responder, notices), as before

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * A member replies by hand: a `human` message written by the caller, delivered like every reply.
 * A person replying takes the conversation (assignee member, the caller) unless it is already
 * theirs, so the bot stops answering in it. Needs handle_conversations in the conversation's
 * company. Returns the message id. Raises conversation_not_found (also for another company's),
 * conversations_reply_by_handlers, conversation_closed, message_body_empty, message_body_too_long,
 * and this company is suspended.
 */
create or replace function public.reply_in_conversation(target_conversation_id uuid, body text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
  caller uuid := auth.uid();
begin
  select * into conversation from public.conversations c where c.id = target_conversation_id;
  if conversation.id is null or caller is null or not private.is_member(conversation.tenant_id) then
    raise exception using errcode = 'P0002', constraint = 'conversation_not_found', message = 'conversation not found',
      detail = pg_catalog.jsonb_build_object('conversation_id', target_conversation_id)::text;
  end if;
  if not private.has_capability(conversation.tenant_id, 'handle_conversations') then
    raise exception using errcode = '42501', constraint = 'conversations_reply_by_handlers',
      message = 'only people who handle conversations can reply in them (analysts read them)';
  end if;
  perform private.assert_tenant_writable(conversation.tenant_id);
  update public.conversations c set assignee = 'member', assignee_user_id = caller
  where c.id = conversation.id and c.status <> 'closed' and (c.assignee <> 'member' or c.assignee_user_id is distinct from caller);
  return private.queue_outbound_message(conversation.id, 'human', body, caller);
end;
$$;
comment on function public.reply_in_conversation(uuid, text) is
  'handle_conversations: a reply written by the caller (role human), delivered like every reply; the caller takes the '
  'conversation. Returns the message id.';

/*
 * The dead letters of a company, newest first, for its people with manage_inboxes: what failed,
 * to whom, the last error, how many attempts. Keyset pages on (failed_at, id): pass the last row's
 * as before_failed_at / before_id. Raises dead_letters_by_inbox_managers.
 */
create or replace function public.dead_letters(
  target_tenant_id uuid,
  target_inbox_id uuid default null,
  before_failed_at timestamptz default null,
  before_id uuid default null,
  page_limit integer default 50
)
returns table (
  id uuid,
  message_id uuid,
  conversation_id uuid,
  inbox_id uuid,
  inbox_name text,
  contact_phone text,
  contact_name text,
  role public.message_role,
  body text,
  attempts integer,
  last_error jsonb,
  failed_at timestamptz,
  created_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.has_capability(target_tenant_id, 'manage_inboxes') then
    raise exception using errcode = '42501', constraint = 'dead_letters_by_inbox_managers',
      message = 'only the company''s owners and admins see failed messages';
  end if;
  return query
  select d.id, d.message_id, d.conversation_id, d.inbox_id, i.display_name, k.phone, k.name, m.role, m.body,
         d.attempts, d.last_error, d.updated_at, d.created_at
  from private.outbound_deliveries d
  join public.messages m on m.id = d.message_id and m.created_at = d.message_created_at
  join public.inboxes i on i.id = d.inbox_id
  join public.contacts k on k.id = m.contact_id
  where d.tenant_id = target_tenant_id and d.status = 'dead'
    and (target_inbox_id is null or d.inbox_id = target_inbox_id)
    and (before_failed_at is null or (d.updated_at, d.id) < (before_failed_at, before_id))
  order by d.updated_at desc, d.id desc
  limit least(greatest(coalesce(page_limit, 50), 1), 200);
end;
$$;

/*
 * The company of a dead letter the caller may act on: `target_tenant_id`'s, a member's with
 * manage_inboxes, the company writable. Raises dead_letter_not_found (also another company's),
 * dead_letters_by_inbox_managers, and this company is suspended. Security invoker, executable by no
 * role: only the two functions below (security definer) call it.
 */
create or replace function private.dead_letter_tenant_for_manager(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  owner_tenant uuid := (select d.tenant_id from private.outbound_deliveries d where d.id = target_delivery_id);
begin
  if owner_tenant is null or owner_tenant is distinct from target_tenant_id or not private.is_member(owner_tenant) then
    raise exception using errcode = 'P0002', constraint = 'dead_letter_not_found', message = 'dead letter not found',
      detail = pg_catalog.jsonb_build_object('dead_letter_id', target_delivery_id)::text;
  end if;
  if not private.has_capability(owner_tenant, 'manage_inboxes') then
    raise exception using errcode = '42501', constraint = 'dead_letters_by_inbox_managers',
      message = 'only the company''s owners and admins retry or discard failed messages';
  end if;
  perform private.assert_tenant_writable(owner_tenant);
  return owner_tenant;
end;
$$;

/*
 * manage_inboxes: a dead letter of `target_tenant_id` sent again (once). Returns the message id.
 * Raises dead_letter_not_found (also another company's), dead_letters_by_inbox_managers,
 * conversation_closed, and this company is suspended.
 */
create or replace function public.retry_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select private.resolve_dead_letter(private.dead_letter_tenant_for_manager(target_tenant_id, target_delivery_id), target_delivery_id,
                                     send_again => true);
$$;

/*
 * manage_inboxes: a dead letter of `target_tenant_id` given up (the message stays failed, marked discarded). Returns the
 * message id. Raises dead_letter_not_found, dead_letters_by_inbox_managers, and this company is suspended.
 */
create or replace function public.discard_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select private.resolve_dead_letter(private.dead_letter_tenant_for_manager(target_tenant_id, target_delivery_id), target_delivery_id,
                                     send_again => false);
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.dead_letter_tenant_for_manager(uuid, uuid) from public, anon, authenticated, service_role;
revoke all on function public.reply_in_conversation(uuid, text), public.dead_letters(uuid, uuid, timestamptz, uuid, integer),
  public.retry_dead_letter(uuid, uuid), public.discard_dead_letter(uuid, uuid)
  from public, anon;
grant execute on function public.reply_in_conversation(uuid, text), public.dead_letters(uuid, uuid, timestamptz, uuid, integer),
  public.retry_dead_letter(uuid, uuid), public.discard_dead_letter(uuid, uuid)
  to authenticated, service_role;
