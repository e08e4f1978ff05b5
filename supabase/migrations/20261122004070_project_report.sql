-- project report: a project's live figures, read from the interview rows only (never the
-- messages): interviews per status, the completion rate (completed over those not cancelled), and
-- per question how many answered, the distribution of choices (one_of, yes_no, scale_1_5) and
-- for numbers and scales the average, minimum and maximum. Skipped and erased answers are not
-- counted as values.
--
-- Who may do what: whoever reads the project (members and analysts of its company, RLS) reads its
-- report; security invoker, so RLS decides.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The report of `target_project_id` (see the opening comment) as jsonb: {project_id, interviews:
 * {total, pending, invited, in_progress, completed, cancelled, expired}, completion_rate (0-1, null
 * with nothing to count), questions: [{id, text, answer_type, answered, distribution?, average?,
 * min?, max?}]}. Raises project_not_found (P0002) when the caller cannot read the project.
 */
create or replace function public.project_report(target_project_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  project public.projects;
  counts jsonb;
  per_question jsonb;
begin
  select p.* into project from public.projects p where p.id = target_project_id;
  if project.id is null then
    raise exception using errcode = 'P0002', constraint = 'project_not_found', message = 'project not found';
  end if;
  select pg_catalog.jsonb_build_object(
           'total', count(*),
           'pending', count(*) filter (where i.status = 'pending'),
           'invited', count(*) filter (where i.status = 'invited'),
           'in_progress', count(*) filter (where i.status = 'in_progress'),
           'completed', count(*) filter (where i.status = 'completed'),
           'cancelled', count(*) filter (where i.status = 'cancelled'),
           'expired', count(*) filter (where i.status = 'expired'))
  into counts
  from public.interviews i where i.project_id = project.id;

  select coalesce(pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('id', q.question ->> 'id', 'text', q.question ->> 'text', 'answer_type', q.question ->> 'answer_type',
                                         'answered', s.answered)
           || case when q.question ->> 'answer_type' in ('one_of', 'yes_no', 'scale_1_5')
                   then pg_catalog.jsonb_build_object('distribution', coalesce(d.distribution, '{}')) else '{}' end
           || case when q.question ->> 'answer_type' in ('number', 'scale_1_5')
                   then pg_catalog.jsonb_build_object('average', s.average, 'min', s.min_value, 'max', s.max_value) else '{}' end
           order by q.n), '[]')
  into per_question
  from pg_catalog.jsonb_array_elements(project.questions) with ordinality as q (question, n)
  cross join lateral (
    select count(v.value) as answered,
           round(avg((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number'), 2) as average,
           min((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number') as min_value,
           max((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number') as max_value
    from public.interviews i
    cross join lateral (select nullif(i.answers #> array[q.question ->> 'id', 'value'], 'null'::jsonb) as value) v
    where i.project_id = project.id
  ) s
  cross join lateral (
    select pg_catalog.jsonb_object_agg(c.choice, c.how_many) as distribution
    from (select i.answers #>> array[q.question ->> 'id', 'value'] as choice, count(*) as how_many
          from public.interviews i
          where i.project_id = project.id and coalesce(pg_catalog.jsonb_typeof(i.answers #> array[q.question ->> 'id', 'value']), 'null') <> 'null'
          group by 1) c
  ) d;

  return pg_catalog.jsonb_build_object(
    'project_id', project.id,
    'interviews', counts,
    'completion_rate', case when (counts ->> 'total')::integer - (counts ->> 'cancelled')::integer > 0
                            then round((counts ->> 'completed')::numeric / ((counts ->> 'total')::integer - (counts ->> 'cancelled')::integer), 4) end,
    'questions', per_question);
end;
$$;
comment on function public.project_report(uuid) is
  'Whoever reads the project: interviews per status, completion rate, per question answered count, choice distribution, average/min/max. Raises project_not_found.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function public.project_report(uuid) to authenticated;
