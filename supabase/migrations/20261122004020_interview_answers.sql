-- interview answers: what a contact answered, checked against the question's answer type here in
-- the database, whoever records it (the built-in tool `record_interview_answer` during the
-- interview's turns). A wrong-typed answer is refused with interview_answer_invalid, which the tool
-- hands back to the model so it asks again; the interview completes when every required question
-- has a valid answer.
--
-- Stored answers, per question id: {"value": <typed>, "answered_at": "<timestamptz>"}, with value
--   free_text   the text, trimmed (1-2000 characters)
--   number      a JSON number ("12", "-3.5", "1.234,56" and "1,5" in the Brazilian way)
--   yes_no      true or false (sim/não, s/n, yes/no, y/n, true/false, ok, claro, nope, ...)
--   one_of      the option as the script writes it (matched ignoring case, accents and spaces,
--               or by its number 1..n)
--   date        an ISO date "YYYY-MM-DD" (also read from DD/MM/YYYY)
--   scale_1_5   a whole number 1..5
-- An optional question may be skipped: value null, "skipped": true.
--
-- Who may do what:
--   service   records answers (private.record_interview_answer)
--   people    read them on the interview (RLS of public.interviews)

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Lower-case, accents removed, inner spaces collapsed: how answers are compared with words.
create or replace function private.answer_words(raw text)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.regexp_replace(
    pg_catalog.translate(lower(btrim(raw)), 'áàâãäéèêëíìîïóòôõöúùûüçñ', 'aaaaaeeeeiiiiooooouuuucn'),
    '\s+', ' ', 'g');
$$;

/*
 * The answer `raw` to `question` (one script entry) as its typed JSON value, or null when it does
 * not fit the question's answer type. Pure: the same text always gives the same value.
 */
create or replace function private.parse_interview_answer(question jsonb, raw text)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  answer text := btrim(coalesce(raw, ''));
  words text := private.answer_words(coalesce(raw, ''));
  digits text;
  parsed_date date;
  day_parts text[];
  option_number integer;
begin
  if answer = '' then
    return null;
  end if;
  case question ->> 'answer_type'
    when 'free_text' then
      return case when char_length(answer) <= 2000 then pg_catalog.to_jsonb(answer) end;
    when 'number' then
      digits := pg_catalog.regexp_replace(answer, '\s', '', 'g');
      if digits ~ '^-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$' then          -- 1.234,56
        digits := replace(replace(digits, '.', ''), ',', '.');
      elsif digits ~ '^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$' then       -- 1,234.56
        digits := replace(digits, ',', '');
      elsif digits ~ '^-?[0-9]+,[0-9]+$' then                           -- 1,5
        digits := replace(digits, ',', '.');
      end if;
      return case when digits ~ '^-?[0-9]{1,15}(\.[0-9]{1,6})?$' then pg_catalog.to_jsonb(digits::numeric) end;
    when 'yes_no' then
      words := pg_catalog.regexp_replace(words, '[.!?]+$', '');
      return case
        when words in ('sim', 's', 'yes', 'y', 'true', 'ok', 'claro', 'com certeza', 'isso', 'sim sim', 'yeah', 'yep', 'sure', 'certo') then 'true'::jsonb
        when words in ('nao', 'n', 'no', 'false', 'nope', 'nao nao', 'negativo', 'de jeito nenhum', 'nah') then 'false'::jsonb
      end;
    when 'one_of' then
      if answer ~ '^[0-9]{1,2}$' then
        option_number := answer::integer;
        return case when option_number between 1 and pg_catalog.jsonb_array_length(question -> 'options')
                    then question -> 'options' -> (option_number - 1) end;
      end if;
      return (select o from pg_catalog.jsonb_array_elements(question -> 'options') o
              where private.answer_words(o #>> '{}') = words limit 1);
    when 'date' then
      day_parts := pg_catalog.regexp_match(answer, '^([0-9]{4})-([0-9]{2})-([0-9]{2})$');
      if day_parts is null then
        day_parts := (select array[m[3], m[2], m[1]] from pg_catalog.regexp_match(answer, '^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$') m);
      end if;
      if day_parts is null then
        return null;
      end if;
      begin
        -- make_date refuses 2026-02-30 where to_date would roll it over to March.
        parsed_date := pg_catalog.make_date(day_parts[1]::integer, day_parts[2]::integer, day_parts[3]::integer);
      exception when datetime_field_overflow or invalid_datetime_format then
        return null;
      end;
      return pg_catalog.to_jsonb(pg_catalog.to_char(parsed_date, 'YYYY-MM-DD'));
    when 'scale_1_5' then
      return case when answer ~ '^[1-5]$' then pg_catalog.to_jsonb(answer::integer) end;
    else
      return null;
  end case;
end;
$$;
comment on function private.parse_interview_answer(jsonb, text) is
  'The answer text as the question''s typed JSON value (number, boolean, option, ISO date, 1-5, text), or null when it does not fit.';

-- What an answer of this question should look like, for the model and for people.
create or replace function private.expected_interview_answer(question jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case question ->> 'answer_type'
    when 'free_text' then 'a text of 1-2000 characters'
    when 'number' then 'a number'
    when 'yes_no' then 'yes or no'
    when 'one_of' then 'one of: ' || (select string_agg(o, ', ') from pg_catalog.jsonb_array_elements_text(question -> 'options') o)
    when 'date' then 'a date (YYYY-MM-DD)'
    when 'scale_1_5' then 'a whole number from 1 to 5'
  end;
$$;

-- The first question of the script without an answer (in the script's order), or null when all have one.
create or replace function private.next_interview_question(questions jsonb, answers jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select q from pg_catalog.jsonb_array_elements(questions) with ordinality as s (q, n)
  where not answers ? (q ->> 'id')
  order by n
  limit 1;
$$;

-- True when every required question (required is true unless the script says false) has a value.
create or replace function private.interview_is_complete(questions jsonb, answers jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not exists (
    select from pg_catalog.jsonb_array_elements(questions) q
    where coalesce((q ->> 'required')::boolean, true)
      and coalesce(pg_catalog.jsonb_typeof(answers #> array[q ->> 'id', 'value']), 'null') = 'null');
$$;

/*
 * Records the contact's answer `raw_value` to question `question_id` of an interview that is
 * invited or in progress (pending too: a contact may write before the invitation goes). The value
 * is checked against the question's answer type and stored typed; the interview is then in
 * progress, or completed (completed_at) when every required question has a valid answer. An empty
 * value skips an optional question. Answering a question again replaces the earlier answer.
 * Returns {interview_id, status, answers, next_question} (next_question null when none is left).
 * Service side (the built-in tool). Raises interview_not_found (P0002), interview_not_active
 * (the interview has ended), interview_question_unknown, interview_answer_invalid (22023, detail
 * {question_id, answer_type, expected}).
 */
create or replace function private.record_interview_answer(interview_id uuid, question_id text, raw_value text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  interview public.interviews;
  questions jsonb;
  question jsonb;
  value jsonb;
  answer jsonb;
  new_answers jsonb;
  done boolean;
begin
  select i.* into interview from public.interviews i where i.id = record_interview_answer.interview_id for update;
  if not found then
    raise exception using errcode = 'P0002', constraint = 'interview_not_found',
      message = 'no interview with this id', detail = pg_catalog.jsonb_build_object('interview_id', record_interview_answer.interview_id)::text;
  end if;
  if interview.status not in ('pending', 'invited', 'in_progress') then
    raise exception using errcode = '22023', constraint = 'interview_not_active',
      message = format('the interview is %s: it takes no more answers', interview.status),
      detail = pg_catalog.jsonb_build_object('interview_id', interview.id, 'status', interview.status)::text;
  end if;
  select p.questions into questions from public.projects p where p.id = interview.project_id;
  select q into question from pg_catalog.jsonb_array_elements(questions) q where q ->> 'id' = record_interview_answer.question_id;
  if question is null then
    raise exception using errcode = '22023', constraint = 'interview_question_unknown',
      message = format('the script has no question %s', coalesce(record_interview_answer.question_id, 'null')),
      detail = pg_catalog.jsonb_build_object('question_id', record_interview_answer.question_id,
        'question_ids', (select pg_catalog.jsonb_agg(q -> 'id') from pg_catalog.jsonb_array_elements(questions) q))::text;
  end if;

  if btrim(coalesce(raw_value, '')) = '' and not coalesce((question ->> 'required')::boolean, true) then
    answer := pg_catalog.jsonb_build_object('value', null, 'skipped', true, 'answered_at', now());
  else
    value := private.parse_interview_answer(question, raw_value);
    if value is null then
      raise exception using errcode = '22023', constraint = 'interview_answer_invalid',
        message = format('the answer to %s must be %s', question ->> 'id', private.expected_interview_answer(question)),
        detail = pg_catalog.jsonb_build_object('question_id', question ->> 'id', 'answer_type', question ->> 'answer_type',
          'expected', private.expected_interview_answer(question))::text,
        hint = 'Ask the question again, saying what kind of answer fits.';
    end if;
    answer := pg_catalog.jsonb_build_object('value', value, 'answered_at', now());
  end if;

  new_answers := interview.answers || pg_catalog.jsonb_build_object(question ->> 'id', answer);
  done := private.interview_is_complete(questions, new_answers);
  update public.interviews i set
    answers = new_answers,
    status = case when done then 'completed' else 'in_progress' end::public.interview_status,
    invited_at = coalesce(i.invited_at, now()),
    started_at = coalesce(i.started_at, now()),
    completed_at = case when done then now() end
  where i.id = interview.id;

  return pg_catalog.jsonb_build_object(
    'interview_id', interview.id,
    'status', case when done then 'completed' else 'in_progress' end,
    'answers', new_answers,
    'next_question', private.next_interview_question(questions, new_answers));
end;
$$;
comment on function private.record_interview_answer(uuid, text, text) is
  'Service side: stores a typed answer (checked against the answer type) and completes the interview when every required question is answered.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.answer_words(text) to service_role;
grant execute on function private.parse_interview_answer(jsonb, text) to service_role;
grant execute on function private.expected_interview_answer(jsonb) to service_role;
grant execute on function private.next_interview_question(jsonb, jsonb) to service_role;
grant execute on function private.interview_is_complete(jsonb, jsonb) to service_role;
grant execute on function private.record_interview_answer(uuid, text, text) to service_role;
