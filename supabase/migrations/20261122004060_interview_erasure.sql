-- interview erasure (LGPD): what a contact's interviews keep when the contact's personal data is
-- erased (private.erase_contact_personal_data, admin commands, calls this). Typed answers that
-- are not the contact's own words — numbers, yes/no, options, dates, 1-5 — stay, so the project's
-- counts, distributions and averages still hold; free-text answers, the summary, the metadata and
-- a cancellation's reason (people may have written the contact's details there) are emptied. An
-- erased free-text answer keeps that it was answered: {"value": null, "erased": true, answered_at}.
--
-- Who may do what: called by the erasure only (the service role; no person executes it).

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Erases the personal parts of every interview of `target_contact_id` (see the opening comment).
 * Answers how many interviews it touched. Callers check rights first.
 */
create or replace function private.erase_contact_interview_data(target_contact_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  touched integer;
begin
  update public.interviews i
  set answers = (
        select coalesce(pg_catalog.jsonb_object_agg(a.key,
                 case when coalesce(q.question ->> 'answer_type', 'free_text') = 'free_text'
                      then pg_catalog.jsonb_build_object('value', null, 'erased', true, 'answered_at', a.value -> 'answered_at')
                      else a.value end), '{}')
        from pg_catalog.jsonb_each(i.answers) a
        left join lateral (select qq as question from pg_catalog.jsonb_array_elements(p.questions) qq where qq ->> 'id' = a.key limit 1) q on true),
      summary = null,
      metadata = '{}',
      cancel_reason = case when i.cancel_reason is null then null else '[erased]' end
  from public.projects p
  where p.id = i.project_id and i.contact_id = target_contact_id;
  get diagnostics touched = row_count;
  return touched;
end;
$$;
comment on function private.erase_contact_interview_data(uuid) is
  'LGPD erasure: a contact''s interviews lose free-text answers, summary, metadata and cancel reason; typed answers stay for the aggregates.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.erase_contact_interview_data(uuid) from public, anon, authenticated;
grant execute on function private.erase_contact_interview_data(uuid) to service_role;
