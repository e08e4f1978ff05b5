-- launching projects and deciding on interviews: the people's side of interviews.
--   public.launch_project               owners and admins: one pending interview per chosen contact
--   public.cancel_interview             owners and admins of the company, platform admins
--   public.resend_interview_invitation  owners and admins of the company, platform admins
-- Pending interviews are invited by the service at the project's rate inside its sending hours.
-- Contacts who are blocked, or who opted out of messages (contacts.opted_out_at, replies #13),
-- are never given an interview.
--
-- Security definer with a reason: interviews have no insert or update grant for people (their
-- status and answers belong to the service); these functions check the caller's rights
-- themselves, then write.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- True when the contact may receive messages a company starts: not blocked, not opted out. The
-- opt-out column arrives with the replies migrations; read through to_jsonb so this holds before
-- and after it exists.
create or replace function private.contact_is_reachable(contact public.contacts)
returns boolean
language sql
stable
set search_path = ''
as $$
  select contact.status <> 'blocked'
     and coalesce(pg_catalog.jsonb_typeof(pg_catalog.to_jsonb(contact) -> 'opted_out_at'), 'null') = 'null';
$$;

/*
 * The project the caller may run interviews of: owners and admins of its company (manage_inboxes),
 * and platform admins when `platform_admins_too`. Raises project_not_found (P0002) when the caller
 * cannot see it, projects_run_by_inbox_managers (42501) when they see it without the right.
 */
create or replace function private.project_run_by_caller(target_project_id uuid, platform_admins_too boolean)
returns public.projects
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  project public.projects;
begin
  select p.* into project from public.projects p where p.id = target_project_id;
  if project.id is null or not (private.is_member(project.tenant_id) or (platform_admins_too and private.is_platform_admin())) then
    raise exception using errcode = 'P0002', constraint = 'project_not_found',
      message = 'no project with this id in your companies', detail = pg_catalog.jsonb_build_object('project_id', target_project_id)::text;
  end if;
  if not (private.has_capability(project.tenant_id, 'manage_inboxes') or (platform_admins_too and private.is_platform_admin())) then
    raise exception using errcode = '42501', constraint = 'projects_run_by_inbox_managers',
      message = 'only owners and admins launch projects and decide on interviews: they send from the company''s numbers',
      detail = pg_catalog.jsonb_build_object('project_id', project.id)::text;
  end if;
  return project;
end;
$$;
comment on function private.project_run_by_caller(uuid, boolean) is
  'The project when the caller may launch it or decide on its interviews; raises project_not_found or projects_run_by_inbox_managers.';

/*
 * Launches a project to a selection of its company's contacts: one pending interview per contact
 * (a contact already in the project keeps the one it has), skipping blocked and opted-out contacts.
 * `selection` is an object with at least one of, all applying together:
 *   tags_any       contacts with any of these tags      tags_all       with all of these tags
 *   contact_ids    these contacts (at most 10,000)      phone_prefix   whose phone starts so ("+5511")
 *   name_contains  whose name contains this text        all            true: every contact
 * A draft project goes active (it must have an inbox, an invitation and a question); a paused one
 * keeps its interviews pending until it resumes; a completed one refuses. At most 10,000 contacts
 * per launch. Owners and admins (manage_inboxes). Returns {project_id, matched, created,
 * already_in_project, skipped_blocked, skipped_opted_out, unknown_contact_ids}. Raises
 * project_not_found, projects_run_by_inbox_managers, project_completed, launch_selection_invalid,
 * launch_selection_too_large, project_not_launchable, tenant_read_only.
 */
create or replace function public.launch_project(target_project_id uuid, selection jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  project public.projects := private.project_run_by_caller(target_project_id, false);
  wanted_ids uuid[];
  tags_any text[];
  tags_all text[];
  matched integer;
  created integer;
  skipped_blocked integer;
  skipped_opted_out integer;
  unknown_ids uuid[];
  matched_ids uuid[];
  reachable_ids uuid[];
begin
  perform private.assert_tenant_writable(project.tenant_id);
  if project.status = 'completed' then
    raise exception using errcode = '22023', constraint = 'project_completed',
      message = 'the project is completed: it takes no more contacts', detail = pg_catalog.jsonb_build_object('project_id', project.id)::text,
      hint = 'Create a new project for these contacts.';
  end if;
  if coalesce(pg_catalog.jsonb_typeof(selection) is distinct from 'object'
     or exists (select from pg_catalog.jsonb_object_keys(selection) k
                where k not in ('tags_any', 'tags_all', 'contact_ids', 'phone_prefix', 'name_contains', 'all'))
     or not (selection ?| array['tags_any', 'tags_all', 'contact_ids', 'phone_prefix', 'name_contains'] or selection -> 'all' = 'true'::jsonb)
     or (selection ? 'all' and pg_catalog.jsonb_typeof(selection -> 'all') <> 'boolean')
     or exists (select from unnest(array['tags_any', 'tags_all', 'contact_ids']) k
                where selection ? k and (pg_catalog.jsonb_typeof(selection -> k) <> 'array'
                  or exists (select from pg_catalog.jsonb_array_elements(selection -> k) e where pg_catalog.jsonb_typeof(e) <> 'string')))
     or exists (select from unnest(array['phone_prefix', 'name_contains']) k
                where selection ? k and (pg_catalog.jsonb_typeof(selection -> k) <> 'string' or char_length(selection ->> k) not between 1 and 100))
     or (selection ? 'contact_ids' and exists (
           select from pg_catalog.jsonb_array_elements_text(selection -> 'contact_ids') e
           where e !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')), true) then
    raise exception using errcode = '22023', constraint = 'launch_selection_invalid',
      message = 'the selection must say whom to invite: tags_any, tags_all, contact_ids (uuids), phone_prefix, name_contains, or all: true',
      detail = pg_catalog.jsonb_build_object('field', 'selection')::text;
  end if;
  if pg_catalog.jsonb_array_length(coalesce(selection -> 'contact_ids', '[]')) > 10000 then
    raise exception using errcode = '22023', constraint = 'launch_selection_too_large',
      message = 'a launch takes at most 10000 contacts', detail = pg_catalog.jsonb_build_object('limit', 10000)::text,
      hint = 'Launch in parts.';
  end if;
  wanted_ids := (select array_agg(e::uuid) from pg_catalog.jsonb_array_elements_text(selection -> 'contact_ids') e);
  tags_any := (select array_agg(lower(btrim(e))) from pg_catalog.jsonb_array_elements_text(selection -> 'tags_any') e);
  tags_all := (select array_agg(lower(btrim(e))) from pg_catalog.jsonb_array_elements_text(selection -> 'tags_all') e);

  select count(*), array_agg(m.id), array_agg(m.id) filter (where m.reachable),
         count(*) filter (where m.status = 'blocked'), count(*) filter (where m.status <> 'blocked' and not m.reachable)
    into matched, matched_ids, reachable_ids, skipped_blocked, skipped_opted_out
  from (select c.id, c.status, private.contact_is_reachable(c) as reachable
        from public.contacts c
        where c.tenant_id = project.tenant_id
          and (wanted_ids is null or c.id = any (wanted_ids))
          and (tags_any is null or c.tags && tags_any)
          and (tags_all is null or c.tags @> tags_all)
          and (selection ->> 'phone_prefix' is null or starts_with(c.phone, selection ->> 'phone_prefix'))
          and (selection ->> 'name_contains' is null
               or c.name operator(pg_catalog.~~*) ('%' || pg_catalog.regexp_replace(selection ->> 'name_contains', '([\\%_])', '\\\1', 'g') || '%'))
        limit 10001) m;
  if matched > 10000 then
    raise exception using errcode = '22023', constraint = 'launch_selection_too_large',
      message = 'the selection matches more than 10000 contacts: a launch takes at most 10000',
      detail = pg_catalog.jsonb_build_object('limit', 10000)::text, hint = 'Narrow the selection or launch in parts.';
  end if;

  if project.status = 'draft' then
    update public.projects p set status = 'active' where p.id = project.id;
  end if;
  insert into public.interviews (tenant_id, project_id, contact_id)
  select project.tenant_id, project.id, r from unnest(reachable_ids) r
  order by r
  on conflict (project_id, contact_id) do nothing;
  get diagnostics created = row_count;
  unknown_ids := (select array_agg(w order by w) from unnest(wanted_ids) w where w <> all (coalesce(matched_ids, '{}')));

  return pg_catalog.jsonb_build_object(
    'project_id', project.id,
    'matched', matched,
    'created', created,
    'already_in_project', matched - skipped_blocked - skipped_opted_out - created,
    'skipped_blocked', skipped_blocked,
    'skipped_opted_out', skipped_opted_out,
    'unknown_contact_ids', coalesce(pg_catalog.to_jsonb(unknown_ids[1:100]), '[]'));
end;
$$;
comment on function public.launch_project(uuid, jsonb) is
  'Owners and admins: pending interviews for the selected reachable contacts (tags, ids, phone prefix, name); activates a draft.';

-- The interview the caller may decide on, locked (project_run_by_caller with platform admins).
create or replace function private.interview_decided_by_caller(target_interview_id uuid)
returns public.interviews
language plpgsql
security definer
set search_path = ''
as $$
declare
  interview public.interviews;
begin
  select i.* into interview from public.interviews i where i.id = target_interview_id for update;
  if interview.id is null or not (private.is_member(interview.tenant_id) or private.is_platform_admin()) then
    raise exception using errcode = 'P0002', constraint = 'interview_not_found',
      message = 'no interview with this id in your companies', detail = pg_catalog.jsonb_build_object('interview_id', target_interview_id)::text;
  end if;
  perform private.project_run_by_caller(interview.project_id, true);
  perform private.assert_tenant_writable(interview.tenant_id);
  return interview;
end;
$$;

/*
 * Cancels an interview that has not ended (pending, invited, in progress), saying why: no more
 * messages or reminders go to the contact for it; its answers so far stay. Owners and admins of
 * its company and platform admins; audited. Returns the interview. Raises interview_not_found,
 * projects_run_by_inbox_managers, interview_cancel_reason_required, interview_not_cancellable.
 */
create or replace function public.cancel_interview(interview_id uuid, reason text)
returns public.interviews
language plpgsql
security definer
set search_path = ''
as $$
declare
  interview public.interviews := private.interview_decided_by_caller(cancel_interview.interview_id);
begin
  if char_length(btrim(coalesce(reason, ''))) not between 1 and 500 then
    raise exception using errcode = '22023', constraint = 'interview_cancel_reason_required',
      message = 'say why the interview is cancelled (1-500 characters)', detail = pg_catalog.jsonb_build_object('field', 'reason')::text;
  end if;
  if interview.status not in ('pending', 'invited', 'in_progress') then
    raise exception using errcode = '22023', constraint = 'interview_not_cancellable',
      message = format('the interview is %s already: only one that has not ended can be cancelled', interview.status),
      detail = pg_catalog.jsonb_build_object('interview_id', interview.id, 'status', interview.status)::text;
  end if;
  update public.interviews i set status = 'cancelled', ended_at = now(), cancel_reason = btrim(reason)
  where i.id = interview.id
  returning i.* into interview;
  return interview;
end;
$$;
comment on function public.cancel_interview(uuid, text) is
  'Owners and admins of the company, platform admins: cancels an interview that has not ended, with a reason (audited).';

/*
 * Sends an interview's invitation again: an invited interview nobody answered, or an expired one,
 * goes back to pending and the service invites it at the project's rate (a pending one stays as
 * it is). Not for interviews in progress, completed or cancelled, nor for contacts who are blocked
 * or opted out. Owners and admins of its company and platform admins; audited. Returns the
 * interview. Raises interview_not_found, projects_run_by_inbox_managers, interview_not_resendable,
 * contact_unreachable, project_completed.
 */
create or replace function public.resend_interview_invitation(interview_id uuid)
returns public.interviews
language plpgsql
security definer
set search_path = ''
as $$
declare
  interview public.interviews := private.interview_decided_by_caller(resend_interview_invitation.interview_id);
  contact public.contacts;
begin
  if interview.status not in ('pending', 'invited', 'expired') then
    raise exception using errcode = '22023', constraint = 'interview_not_resendable',
      message = format('the interview is %s: only an invitation nobody answered can be sent again', interview.status),
      detail = pg_catalog.jsonb_build_object('interview_id', interview.id, 'status', interview.status)::text;
  end if;
  if exists (select from public.projects p where p.id = interview.project_id and p.status = 'completed') then
    raise exception using errcode = '22023', constraint = 'project_completed',
      message = 'the project is completed: it sends no more invitations', detail = pg_catalog.jsonb_build_object('project_id', interview.project_id)::text;
  end if;
  select c.* into contact from public.contacts c where c.id = interview.contact_id;
  if not private.contact_is_reachable(contact) then
    raise exception using errcode = '22023', constraint = 'contact_unreachable',
      message = 'the contact is blocked or opted out of messages: no invitation goes to them',
      detail = pg_catalog.jsonb_build_object('contact_id', contact.id)::text;
  end if;
  if interview.status <> 'pending' then
    update public.interviews i set status = 'pending', invited_at = null, reminded_at = null, ended_at = null
    where i.id = interview.id
    returning i.* into interview;
  end if;
  return interview;
end;
$$;
comment on function public.resend_interview_invitation(uuid) is
  'Owners and admins of the company, platform admins: an unanswered or expired interview goes back to pending so it is invited again (audited).';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.contact_is_reachable(public.contacts) to service_role;
grant execute on function public.launch_project(uuid, jsonb) to authenticated;
grant execute on function public.cancel_interview(uuid, text) to authenticated;
grant execute on function public.resend_interview_invitation(uuid) to authenticated;
