-- projects and interviews: a company asks its contacts a script of questions over WhatsApp. A
-- project (survey, campaign or support) holds the script — ordered questions, each with an answer
-- type the database checks answers against —, the inbox it writes from, the team that conducts the
-- interviews, the invitation, when invitations may go out (a time zone and sending hours in the
-- responder settings' format), how many per minute, and how long an interview waits for replies
-- (with one reminder before it expires). An interview is one contact's run through one project's
-- script: its status, when it was invited, started and ended, and its answers per question id.
--
-- Interview messages are the conversation's own messages (public.messages, partitioned by month):
-- an interview names its conversation and its time range (invited_at .. completed_at / ended_at),
-- so the transcript is one indexed range read of that conversation, and everything a list or a
-- report needs (status, times, answers, summary) is on the interview row without loading messages.
-- A second copy of each message in an interview_messages table would double the writes on the hot
-- path and could disagree with what the contact actually saw.
--
-- Project lifecycle: draft → active ⇄ paused → completed (draft → completed abandons a draft).
-- The script (questions) is fixed once a project leaves draft, so every interview's answers refer
-- to the same questions. Going active needs an inbox, an invitation and at least one question.
--
-- Who may do what:
--   owner, admin            everything members may, plus change a project's status (activate,
--                           pause, resume, complete), launch it, cancel interviews and resend
--                           invitations (manage_inboxes: it sends from the company's numbers)
--   member                  create, edit and delete draft projects (handle_conversations); read interviews
--   analyst                 reads projects and interviews
--   platform admin          cancels interviews and resends invitations of any company (audited)
--   service                 runs interviews: invitations, answers, reminders, expiry
--
-- Who writes each table:
--   projects     people, through the API or direct (status only through the transitions below)
--   interviews   public.launch_project, public.cancel_interview, public.resend_interview_invitation
--                (people); private.record_interview_answer and the interview jobs (service)

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.project_type as enum ('survey', 'campaign', 'support');
create type public.project_status as enum ('draft', 'active', 'paused', 'completed');
create type public.interview_status as enum ('pending', 'invited', 'in_progress', 'completed', 'cancelled', 'expired');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null constraint projects_name_length check (char_length(btrim(name)) between 1 and 200),
  description text constraint projects_description_length check (char_length(description) <= 2000),
  type public.project_type not null default 'survey',
  status public.project_status not null default 'draft',
  -- The number interviews are sent from, and the team that conducts them (null: the inbox's own
  -- responder team). A deleted inbox or team leaves the project unable to send until one is chosen.
  inbox_id uuid references public.inboxes (id) on delete set null,
  responder_team_id uuid references public.teams (id) on delete set null,
  -- The script: [{id, text, answer_type, options?, required?, follow_up?}] (private.assert_project_questions).
  questions jsonb not null default '[]'
    constraint projects_questions_bounded check (private.jsonb_is_bounded(questions, 6, 65536)),
  invitation_text text constraint projects_invitation_text_length check (char_length(btrim(invitation_text)) between 1 and 1024),
  -- Sent once, reminder_after_hours after the invitation when the contact has not answered; null:
  -- a default reminder in the invitation's words.
  reminder_text text constraint projects_reminder_text_length check (char_length(btrim(reminder_text)) between 1 and 1024),
  -- When invitations may go out: sending hours as responder_settings.business_hours in this time
  -- zone (null: any hour).
  time_zone text not null default 'America/Sao_Paulo' constraint projects_time_zone_known check (private.is_time_zone(time_zone)),
  sending_hours jsonb constraint projects_sending_hours_format check (private.are_business_hours(sending_hours)),
  send_rate_per_minute integer not null default 10 constraint projects_send_rate_range check (send_rate_per_minute between 1 and 600),
  -- An interview without a reply this long after its invitation expires; null reminder: none.
  timeout_hours integer not null default 72 constraint projects_timeout_range check (timeout_hours between 1 and 2160),
  reminder_after_hours integer default 24 constraint projects_reminder_range
    check (reminder_after_hours between 1 and 2159 and reminder_after_hours < timeout_hours),
  launched_at timestamptz,
  completed_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint projects_id_tenant unique (id, tenant_id)
);

create table public.interviews (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  project_id uuid not null,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  -- Where the interview happens; its messages are this conversation's between invited_at and the end.
  conversation_id uuid references public.conversations (id) on delete set null,
  status public.interview_status not null default 'pending',
  -- {"<question id>": {"value": <typed value>, "answered_at": "<timestamptz>"}} (record_interview_answer).
  answers jsonb not null default '{}'
    constraint interviews_answers_is_object check (jsonb_typeof(answers) = 'object')
    constraint interviews_answers_bounded check (private.jsonb_is_bounded(answers, 4, 262144)),
  -- The run's report on a completed interview.
  summary text constraint interviews_summary_length check (char_length(summary) <= 4000),
  sentiment text constraint interviews_sentiment_known check (sentiment in ('positive', 'neutral', 'negative')),
  metadata jsonb not null default '{}'
    constraint interviews_metadata_is_object check (jsonb_typeof(metadata) = 'object')
    constraint interviews_metadata_bounded check (private.jsonb_is_bounded(metadata, 8, 16384)),
  invited_at timestamptz,
  reminded_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  -- When it was cancelled or expired.
  ended_at timestamptz,
  cancel_reason text constraint interviews_cancel_reason_length check (char_length(btrim(cancel_reason)) between 1 and 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint interviews_one_per_project_contact unique (project_id, contact_id),
  constraint interviews_project_in_tenant foreign key (project_id, tenant_id)
    references public.projects (id, tenant_id) on delete cascade,
  constraint interviews_completed_when check ((status = 'completed') = (completed_at is not null)),
  constraint interviews_invited_when check (status in ('pending', 'cancelled') or invited_at is not null)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index projects_tenant_id_idx on public.projects (tenant_id, created_at desc, id);
create index projects_inbox_id_idx on public.projects (inbox_id);
create index projects_responder_team_id_idx on public.projects (responder_team_id);
create index projects_created_by_idx on public.projects (created_by);
create index interviews_tenant_id_idx on public.interviews (tenant_id);
create index interviews_project_status_idx on public.interviews (project_id, status, created_at, id);
-- The conversation's turn asks "is this contact in an interview right now?".
create index interviews_contact_open_idx on public.interviews (contact_id) where status in ('invited', 'in_progress');
create index interviews_conversation_id_idx on public.interviews (conversation_id);
-- The interview jobs: invitations due, reminders and expiry.
create index interviews_pending_idx on public.interviews (project_id, created_at, id) where status = 'pending';
create index interviews_waiting_idx on public.interviews (invited_at) where status in ('invited', 'in_progress');

-- ─── functions used by the triggers ───────────────────────────────────────────────────────────
/*
 * Raises project_questions_invalid (22023, detail {field, ...}) unless `questions` is a script:
 * an array of 1..50 objects {id, text, answer_type, options?, required?, follow_up?} where id is
 * 1-40 of a-z, 0-9 and _ and unique, text 1-1000 characters, answer_type one of free_text, number,
 * yes_no, one_of, date, scale_1_5; options (one_of only, required there) 2-20 distinct texts of
 * 1-100 characters; required a boolean (default true); follow_up {ask (1-500 characters), when?
 * (an answer, 1-100 characters)}: what the interviewer asks next when the answer is `when` (any
 * answer when absent). An empty array is allowed while a project is a draft.
 */
create or replace function private.assert_project_questions(questions jsonb)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  question jsonb;
  question_index integer := 0;
  field text;
  problem text;
  seen_ids text[] := '{}';
begin
  if pg_catalog.jsonb_typeof(questions) <> 'array' then
    field := 'questions'; problem := 'must be a list of questions';
  elsif pg_catalog.jsonb_array_length(questions) > 50 then
    field := 'questions'; problem := 'a script has at most 50 questions';
  else
    for question in select q from pg_catalog.jsonb_array_elements(questions) q loop
      field := 'questions.' || question_index;
      if pg_catalog.jsonb_typeof(question) <> 'object' then
        problem := 'must be an object';
      elsif exists (select from pg_catalog.jsonb_object_keys(question) k
                    where k not in ('id', 'text', 'answer_type', 'options', 'required', 'follow_up')) then
        problem := 'has a field other than id, text, answer_type, options, required, follow_up';
      elsif coalesce(question ->> 'id', '') !~ '^[a-z0-9_]{1,40}$' or pg_catalog.jsonb_typeof(question -> 'id') <> 'string' then
        field := field || '.id'; problem := 'must be 1-40 characters of a-z, 0-9 and _';
      elsif (question ->> 'id') = any (seen_ids) then
        field := field || '.id'; problem := 'is the id of an earlier question';
      elsif pg_catalog.jsonb_typeof(question -> 'text') is distinct from 'string'
            or char_length(btrim(question ->> 'text')) not between 1 and 1000 then
        field := field || '.text'; problem := 'must be a text of 1-1000 characters';
      elsif coalesce(question ->> 'answer_type', '') not in ('free_text', 'number', 'yes_no', 'one_of', 'date', 'scale_1_5') then
        field := field || '.answer_type'; problem := 'must be one of free_text, number, yes_no, one_of, date, scale_1_5';
      elsif (question ->> 'answer_type') = 'one_of' and (
              pg_catalog.jsonb_typeof(question -> 'options') is distinct from 'array'
              or pg_catalog.jsonb_array_length(question -> 'options') not between 2 and 20
              or exists (select from pg_catalog.jsonb_array_elements(question -> 'options') o
                         where pg_catalog.jsonb_typeof(o) <> 'string' or char_length(btrim(o #>> '{}')) not between 1 and 100)
              or (select count(distinct lower(btrim(o))) from pg_catalog.jsonb_array_elements_text(question -> 'options') o)
                 <> pg_catalog.jsonb_array_length(question -> 'options')) then
        field := field || '.options'; problem := 'must be 2-20 different texts of 1-100 characters';
      elsif (question ->> 'answer_type') <> 'one_of' and question ? 'options' then
        field := field || '.options'; problem := 'only one_of questions have options';
      elsif question ? 'required' and pg_catalog.jsonb_typeof(question -> 'required') <> 'boolean' then
        field := field || '.required'; problem := 'must be true or false';
      elsif question ? 'follow_up' and (
              pg_catalog.jsonb_typeof(question -> 'follow_up') <> 'object'
              or exists (select from pg_catalog.jsonb_object_keys(question -> 'follow_up') k where k not in ('ask', 'when'))
              or pg_catalog.jsonb_typeof(question #> '{follow_up,ask}') is distinct from 'string'
              or char_length(btrim(question #>> '{follow_up,ask}')) not between 1 and 500
              or (question -> 'follow_up' ? 'when' and (
                    pg_catalog.jsonb_typeof(question #> '{follow_up,when}') <> 'string'
                    or char_length(btrim(question #>> '{follow_up,when}')) not between 1 and 100))) then
        field := field || '.follow_up'; problem := 'must be {ask: a text of 1-500 characters, when?: an answer of 1-100 characters}';
      end if;
      exit when problem is not null;
      seen_ids := seen_ids || (question ->> 'id');
      question_index := question_index + 1;
    end loop;
  end if;
  if problem is not null then
    raise exception using errcode = '22023', constraint = 'project_questions_invalid', column = 'questions',
      message = format('the script is not valid: %s %s', field, problem),
      detail = pg_catalog.jsonb_build_object('field', field, 'problem', problem)::text,
      hint = 'Each question needs an id, a text and an answer type; one_of questions need their options.';
  end if;
end;
$$;
comment on function private.assert_project_questions(jsonb) is
  'Raises project_questions_invalid (naming the field) unless the value is a valid interview script.';

/*
 * A project's rules, before each insert and update: the inbox and the team are the project's
 * company's; the script is valid, and fixed once the project leaves draft; a new project starts
 * as a draft; status moves only draft → active ⇄ paused → completed (or draft → completed), only
 * by owners and admins (manage_inboxes) or the service, and to active only with an inbox, an
 * invitation and at least one question. Security definer with a reason: it reads inboxes and teams
 * whatever the caller may see, so a foreign id is refused rather than hidden.
 */
create or replace function private.guard_project()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  missing text[] := '{}';
begin
  if new.inbox_id is not null and (tg_op = 'INSERT' or new.inbox_id is distinct from old.inbox_id)
     and not exists (select from public.inboxes i where i.id = new.inbox_id and i.tenant_id = new.tenant_id) then
    raise exception using errcode = '22023', constraint = 'project_inbox_not_in_tenant', column = 'inbox_id',
      message = 'the inbox is not one of this company''s inboxes', detail = pg_catalog.jsonb_build_object('field', 'inbox_id')::text;
  end if;
  if new.responder_team_id is not null and (tg_op = 'INSERT' or new.responder_team_id is distinct from old.responder_team_id)
     and not exists (select from public.teams t where t.id = new.responder_team_id and t.tenant_id = new.tenant_id) then
    raise exception using errcode = '22023', constraint = 'project_team_not_in_tenant', column = 'responder_team_id',
      message = 'the team is not one of this company''s teams', detail = pg_catalog.jsonb_build_object('field', 'responder_team_id')::text;
  end if;
  if tg_op = 'INSERT' or new.questions is distinct from old.questions then
    perform private.assert_project_questions(new.questions);
  end if;
  if tg_op = 'UPDATE' and new.questions is distinct from old.questions and old.status <> 'draft' then
    raise exception using errcode = '22023', constraint = 'project_questions_locked', column = 'questions',
      message = 'the script cannot change once the project has left draft: its interviews answer these questions',
      detail = pg_catalog.jsonb_build_object('field', 'questions', 'status', old.status)::text,
      hint = 'Create a new project with the changed script.';
  end if;

  if tg_op = 'INSERT' and new.status <> 'draft' and not private.is_trusted_caller() then
    raise exception using errcode = '22023', constraint = 'project_status_transition', column = 'status',
      message = 'a new project starts as a draft', detail = pg_catalog.jsonb_build_object('field', 'status', 'to', new.status)::text;
  end if;
  if tg_op = 'UPDATE' and new.status is distinct from old.status then
    if not private.is_trusted_caller() and not private.has_capability(new.tenant_id, 'manage_inboxes') then
      raise exception using errcode = '42501', constraint = 'projects_run_by_inbox_managers',
        message = 'only owners and admins activate, pause and complete projects: they send from the company''s numbers',
        detail = pg_catalog.jsonb_build_object('field', 'status')::text;
    end if;
    if (old.status, new.status) not in (('draft', 'active'), ('draft', 'completed'), ('active', 'paused'),
                                         ('active', 'completed'), ('paused', 'active'), ('paused', 'completed')) then
      raise exception using errcode = '22023', constraint = 'project_status_transition', column = 'status',
        message = format('a project cannot go from %s to %s', old.status, new.status),
        detail = pg_catalog.jsonb_build_object('field', 'status', 'from', old.status, 'to', new.status)::text,
        hint = 'Projects go draft → active ⇄ paused → completed.';
    end if;
  end if;
  if new.status = 'active' and (tg_op = 'INSERT' or old.status is distinct from 'active') then
    if new.inbox_id is null then missing := array_append(missing, 'inbox_id'); end if;
    if new.invitation_text is null then missing := array_append(missing, 'invitation_text'); end if;
    if pg_catalog.jsonb_array_length(new.questions) = 0 then missing := array_append(missing, 'questions'); end if;
    if cardinality(missing) > 0 then
      raise exception using errcode = '22023', constraint = 'project_not_launchable', column = missing[1],
        message = format('the project cannot go active without %s', array_to_string(missing, ', ')),
        detail = pg_catalog.jsonb_build_object('field', missing[1], 'missing', missing)::text,
        hint = 'Choose the inbox it sends from, write the invitation and at least one question.';
    end if;
    new.launched_at := coalesce(new.launched_at, now());
  end if;
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status is distinct from 'completed') then
    new.completed_at := now();
  end if;
  return new;
end;
$$;

-- Only drafts are deleted: a launched project's interviews and answers are the company's record
-- (a company's deletion still takes them: that delete cascades from a trigger).
create or replace function private.guard_project_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.status <> 'draft' and pg_catalog.pg_trigger_depth() = 1 then
    raise exception using errcode = '22023', constraint = 'project_not_draft',
      message = format('a %s project cannot be deleted: its interviews are the company''s record', old.status),
      detail = pg_catalog.jsonb_build_object('status', old.status)::text,
      hint = 'Complete the project instead.';
  end if;
  return old;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger projects_touch_updated_at before update on public.projects
  for each row execute function private.touch_updated_at();
create trigger projects_guard_immutable before update on public.projects
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'created_by', 'created_at');
create trigger projects_guard before insert or update on public.projects
  for each row execute function private.guard_project();
create trigger projects_guard_delete before delete on public.projects
  for each row execute function private.guard_project_delete();
create trigger projects_guard_writable before insert or update or delete on public.projects
  for each row execute function private.guard_tenant_writable();
create trigger projects_audit after insert or update or delete on public.projects
  for each row execute function private.audit_row_change();

create trigger interviews_touch_updated_at before update on public.interviews
  for each row execute function private.touch_updated_at();
create trigger interviews_guard_immutable before update on public.interviews
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'project_id', 'contact_id', 'created_at');
-- People's decisions on an interview (cancel, resend) are audited; the service's progress is not.
create trigger interviews_audit_people after update on public.interviews
  for each row when (old.status is distinct from new.status and new.status in ('cancelled', 'pending'))
  execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.projects enable row level security;
alter table public.interviews enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenant's projects" on public.projects
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "conversation handlers create their tenant's projects" on public.projects
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'handle_conversations')));
create policy "conversation handlers change their tenant's projects" on public.projects
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'handle_conversations')))
  with check ((select private.has_capability(tenant_id, 'handle_conversations')));
create policy "conversation handlers delete their tenant's projects" on public.projects
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'handle_conversations')));

create policy "members read their tenant's interviews" on public.interviews
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.projects from anon, authenticated;
revoke all on public.interviews from anon, authenticated;
grant select on public.projects to authenticated;
grant insert (tenant_id, name, description, type, inbox_id, responder_team_id, questions, invitation_text, reminder_text,
              time_zone, sending_hours, send_rate_per_minute, timeout_hours, reminder_after_hours) on public.projects to authenticated;
grant update (name, description, type, status, inbox_id, responder_team_id, questions, invitation_text, reminder_text,
              time_zone, sending_hours, send_rate_per_minute, timeout_hours, reminder_after_hours) on public.projects to authenticated;
grant delete on public.projects to authenticated;
grant select on public.interviews to authenticated;
