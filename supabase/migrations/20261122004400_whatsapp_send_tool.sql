-- whatsapp_send: an agent in a run writes to one of its company's contacts on WhatsApp. The
-- executor calls private.send_whatsapp_for_step while it holds the step's lease; the database
-- decides everything a model could get wrong or be talked into:
--   - only an existing contact of the run's company, found by phone (never a new number);
--   - a blocked contact never, and one who opted out only when it is the contact this run answers
--     (a reply is not a proactive message);
--   - from the number the contact last talked to (else the company's only active number), Meta's
--     24-hour window respected, never into a conversation a person holds, never for a company that
--     is not active;
--   - at most five messages per step, and a retried step sends nothing twice: the n-th message of
--     an attempt to a contact is the n-th of the attempt before, so its send is answered with what
--     was sent then (private.step_whatsapp_sends).
-- The message is an `assistant` message of the run (execution_id), queued for delivery like every
-- reply.
--
-- Who may do what: the service role (the executor) only; no person calls this, people reply in
-- conversations themselves (public.reply_in_conversation).
--
-- Who writes each table:
--   private.step_whatsapp_sends   private.send_whatsapp_for_step

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table private.step_whatsapp_sends (
  step_id uuid not null references public.execution_steps (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  -- The n-th message of one attempt to this contact.
  ordinal integer not null constraint step_whatsapp_sends_ordinal_positive check (ordinal > 0),
  -- The attempt that sent it, or the latest one that was answered with it.
  attempt integer not null,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  message_id uuid not null,
  body text not null,
  created_at timestamptz not null default now(),
  primary key (step_id, contact_id, ordinal)
);
comment on table private.step_whatsapp_sends is
  'A message the whatsapp_send tool queued for a step: what a retried attempt of the step answers instead of sending again.';
create index step_whatsapp_sends_contact_idx on private.step_whatsapp_sends (contact_id);
create index step_whatsapp_sends_conversation_idx on private.step_whatsapp_sends (conversation_id);
create index step_whatsapp_sends_tenant_idx on private.step_whatsapp_sends (tenant_id);

alter table private.step_whatsapp_sends enable row level security;

-- ─── the tool's registry entry ────────────────────────────────────────────────────────────────
update public.tools
set description = 'Sends a WhatsApp text to one of the company''s contacts, from the number they last talked to. Only existing contacts; '
                  'not to blocked or opted-out contacts, not into a conversation a person is handling, and on Meta numbers only within '
                  '24 hours of the contact''s last message. At most five per step.',
    parameters = '{"type": "object", "properties": {"to": {"type": "string", "minLength": 8, "maxLength": 32, "description": "The contact''s phone with its country code, e.g. +5511987654321"}, "text": {"type": "string", "minLength": 1, "maxLength": 4096}}, "required": ["to", "text"], "additionalProperties": false}'
where id = 'whatsapp_send';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The executor's side of whatsapp_send (see the opening comment): queues `body` to the contact of
 * the run's company whose phone is `to_phone`, and answers {status: 'queued' | 'already_sent',
 * message_id, conversation_id, contact_name, phone}. Null when the step is no longer this worker's.
 * Raises (P0001, the model reads the message): whatsapp_send_phone_invalid,
 * whatsapp_send_unknown_contact, whatsapp_send_contact_unreachable, whatsapp_send_no_inbox,
 * outside_customer_window, conversation_with_person, whatsapp_send_limit, company_not_active; and
 * what private.queue_outbound_message raises (message_body_empty, message_body_too_long).
 */
create or replace function private.send_whatsapp_for_step(target_step_id uuid, worker text, attempt integer, to_phone text, body text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
  phone text;
  contact public.contacts;
  answered public.conversations;
  inbox public.inboxes;
  conversation public.conversations;
  next_ordinal integer;
  earlier private.step_whatsapp_sends;
  queued uuid;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine sends an agent''s WhatsApp messages';
  end if;
  -- The step's row lock orders the step's own calls (a model may ask for several in one round).
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt
  for update;
  if step.id is null then
    return null;
  end if;
  if not private.is_tenant_active(step.tenant_id) then
    raise exception using errcode = 'P0001', constraint = 'company_not_active',
      message = 'the company is not active: its agents send no messages';
  end if;

  begin
    phone := private.normalize_phone(to_phone, 'BR');
  exception when sqlstate '22023' then
    raise exception using errcode = 'P0001', constraint = 'whatsapp_send_phone_invalid',
      message = format('%s is not a phone number: give the contact''s number with its country code, e.g. +5511987654321', to_phone);
  end;
  select * into contact from public.contacts c where c.tenant_id = step.tenant_id and c.phone = phone;
  if contact.id is null then
    raise exception using errcode = 'P0001', constraint = 'whatsapp_send_unknown_contact',
      message = format('no contact of the company has the number %s: whatsapp_send writes only to existing contacts', phone);
  end if;

  -- A retried step: the n-th message to this contact in this attempt is the n-th of an earlier one.
  select count(*) + 1 into next_ordinal from private.step_whatsapp_sends w
  where w.step_id = step.id and w.contact_id = contact.id and w.attempt = attempt;
  select * into earlier from private.step_whatsapp_sends w
  where w.step_id = step.id and w.contact_id = contact.id and w.ordinal = next_ordinal;
  if earlier.step_id is not null then
    update private.step_whatsapp_sends w set attempt = attempt
    where w.step_id = earlier.step_id and w.contact_id = earlier.contact_id and w.ordinal = earlier.ordinal;
    return pg_catalog.jsonb_build_object('status', 'already_sent', 'message_id', earlier.message_id,
      'conversation_id', earlier.conversation_id, 'contact_name', contact.name, 'phone', contact.phone, 'text', earlier.body);
  end if;
  if (select count(*) from private.step_whatsapp_sends w where w.step_id = step.id) >= 5 then
    raise exception using errcode = 'P0001', constraint = 'whatsapp_send_limit',
      message = 'this step already sent five WhatsApp messages, the most one step may send';
  end if;

  select * into answered from public.conversations c where c.id = private.conversation_of_step(step.id);
  if contact.status = 'blocked'
     or (not private.accepts_proactive_messages(contact) and answered.contact_id is distinct from contact.id) then
    raise exception using errcode = 'P0001', constraint = 'whatsapp_send_contact_unreachable',
      message = 'the contact is blocked or asked not to receive messages: nothing was sent';
  end if;

  -- The number: the run's own conversation's, else the one the contact last talked to, else the
  -- company's only active number.
  select b.* into inbox from public.inboxes b
  where b.tenant_id = step.tenant_id and b.status = 'active'
    and b.id = coalesce(
      case when answered.contact_id = contact.id then answered.inbox_id end,
      (select c.inbox_id from public.conversations c join public.inboxes i on i.id = c.inbox_id and i.status = 'active'
       where c.contact_id = contact.id order by c.last_message_at desc nulls last, c.created_at desc limit 1),
      (select i.id from public.inboxes i where i.tenant_id = step.tenant_id and i.status = 'active'
       and (select count(*) from public.inboxes o where o.tenant_id = step.tenant_id and o.status = 'active') = 1));
  if inbox.id is null then
    raise exception using errcode = 'P0001', constraint = 'whatsapp_send_no_inbox',
      message = 'the contact never wrote to an active number of the company and the company has no single active number to write from';
  end if;
  if not private.interview_window_open(inbox, contact.id, now()) then
    raise exception using errcode = 'P0001', constraint = 'outside_customer_window',
      message = 'the contact last wrote more than 24 hours ago: on this WhatsApp number only an approved template reaches them, so nothing was sent';
  end if;

  select * into conversation from public.conversations c
  where c.inbox_id = inbox.id and c.contact_id = contact.id and c.status <> 'closed';
  if conversation.id is not null and conversation.assignee <> 'bot' then
    raise exception using errcode = 'P0001', constraint = 'conversation_with_person',
      message = 'a person is handling this contact''s conversation: the bot does not write in it';
  end if;
  if conversation.id is null then
    insert into public.conversations (tenant_id, inbox_id, contact_id)
    values (step.tenant_id, inbox.id, contact.id)
    on conflict (inbox_id, contact_id) where status <> 'closed' do nothing
    returning * into conversation;
    if conversation.id is null then
      select * into conversation from public.conversations c
      where c.inbox_id = inbox.id and c.contact_id = contact.id and c.status <> 'closed';
    end if;
  end if;

  queued := private.queue_outbound_message(conversation.id, 'assistant', body, null, step.execution_id);
  insert into private.step_whatsapp_sends (step_id, contact_id, ordinal, attempt, tenant_id, conversation_id, message_id, body)
  values (step.id, contact.id, next_ordinal, attempt, step.tenant_id, conversation.id, queued, body);
  return pg_catalog.jsonb_build_object('status', 'queued', 'message_id', queued, 'conversation_id', conversation.id,
    'contact_name', contact.name, 'phone', contact.phone);
end;
$$;
comment on function private.send_whatsapp_for_step(uuid, text, integer, text, text) is
  'Service role (the executor): the whatsapp_send tool — queues a text to an existing contact of the run''s company, once per '
  'step and position even when the step is retried; null when the step is no longer this worker''s.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on private.step_whatsapp_sends from anon, authenticated, service_role;
revoke all on function private.send_whatsapp_for_step(uuid, text, integer, text, text) from public, anon, authenticated;
grant execute on function private.send_whatsapp_for_step(uuid, text, integer, text, text) to service_role;
