-- interview reminders and expiry: an invited contact who has not answered gets one reminder
-- `reminder_after_hours` after the invitation (the project's reminder_text, else its invitation
-- text), and an interview nobody answers for `timeout_hours` — since the invitation, or since the
-- last answer of one in progress — expires (status expired, ended_at); its conversation goes back
-- to the inbox's own responder. Outside Meta's 24-hour window the reminder goes as the project's
-- reminder template, else its invitation template (20261122004320 adds them, and the helpers this
-- function calls). A reminder that cannot go (the contact opted out or was blocked, the
-- conversation was closed or is held by a person, Meta's window is shut and the project names no
-- template, or its template is not usable) is not sent: reminded_at is set and
-- metadata.reminder_skipped says why, so it is never tried again.
--
-- private.remind_and_expire_interviews(as_of) runs from pg_cron every minute
-- (`renum-remind-expire-interviews`) and takes the time as a parameter, so pgTAP runs it with a
-- frozen clock. Lock order as the invitations: interview row → conversation.
--
-- Who may do what: the service role and pg_cron only.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- When the contact last moved the interview: the latest answer, else the invitation.
create or replace function private.interview_last_activity(interview public.interviews)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select greatest(interview.invited_at,
                  (select max((a.value ->> 'answered_at')::timestamptz) from pg_catalog.jsonb_each(interview.answers) a));
$$;

/*
 * One pass at `as_of`: expires the interviews quiet for their project's timeout, then sends the
 * due reminders (see the opening comment). Interviews another pass holds are skipped. Answers
 * {reminded, skipped, expired}. Service role and pg_cron.
 */
create or replace function private.remind_and_expire_interviews(as_of timestamptz default now())
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  due record;
  contact public.contacts;
  conversation public.conversations;
  inbox public.inboxes;
  template_id uuid;
  parameters text[];
  skipped_because text;
  reminded integer := 0;
  skipped integer := 0;
  expired integer := 0;
begin
  with quiet as (
    select i.id from public.interviews i join public.projects p on p.id = i.project_id
    where i.status in ('invited', 'in_progress') and i.invited_at <= as_of - pg_catalog.make_interval(hours => p.timeout_hours)
      and private.interview_last_activity(i) <= as_of - pg_catalog.make_interval(hours => p.timeout_hours)
    for update of i skip locked
  )
  update public.interviews i set status = 'expired', ended_at = as_of
  from quiet where i.id = quiet.id;
  get diagnostics expired = row_count;

  for due in
    select i.id, i.contact_id, i.conversation_id, coalesce(p.reminder_text, p.invitation_text) as body,
           p.name as project_name, coalesce(p.reminder_template, p.invitation_template) as template_spec
    from public.interviews i join public.projects p on p.id = i.project_id
    where i.status = 'invited' and i.reminded_at is null and p.reminder_after_hours is not null
      and i.invited_at <= as_of - pg_catalog.make_interval(hours => p.reminder_after_hours)
    order by i.invited_at
    for update of i skip locked
  loop
    select * into contact from public.contacts c where c.id = due.contact_id;
    select * into conversation from public.conversations c where c.id = due.conversation_id;
    select * into inbox from public.inboxes b where b.id = conversation.inbox_id;
    skipped_because := case
      when not private.accepts_proactive_messages(contact) then 'contact_unreachable'
      when conversation.id is null or conversation.status = 'closed' then 'conversation_closed'
      when conversation.assignee <> 'bot' then 'conversation_with_person'
    end;
    template_id := null;
    if skipped_because is null and not private.interview_window_open(inbox, contact.id, as_of) then
      if due.template_spec is null then
        skipped_because := 'outside_customer_window';
      else
        parameters := private.interview_template_parameters(due.template_spec, due.project_name, contact);
        template_id := private.usable_interview_template(inbox.id, due.template_spec, cardinality(parameters));
        if template_id is null then
          skipped_because := 'reminder_template_unusable';
        end if;
      end if;
    end if;
    if skipped_because is null then
      if template_id is null then
        perform private.append_outbound_message(conversation.id, 'assistant', due.body);
      else
        perform private.append_template_message(conversation.id, template_id, parameters);
      end if;
      update public.interviews set reminded_at = as_of where id = due.id;
      reminded := reminded + 1;
    else
      update public.interviews set reminded_at = as_of, metadata = metadata || pg_catalog.jsonb_build_object('reminder_skipped', skipped_because)
      where id = due.id;
      skipped := skipped + 1;
    end if;
  end loop;
  return pg_catalog.jsonb_build_object('reminded', reminded, 'skipped', skipped, 'expired', expired);
end;
$$;
comment on function private.remind_and_expire_interviews(timestamptz) is
  'Service role and pg_cron: expires interviews quiet past their project''s timeout and sends the due reminders; answers {reminded, skipped, expired}.';

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-remind-expire-interviews', '* * * * *', 'select private.remind_and_expire_interviews()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.interview_last_activity(public.interviews) from public, anon, authenticated;
revoke all on function private.remind_and_expire_interviews(timestamptz) from public, anon, authenticated;
grant execute on function private.interview_last_activity(public.interviews) to service_role;
grant execute on function private.remind_and_expire_interviews(timestamptz) to service_role;
