-- business-phone echoes: the company writing from the WhatsApp app on the inbox's own number.
-- Z-API (`fromMe: true`, not `fromApi`) and Evolution (`key.fromMe: true`) post what the phone
-- sent like any message, and a Meta number shared with the WhatsApp Business app
-- (`smb_message_echoes`) does the same; a Cloud-API-only Meta number sends no echo. The parsers
-- (20261122001420) make such a message `direction 'out'`, role `human`, with no `sent_by` (no
-- member of ours wrote it) and record_webhook_message stores it under its provider id. Here: a
-- person answering from the phone has taken the conversation over, so the bot stops, as when a
-- member takes it over in the inbox: the conversation leaves the bot (assignee 'unassigned', no
-- member known; a pending one is open again, someone is answering), which ends its open turn
-- `handed_off` and has the next pass stop a run in flight (20261122001740). An echo never opens a
-- turn (turns follow only the contact's messages). Replies of ours (`reply_in_conversation`,
-- the bot's) are inserted before the provider gives them an id, so they never look like echoes.
--
-- Who may do what: the trigger acts for whoever records the message (the service role).
--
-- Who writes each table: public.conversations (assignee, status) private.pause_bot_on_business_echo.

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: the webhook's messages are recorded by the service, and the
-- conversation rules' guards apply to the update as to any other.
create or replace function private.pause_bot_on_business_echo()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations c
  set assignee = 'unassigned', assignee_user_id = null,
      status = case when c.status = 'pending' then 'open'::public.conversation_status else c.status end
  where c.id in (select n.conversation_id from new_messages n
                 where n.direction = 'out' and n.role = 'human' and n.sent_by is null and n.provider_message_id is not null)
    and c.assignee = 'bot' and c.status <> 'closed';
  return null;
end;
$$;

create trigger messages_pause_bot_on_business_echo after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.pause_bot_on_business_echo();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke execute on function private.pause_bot_on_business_echo() from public;
