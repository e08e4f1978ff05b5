-- interview conversations: an interview runs in its contact's WhatsApp conversation. A pg_cron job
-- sends each pending interview's invitation from the project's inbox (at the project's rate,
-- inside its sending hours); from then until the interview ends (completed, cancelled, expired)
-- the conversation's turns are answered by the project's team (projects.responder_team_id, else
-- the inbox's own) instead of the inbox's responder, with no business hours (the company asked
-- the contact to talk) and a bot-turn limit that fits the script. The team's agents store what
-- the contact answers with the built-in tool `record_interview_answer`, through
-- private.record_interview_answer (answer types checked in SQL; the interview completes when
-- every required question has a value), and read the script, the answers so far and the next
-- question from private.step_interview_context, which the executor adds to their instructions.
--
-- Invitations (private.send_interview_invitations, pg_cron `renum-send-interview-invitations`
-- every minute; the time is a parameter so pgTAP freezes the clock):
--   contact blocked or opted out (private.accepts_proactive_messages)  cancelled, reason contact_unreachable
--   Meta inbox and no message from the contact in that inbox in 24 h    stays pending, metadata.invitation_waiting
--                                                                        = outside_customer_window (free text may not
--                                                                        start a conversation; checked again every 15 min)
--   the contact's open conversation is held by a person                  stays pending, invitation_waiting =
--                                                                        conversation_with_person (checked again the same way)
--   otherwise   the invitation text is appended to the open conversation (or a new one) through
--               private.append_outbound_message; the interview is invited, linked to it.
--
-- Lock order: interview row → conversation (invitations); the ingest holds the conversation and
-- only reads interviews; the tool locks the interview alone (record_interview_answer).
--
-- Who may do what: the service role and pg_cron only; people see the interview (RLS of
-- public.interviews) and the messages.
--
-- The responder (20261122001710) asks two functions this file replaces: who answers the
-- conversation (private.responder_settings_for_conversation: the project's team, at any hour,
-- while an interview runs in it) and what the run is told besides the conversation
-- (private.turn_run_context: the interview).

-- ─── built-in tool ────────────────────────────────────────────────────────────────────────────
insert into public.tools (id, name, description, parameters) values
  ('record_interview_answer', 'Record interview answer',
   'Stores the contact''s answer to one question of the interview this conversation is running. The answer is checked against the question''s type: when it does not fit, the tool says what is expected and you ask again politely. Answers the interview''s status and the next question to ask.',
   '{"type": "object", "properties": {"question_id": {"type": "string", "maxLength": 64, "description": "The id of the question in the interview script"}, "answer": {"type": "string", "maxLength": 2000, "description": "What the contact answered, in their words or as the value (a number, yes/no, the option, a date YYYY-MM-DD, 1-5); empty to skip an optional question"}}, "required": ["question_id", "answer"], "additionalProperties": false}')
on conflict (id) do nothing;

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- The invitation job reads, per active project, its pending interviews in order (interviews_pending_idx)
-- and how many were invited in the last minute.
create index interviews_project_invited_at_idx on public.interviews (project_id, invited_at) where invited_at is not null;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- The interview the conversation is running now (invited or in progress), or null.
create or replace function private.open_interview_of_conversation(target_conversation_id uuid)
returns public.interviews
language sql
stable
security definer
set search_path = ''
as $$
  select i.* from public.interviews i
  where i.conversation_id = target_conversation_id and i.status in ('invited', 'in_progress')
  order by i.invited_at desc
  limit 1;
$$;

/*
 * Who answers the conversation and how: the inbox's responder settings, except while an interview
 * runs in it, when the project's team answers (else the inbox's team), at any hour, and the bot-turn
 * limit is at least two turns per question plus two.
 */
create or replace function private.responder_settings_for_conversation(conversation public.conversations)
returns public.responder_settings
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  settings public.responder_settings := private.responder_settings_for_inbox(conversation.inbox_id);
  project public.projects;
begin
  select p.* into project
  from public.projects p
  where p.id = (private.open_interview_of_conversation(conversation.id)).project_id;
  if project.id is not null then
    settings.team_id := coalesce(project.responder_team_id, settings.team_id);
    settings.business_hours := null;
    settings.max_bot_turns := greatest(settings.max_bot_turns, 2 * pg_catalog.jsonb_array_length(project.questions) + 2);
  end if;
  return settings;
end;
$$;

-- The interview a turn's run carries out, named in its variables (replaces 20261122001710's empty context).
create or replace function private.turn_run_context(target_conversation_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select pg_catalog.jsonb_build_object('interview', pg_catalog.jsonb_build_object('id', i.id, 'project_id', i.project_id))
                   from private.open_interview_of_conversation(target_conversation_id) i where i.id is not null), '{}'::jsonb);
$$;

-- The conversation a step's run answers (the engine's own record in private.conversation_turns,
-- never the run's variables, which whoever starts a run writes), in the run's company.
create or replace function private.conversation_of_step(target_step_id uuid)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select t.conversation_id
  from public.execution_steps s join private.conversation_turns t on t.execution_id = s.execution_id and t.tenant_id = s.tenant_id
  where s.id = target_step_id
  order by t.created_at desc
  limit 1;
$$;

/*
 * What the agent of a step answering an interview's conversation needs to conduct it: {interview_id,
 * project, status, questions (the script), answers (so far), next_question}; null when the step's
 * run answers no conversation or its conversation runs no interview. Read live, so every turn sees
 * the answers recorded by the turns before. Service role (the executor).
 */
create or replace function private.step_interview_context(target_step_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'interview_id', i.id, 'project', p.name, 'status', i.status,
    'questions', p.questions, 'answers', i.answers,
    'next_question', private.next_interview_question(p.questions, i.answers))
  from private.open_interview_of_conversation(private.conversation_of_step(target_step_id)) i
  join public.projects p on p.id = i.project_id
  where i.id is not null;
$$;
comment on function private.step_interview_context(uuid) is
  'Service role (the executor): the interview a step''s conversation runs (script, answers, next question), or null.';

/*
 * The executor's side of the record_interview_answer tool: records `answer` to `question_id` of the
 * interview the step's conversation runs (private.record_interview_answer). Null when the step is
 * no longer this worker's. Raises interview_needs_conversation (P0001) when the run answers no
 * conversation running an interview, and as private.record_interview_answer
 * (interview_answer_invalid, interview_question_unknown, interview_not_active). Service role only.
 */
create or replace function private.record_interview_answer_for_step(target_step_id uuid, worker text, attempt integer,
                                                                    question_id text, answer text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
  interview public.interviews;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine records an agent''s interview answers';
  end if;
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt;
  if step.id is null then
    return null;
  end if;
  interview := private.open_interview_of_conversation(private.conversation_of_step(step.id));
  if interview.id is null then
    raise exception using errcode = 'P0001', constraint = 'interview_needs_conversation',
      message = 'record_interview_answer works only in a run that answers a conversation running an interview';
  end if;
  return private.record_interview_answer(interview.id, question_id, answer);
end;
$$;
comment on function private.record_interview_answer_for_step(uuid, text, integer, text, text) is
  'Service role (the executor): records a step''s agent''s answer in the interview its conversation runs; null when the lease is gone.';

-- True when Meta lets a free-text message reach the contact from this inbox: they wrote to it in
-- the last 24 hours. Other providers have no such window.
create or replace function private.interview_window_open(inbox public.inboxes, target_contact_id uuid, as_of timestamptz)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select inbox.provider <> 'meta_cloud' or exists (
    select from public.conversations c join public.messages m on m.conversation_id = c.id
    where c.inbox_id = inbox.id and c.contact_id = target_contact_id and c.last_message_at > as_of - interval '24 hours'
      and m.direction = 'in' and m.created_at > as_of - interval '24 hours' and m.created_at <= as_of);
$$;

/*
 * One pass of the invitation job (see the opening comment): for every active project whose inbox is
 * active, inside its sending hours at `as_of`, invites up to send_rate_per_minute less those invited
 * in the minute before `as_of`, oldest pending first. Interviews another pass holds are skipped.
 * Answers how many invitations were sent. Service role and pg_cron.
 */
create or replace function private.send_interview_invitations(as_of timestamptz default now())
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  project record;
  inbox public.inboxes;
  candidate public.interviews;
  contact public.contacts;
  conversation public.conversations;
  room integer;
  waiting text;
  sent integer := 0;
begin
  for project in
    select p.* from public.projects p
    where p.status = 'active' and p.inbox_id is not null and p.invitation_text is not null
      and exists (select from public.interviews i where i.project_id = p.id and i.status = 'pending')
    order by p.launched_at nulls last, p.id
  loop
    continue when not private.is_within_business_hours(project.sending_hours, project.time_zone, as_of);
    select * into inbox from public.inboxes b where b.id = project.inbox_id and b.status = 'active';
    continue when inbox.id is null;
    room := project.send_rate_per_minute - (select count(*) from public.interviews i
                                            where i.project_id = project.id and i.invited_at > as_of - interval '1 minute'
                                              and i.invited_at <= as_of);
    continue when room <= 0;
    for candidate in
      select i.* from public.interviews i
      where i.project_id = project.id and i.status = 'pending'
        and (not i.metadata ? 'invitation_waiting'
             or (i.metadata ->> 'invitation_checked_at')::timestamptz <= as_of - interval '15 minutes')
      order by i.created_at, i.id
      limit greatest(room, 0) + 50
      for update skip locked
    loop
      exit when room <= 0;
      select * into contact from public.contacts c where c.id = candidate.contact_id;
      if not private.accepts_proactive_messages(contact) then
        update public.interviews set status = 'cancelled', ended_at = now(), cancel_reason = 'contact_unreachable',
                                     metadata = metadata - 'invitation_waiting' - 'invitation_checked_at'
        where id = candidate.id;
        continue;
      end if;
      select * into conversation from public.conversations c
      where c.inbox_id = inbox.id and c.contact_id = contact.id and c.status <> 'closed';
      waiting := case
        when not private.interview_window_open(inbox, contact.id, as_of) then 'outside_customer_window'
        when conversation.id is not null and conversation.assignee <> 'bot' then 'conversation_with_person'
      end;
      if waiting is not null then
        update public.interviews
        set metadata = metadata || pg_catalog.jsonb_build_object('invitation_waiting', waiting, 'invitation_checked_at', as_of)
        where id = candidate.id;
        continue;
      end if;
      if conversation.id is null then
        insert into public.conversations (tenant_id, inbox_id, contact_id)
        values (inbox.tenant_id, inbox.id, contact.id)
        on conflict (inbox_id, contact_id) where status <> 'closed' do nothing
        returning * into conversation;
        if conversation.id is null then
          select * into conversation from public.conversations c
          where c.inbox_id = inbox.id and c.contact_id = contact.id and c.status <> 'closed';
        end if;
      end if;
      perform private.append_outbound_message(conversation.id, 'assistant', project.invitation_text);
      update public.interviews
      set status = 'invited', invited_at = as_of, conversation_id = conversation.id,
          metadata = metadata - 'invitation_waiting' - 'invitation_checked_at'
      where id = candidate.id;
      room := room - 1;
      sent := sent + 1;
    end loop;
  end loop;
  return sent;
end;
$$;
comment on function private.send_interview_invitations(timestamptz) is
  'Service role and pg_cron: sends due interview invitations at each active project''s rate inside its sending hours; answers how many.';

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-send-interview-invitations', '* * * * *', 'select private.send_interview_invitations()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.open_interview_of_conversation(uuid) from public, anon, authenticated;
revoke all on function private.responder_settings_for_conversation(public.conversations) from public, anon, authenticated;
revoke all on function private.turn_run_context(uuid) from public, anon, authenticated;
revoke all on function private.conversation_of_step(uuid) from public, anon, authenticated;
revoke all on function private.step_interview_context(uuid) from public, anon, authenticated;
revoke all on function private.record_interview_answer_for_step(uuid, text, integer, text, text) from public, anon, authenticated;
revoke all on function private.interview_window_open(public.inboxes, uuid, timestamptz) from public, anon, authenticated;
revoke all on function private.send_interview_invitations(timestamptz) from public, anon, authenticated;
grant execute on function private.open_interview_of_conversation(uuid) to service_role;
grant execute on function private.responder_settings_for_conversation(public.conversations) to service_role;
grant execute on function private.turn_run_context(uuid) to service_role;
grant execute on function private.conversation_of_step(uuid) to service_role;
grant execute on function private.step_interview_context(uuid) to service_role;
grant execute on function private.record_interview_answer_for_step(uuid, text, integer, text, text) to service_role;
grant execute on function private.interview_window_open(public.inboxes, uuid, timestamptz) to service_role;
grant execute on function private.send_interview_invitations(timestamptz) to service_role;
