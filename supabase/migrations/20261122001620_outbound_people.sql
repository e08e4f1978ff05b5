-- outbound for people: a member replies by hand, and the company's admins retry or discard dead
-- letters. The service-side functions of 001600/001610 refuse every caller but the service role,
-- so their work moves into internal functions no role may execute (only these security-definer
-- functions, owned like them, call them), and the service-side names become a check plus a call:
--   private.queue_outbound_message     the append itself (private.append_outbound_message checks, then calls it)
--   private.requeue_dead_letter        a dead letter back to pending (private.retry_dead_letter)
--   private.drop_dead_letter           a dead letter discarded (private.discard_dead_letter)
-- Also: one queued wake-up is enough (private.kick_outbound skips queueing another while pg_net
-- has not sent the last), and an index for the reaper.
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

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- Every claim reaps first: the leased jobs, by when their lease runs out, without reading the
-- settled ones (which only grow).
create index outbound_deliveries_leased_idx on private.outbound_deliveries (lease_expires_at) where status = 'sending';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * As in 001600, but a kick is queued only when none is waiting in pg_net's queue: a pass that the
 * waiting kick starts (or wakes) polls the queue until it has been idle for two seconds, so it finds
 * this reply too, and the watchdog kicks within a second for anything left. Without this, a burst
 * of replies queues one HTTP request each. Where the queue cannot be read, it kicks every time.
 */
create or replace function private.kick_outbound()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  functions_url text;
  service_key text;
  run_url text;
begin
  select s.decrypted_secret into functions_url from vault.decrypted_secrets s where s.name = 'renum_functions_url';
  select s.decrypted_secret into service_key from vault.decrypted_secrets s where s.name = 'renum_service_role_key';
  if functions_url is null or service_key is null then
    return null;
  end if;
  run_url := rtrim(functions_url, '/') || '/outbound/run';
  if pg_catalog.has_table_privilege('net.http_request_queue', 'select')
     and exists (select from net.http_request_queue q where q.url = run_url) then
    return null;
  end if;
  return net.http_post(
    url := run_url,
    body := '{}'::jsonb,
    headers := pg_catalog.jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := 10000
  );
end;
$$;

/*
 * The append of private.append_outbound_message (see 001600), without the caller check: for the
 * security-definer functions that checked their caller themselves. No role may execute it.
 */
create or replace function private.queue_outbound_message(
  target_conversation_id uuid,
  message_role public.message_role,
  body text,
  sent_by uuid default null,
  execution_id uuid default null,
  input_tokens integer default null,
  output_tokens integer default null,
  cost_usd numeric default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
  appended public.messages;
begin
  if message_role is null or message_role = 'user' then
    raise exception using errcode = '22023', constraint = 'message_role_invalid',
      message = 'an outbound message is written by an assistant, a person or the system, never by the contact';
  end if;
  if body is null or btrim(body) = '' then
    raise exception using errcode = '22023', constraint = 'message_body_empty', message = 'an outbound message needs a body';
  end if;
  if char_length(body) > 65536 then
    raise exception using errcode = '22023', constraint = 'message_body_too_long',
      message = 'an outbound message has at most 65536 characters',
      detail = pg_catalog.jsonb_build_object('max', 65536, 'length', char_length(body))::text;
  end if;

  -- The conversation's row lock orders this message after every other one of the conversation.
  update public.conversations c
  set last_message_index = c.last_message_index + 1, last_message_at = now(), updated_at = now()
  where c.id = target_conversation_id and c.status <> 'closed'
  returning * into conversation;
  if conversation.id is null then
    if exists (select from public.conversations c where c.id = target_conversation_id) then
      raise exception using errcode = 'P0001', constraint = 'conversation_closed', message = 'the conversation is closed',
        detail = pg_catalog.jsonb_build_object('conversation_id', target_conversation_id)::text;
    end if;
    raise exception using errcode = 'P0002', constraint = 'conversation_not_found', message = 'conversation not found',
      detail = pg_catalog.jsonb_build_object('conversation_id', target_conversation_id)::text;
  end if;
  if sent_by is not null and not exists (
    select from public.memberships m where m.tenant_id = conversation.tenant_id and m.user_id = sent_by
  ) then
    raise exception using errcode = '22023', constraint = 'sender_not_member', message = 'the sender is not a member of the conversation''s company';
  end if;
  if execution_id is not null and not exists (
    select from public.executions e where e.id = execution_id and e.tenant_id = conversation.tenant_id
  ) then
    raise exception using errcode = '22023', constraint = 'execution_not_in_tenant', message = 'the run is not one of the conversation''s company';
  end if;

  insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body,
                               status, status_at, sent_by, execution_id, input_tokens, output_tokens, cost_usd)
  values (conversation.tenant_id, conversation.inbox_id, conversation.id, conversation.contact_id, conversation.last_message_index,
          'out', message_role, 'text', body, 'queued', now(), sent_by, execution_id, input_tokens, output_tokens, cost_usd)
  returning * into appended;
  insert into private.outbound_deliveries (tenant_id, inbox_id, conversation_id, message_id, message_created_at, message_index)
  values (appended.tenant_id, appended.inbox_id, appended.conversation_id, appended.id, appended.created_at, appended.message_index);
  perform private.kick_outbound();
  return appended.id;
end;
$$;
/*
 * Service role only: see 001600. Raises service_role_only, then what private.queue_outbound_message raises.
 */
create or replace function private.append_outbound_message(
  target_conversation_id uuid,
  message_role public.message_role,
  body text,
  sent_by uuid default null,
  execution_id uuid default null,
  input_tokens integer default null,
  output_tokens integer default null,
  cost_usd numeric default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role appends outbound messages';
  end if;
  return private.queue_outbound_message(target_conversation_id, message_role, body, sent_by, execution_id, input_tokens, output_tokens, cost_usd);
end;
$$;

-- A dead letter of `target_tenant_id` back to pending (see private.retry_dead_letter in 001610). No role may execute it.
create or replace function private.requeue_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  job private.outbound_deliveries;
begin
  update private.outbound_deliveries d
  set status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = null, updated_at = now()
  where d.id = target_delivery_id and d.tenant_id = target_tenant_id and d.status = 'dead'
  returning d.* into job;
  if job.id is null then
    raise exception using errcode = 'P0002', constraint = 'dead_letter_not_found', message = 'dead letter not found',
      detail = pg_catalog.jsonb_build_object('dead_letter_id', target_delivery_id)::text;
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

-- A dead letter of `target_tenant_id` discarded (see private.discard_dead_letter in 001610). No role may execute it.
create or replace function private.drop_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  job private.outbound_deliveries;
begin
  update private.outbound_deliveries d
  set status = 'discarded', updated_at = now(), finished_at = now()
  where d.id = target_delivery_id and d.tenant_id = target_tenant_id and d.status = 'dead'
  returning d.* into job;
  if job.id is null then
    raise exception using errcode = 'P0002', constraint = 'dead_letter_not_found', message = 'dead letter not found',
      detail = pg_catalog.jsonb_build_object('dead_letter_id', target_delivery_id)::text;
  end if;
  update public.messages m set error = coalesce(m.error, '{}') || '{"discarded": true}'
  where m.id = job.message_id and m.created_at = job.message_created_at;
  return job.message_id;
end;
$$;

-- Service role only: see 001610.
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
  return private.requeue_dead_letter(target_tenant_id, target_delivery_id);
end;
$$;

-- Service role only: see 001610.
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
  return private.drop_dead_letter(target_tenant_id, target_delivery_id);
end;
$$;

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
 * manage_inboxes: a dead letter of `target_tenant_id` sent again (once). Returns the message id.
 * Raises dead_letter_not_found (also another company's), dead_letters_by_inbox_managers,
 * conversation_closed, and this company is suspended.
 */
create or replace function public.retry_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
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
  return private.requeue_dead_letter(owner_tenant, target_delivery_id);
end;
$$;

/*
 * manage_inboxes: a dead letter of `target_tenant_id` given up (the message stays failed, marked discarded). Returns the
 * message id. Raises dead_letter_not_found, dead_letters_by_inbox_managers, and this company is suspended.
 */
create or replace function public.discard_dead_letter(target_tenant_id uuid, target_delivery_id uuid)
returns uuid
language plpgsql
security definer
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
  return private.drop_dead_letter(owner_tenant, target_delivery_id);
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.queue_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric),
  private.requeue_dead_letter(uuid, uuid), private.drop_dead_letter(uuid, uuid)
  from public, anon, authenticated, service_role;
revoke all on function public.reply_in_conversation(uuid, text), public.dead_letters(uuid, uuid, timestamptz, uuid, integer),
  public.retry_dead_letter(uuid, uuid), public.discard_dead_letter(uuid, uuid)
  from public, anon;
grant execute on function public.reply_in_conversation(uuid, text), public.dead_letters(uuid, uuid, timestamptz, uuid, integer),
  public.retry_dead_letter(uuid, uuid), public.discard_dead_letter(uuid, uuid)
  to authenticated, service_role;
