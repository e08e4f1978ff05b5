-- interview invitation templates: a project on a Meta inbox may name a message template (synced
-- in public.message_templates, 20261122004300) and how its parameters are filled; outside Meta's
-- 24-hour window its invitation goes as that template instead of waiting for the contact to write
-- (20261122004040 kept such interviews pending with invitation_waiting outside_customer_window,
-- which still happens for a project without a template). Its reminder likewise goes as the
-- project's reminder_template, else its invitation template (private.remind_and_expire_interviews,
-- 20261122004050, through the helpers below): a contact who never answered the invitation never
-- opened the window, so on Meta a reminder is almost always a template.
--
-- Who may do what: as public.projects (members who handle conversations write the template with
-- the rest of the project; the service sends the invitations).

-- ─── functions the column needs ───────────────────────────────────────────────────────────────
-- {name, language, parameters?}: Meta's name and language code, and the parameters in order, each
-- `contact_name` (the contact's name, else their phone) or `project_name`, at most 10.
create or replace function private.is_invitation_template(template jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(template) = 'object'
     and not exists (select from pg_catalog.jsonb_object_keys(template) k where k not in ('name', 'language', 'parameters'))
     and coalesce(template ->> 'name', '') ~ '^[a-z0-9_]+$' and char_length(template ->> 'name') <= 512
     and coalesce(template ->> 'language', '') ~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$'
     and (not template ? 'parameters' or (
       pg_catalog.jsonb_typeof(template -> 'parameters') = 'array' and pg_catalog.jsonb_array_length(template -> 'parameters') <= 10
       and not exists (select from pg_catalog.jsonb_array_elements(template -> 'parameters') p
                       where p not in ('"contact_name"'::jsonb, '"project_name"'::jsonb))));
$$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
alter table public.projects
  add column invitation_template jsonb
    constraint projects_invitation_template_format check (invitation_template is null or private.is_invitation_template(invitation_template)),
  -- The reminder's template; null: the invitation's.
  add column reminder_template jsonb
    constraint projects_reminder_template_format check (reminder_template is null or private.is_invitation_template(reminder_template));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- A project template's parameters, in order: the contact's name (else their phone) or the project's name.
create or replace function private.interview_template_parameters(template jsonb, project_name text, contact public.contacts)
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(pg_catalog.array_agg(case p.value when 'contact_name' then coalesce(nullif(pg_catalog.btrim(contact.name), ''), contact.phone)
                                       else project_name end order by p.n), '{}')
  from pg_catalog.jsonb_array_elements_text(coalesce(template -> 'parameters', '[]')) with ordinality as p(value, n);
$$;

-- The id of the inbox's approved template a project names, when it takes `parameter_count`
-- parameters; null when there is none (not synced, not approved, another count).
create or replace function private.usable_interview_template(target_inbox_id uuid, template jsonb, parameter_count integer)
returns uuid
language sql
stable
set search_path = ''
as $$
  select t.id from public.message_templates t
  where t.inbox_id = target_inbox_id and t.name = template ->> 'name' and t.language = template ->> 'language'
    and t.status = 'approved' and t.body_parameter_count = parameter_count;
$$;

/*
 * Appends a template message of the service to an open conversation: the rendered text the contact
 * reads, with metadata.template set in the same transaction, so the delivery claimed after the
 * commit sends Meta's template payload. Returns the message id.
 */
create or replace function private.append_template_message(target_conversation_id uuid, template_id uuid, parameters text[])
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  template public.message_templates;
  appended uuid;
begin
  select * into strict template from public.message_templates t where t.id = template_id;
  appended := private.append_outbound_message(target_conversation_id, 'assistant',
    coalesce(nullif(pg_catalog.btrim(private.render_template_body(template.body_text, parameters)), ''), '[' || template.name || ']'));
  update public.messages m
  set metadata = m.metadata || pg_catalog.jsonb_build_object('template', pg_catalog.jsonb_build_object(
        'name', template.name, 'language', template.language, 'category', template.category, 'parameters', pg_catalog.to_jsonb(parameters)))
  where m.id = appended and m.conversation_id = target_conversation_id;
  return appended;
end;
$$;

/*
 * One pass of the invitation job (see the opening comment): for every active project whose inbox is
 * active, inside its sending hours at `as_of`, invites up to send_rate_per_minute less those invited
 * in the minute before `as_of`, oldest pending first. Interviews another pass holds are skipped.
 * Answers how many invitations were sent. Service role and pg_cron.
 * As 20261122004040's, and outside Meta's 24-hour window a project with an invitation template
 * sends that template (approved, its parameter count matching) instead of waiting: the message is
 * the rendered text with metadata.template, which the delivery sends as Meta's template. A
 * template this inbox lacks, not approved, or with another parameter count leaves the interview
 * pending with invitation_waiting `invitation_template_unusable` (checked again after 15 min).
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
  template_id uuid;
  parameters text[];
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
      waiting := null;
      template_id := null;
      if not private.interview_window_open(inbox, contact.id, as_of) then
        if project.invitation_template is null then
          waiting := 'outside_customer_window';
        else
          parameters := private.interview_template_parameters(project.invitation_template, project.name, contact);
          template_id := private.usable_interview_template(inbox.id, project.invitation_template, cardinality(parameters));
          if template_id is null then
            waiting := 'invitation_template_unusable';
          end if;
        end if;
      end if;
      if waiting is null and conversation.id is not null and conversation.assignee <> 'bot' then
        waiting := 'conversation_with_person';
      end if;
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
      if template_id is null then
        perform private.append_outbound_message(conversation.id, 'assistant', project.invitation_text);
      else
        perform private.append_template_message(conversation.id, template_id, parameters);
      end if;
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

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.is_invitation_template(jsonb) from public, anon;
grant execute on function private.is_invitation_template(jsonb) to authenticated, service_role;
revoke all on function private.interview_template_parameters(jsonb, text, public.contacts) from public, anon, authenticated;
revoke all on function private.usable_interview_template(uuid, jsonb, integer) from public, anon, authenticated;
revoke all on function private.append_template_message(uuid, uuid, text[]) from public, anon, authenticated;
grant execute on function private.interview_template_parameters(jsonb, text, public.contacts) to service_role;
grant execute on function private.usable_interview_template(uuid, jsonb, integer) to service_role;
grant execute on function private.append_template_message(uuid, uuid, text[]) to service_role;
grant insert (invitation_template, reminder_template), update (invitation_template, reminder_template) on public.projects to authenticated;
