-- outbound queue: how a reply (an agent's, a person's, a notice) leaves for WhatsApp.
-- private.append_outbound_message writes the message (`out`, `queued`) and its delivery job in one
-- transaction under the conversation's row lock, and wakes the `outbound` function through pg_net
-- (the request leaves after the commit). The function claims jobs with leases, one conversation's
-- jobs in message_index order (a job waits while an earlier one of its conversation is pending or
-- being sent), and records each outcome:
--   pending ──claim──▶ sending ──200──▶ sent
--                        │ 429/5xx/timeout ──▶ pending again at +1 s, +5 s, +25 s (or Retry-After)
--                        │                     └─ a fourth failure ──▶ dead (a dead letter)
--                        │ other 4xx, outside Meta's 24 h window ──▶ failed (final)
--                        └ lease ran out (worker killed mid-send) ──▶ dead, `delivery_interrupted`
-- A dead letter is retried (back to pending, sent once) or discarded by the tenant's admins.
--
-- At most once: nobody knows whether a worker killed after the request was sent reached the
-- provider (Meta, Z-API and Evolution take no idempotency key), so such a job is never resent by
-- itself: it becomes a dead letter an admin sees, retries or discards. A message is never sent
-- twice by the system and never dropped silently. Timeouts are the one exception the brief asks
-- for: a request that timed out is retried (at least once), as for 429 and 5xx.
--
-- Who may do what:
--   service   appends messages (private.append_outbound_message), claims and settles delivery jobs
--   nobody    private.queue_outbound_message, the append without the caller check (only
--             security-definer functions owned like it call it)
--   people    read messages (their status and error) through public.messages; nothing here
--
-- Who writes each table:
--   private.outbound_deliveries   these functions only (service)

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type private.outbound_delivery_status as enum ('pending', 'sending', 'sent', 'failed', 'dead', 'discarded');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- The run whose result a reply is (null for people's replies and notices).
alter table public.messages add column execution_id uuid references public.executions (id) on delete set null;

create table private.outbound_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  message_id uuid not null,
  message_created_at timestamptz not null,
  message_index integer not null,
  status private.outbound_delivery_status not null default 'pending',
  -- Requests made so far; the fourth retryable failure makes a dead letter.
  attempts integer not null default 0 constraint outbound_deliveries_attempts_range check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  lease_owner text constraint outbound_deliveries_lease_owner_length check (char_length(lease_owner) between 1 and 200),
  lease_expires_at timestamptz,
  -- Parts of a long body already accepted by the provider (each part is recorded as it is sent).
  parts_sent integer not null default 0 constraint outbound_deliveries_parts_sent_range check (parts_sent >= 0),
  -- What went wrong last: {code, message, http_status}.
  last_error jsonb constraint outbound_deliveries_last_error_is_object check (jsonb_typeof(last_error) = 'object'),
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint outbound_deliveries_one_per_message unique (message_id),
  constraint outbound_deliveries_lease_while_sending check ((status = 'sending') = (lease_owner is not null and lease_expires_at is not null))
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- The open jobs, per conversation in order: the claim reads each conversation's first one.
create index outbound_deliveries_open_idx on private.outbound_deliveries (conversation_id, message_index)
  where status in ('pending', 'sending');
create index outbound_deliveries_dead_idx on private.outbound_deliveries (tenant_id, updated_at desc) where status = 'dead';
create index outbound_deliveries_inbox_idx on private.outbound_deliveries (inbox_id);
-- Every claim reaps first: the leased jobs, by when their lease runs out, without reading the
-- settled ones (which only grow).
create index outbound_deliveries_leased_idx on private.outbound_deliveries (lease_expires_at) where status = 'sending';

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table private.outbound_deliveries enable row level security;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Queues `POST <functions url>/outbound/run` with the service role key through pg_net; sent after
 * the calling transaction commits. Returns the pg_net request id, or null when the project has not
 * stored the URL and key in Vault, or when a kick is already waiting in pg_net's queue: the pass
 * that kick starts (or wakes) polls until it has been idle for two seconds, so it finds this reply
 * too, and the watchdog kicks within a second for anything left. Without this, a burst of replies
 * queues one HTTP request each. Where the queue cannot be read, it kicks every time.
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
comment on function private.kick_outbound() is
  'Service side: asks the outbound function to deliver (pg_net, after commit). Null when Vault lacks its URL or key.';

/*
 * Appends an outbound message to a conversation and queues its delivery (see the opening comment):
 * the conversation's row locked, the next message_index, the message (`out`, `queued`, text),
 * last_message_at, the delivery job, and the outbound function woken after commit. Returns the
 * message id. Bodies longer than 4,096 characters are fine: delivery splits them. No caller check:
 * for the security-definer functions that checked their caller themselves (the service's
 * private.append_outbound_message, a person's public.reply_in_conversation); no role may execute
 * it. Raises message_role_invalid, message_body_empty, message_body_too_long,
 * conversation_not_found, conversation_closed, sender_not_member, execution_not_in_tenant.
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

-- Service role only: private.queue_outbound_message behind a caller check. Raises service_role_only, then what it raises.
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
comment on function private.append_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric) is
  'Service role only: appends a queued outbound text message to an open conversation and queues its delivery; returns the '
  'message id. Raises message_role_invalid, message_body_empty, message_body_too_long, conversation_not_found, '
  'conversation_closed, sender_not_member, execution_not_in_tenant.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on private.outbound_deliveries from anon, authenticated, service_role;
grant select on private.outbound_deliveries to service_role;
revoke all on function private.kick_outbound() from public, anon, authenticated;
revoke all on function private.queue_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric)
  from public, anon, authenticated, service_role;
revoke all on function private.append_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric)
  from public, anon, authenticated;
grant execute on function private.kick_outbound() to service_role;
grant execute on function private.append_outbound_message(uuid, public.message_role, text, uuid, uuid, integer, integer, numeric) to service_role;
