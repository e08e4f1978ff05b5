-- Interview answers: each answer type's words read into typed values (numbers in the Brazilian and
-- English ways, yes/no in Portuguese and English, options by name or number, ISO and DD/MM/YYYY
-- dates, a 1-5 scale), wrong-typed answers refused with interview_answer_invalid (what the tool
-- hands back to the model so it asks again), and completion when every required question has a
-- valid answer. Only the service records answers.
begin;
set search_path to public, extensions, tests;

select plan(40);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
insert into public.contacts (tenant_id, phone, name) values (tests.tenant_id('tenant-a'), '+5511988887777', 'Ana');
insert into public.projects (tenant_id, name, inbox_id, invitation_text, questions) values (tests.tenant_id('tenant-a'), 'Pós-venda', tests.inbox_id('Line A'),
  'Olá!', '[
    {"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"},
    {"id": "recommend", "text": "Recomendaria?", "answer_type": "yes_no"},
    {"id": "channel", "text": "Como nos conheceu?", "answer_type": "one_of", "options": ["Instagram", "Indicação", "Google"]},
    {"id": "comment", "text": "Algo mais?", "answer_type": "free_text", "required": false}
  ]');
update public.projects set status = 'active' where name = 'Pós-venda';
insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at)
values (tests.tenant_id('tenant-a'), (select id from public.projects where name = 'Pós-venda'), tests.contact_id('tenant-a', '+5511988887777'), 'invited', now());

create temporary table q on commit drop as select
  '{"answer_type": "number"}'::jsonb as number_q, '{"answer_type": "yes_no"}'::jsonb as yes_no_q,
  '{"answer_type": "one_of", "options": ["Instagram", "Indicação", "Google"]}'::jsonb as one_of_q,
  '{"answer_type": "date"}'::jsonb as date_q, '{"answer_type": "scale_1_5"}'::jsonb as scale_q, '{"answer_type": "free_text"}'::jsonb as text_q;

-- ─── reading answers by type ─────────────────────────────────────────────────────────────────
select is(private.parse_interview_answer((select number_q from q), ' 42 '), '42'::jsonb, 'a number');
select is(private.parse_interview_answer((select number_q from q), '1.234,56'), '1234.56'::jsonb, 'a number written the Brazilian way');
select is(private.parse_interview_answer((select number_q from q), '1,234.56'), '1234.56'::jsonb, 'a number written the English way');
select is(private.parse_interview_answer((select number_q from q), '-1,5'), '-1.5'::jsonb, 'a decimal comma');
select is(private.parse_interview_answer((select number_q from q), 'doze'), null, 'words are not a number');
select is(private.parse_interview_answer((select yes_no_q from q), 'Sim!'), 'true'::jsonb, 'sim is yes');
select is(private.parse_interview_answer((select yes_no_q from q), 'NÃO'), 'false'::jsonb, 'não (any case, with its accent) is no');
select is(private.parse_interview_answer((select yes_no_q from q), 'nao'), 'false'::jsonb, 'nao (without the accent) is no');
select is(private.parse_interview_answer((select yes_no_q from q), 'yes'), 'true'::jsonb, 'yes is yes');
select is(private.parse_interview_answer((select yes_no_q from q), 'no'), 'false'::jsonb, 'no is no');
select is(private.parse_interview_answer((select yes_no_q from q), 'talvez'), null, 'maybe is neither');
select is(private.parse_interview_answer((select one_of_q from q), 'indicacao'), '"Indicação"'::jsonb, 'an option matched ignoring case and accents, stored as written');
select is(private.parse_interview_answer((select one_of_q from q), '3'), '"Google"'::jsonb, 'an option by its number');
select is(private.parse_interview_answer((select one_of_q from q), '4'), null, 'a number past the options is not one');
select is(private.parse_interview_answer((select one_of_q from q), 'TikTok'), null, 'an answer that is no option is refused');
select is(private.parse_interview_answer((select date_q from q), '2026-03-15'), '"2026-03-15"'::jsonb, 'an ISO date');
select is(private.parse_interview_answer((select date_q from q), '5/3/2026'), '"2026-03-05"'::jsonb, 'a date as DD/MM/YYYY');
select is(private.parse_interview_answer((select date_q from q), '2026-02-30'), null, 'a day that does not exist is refused');
select is(private.parse_interview_answer((select date_q from q), 'amanhã'), null, 'words are not a date');
select is(private.parse_interview_answer((select scale_q from q), '5'), '5'::jsonb, 'a scale of 5');
select is(private.parse_interview_answer((select scale_q from q), '6'), null, '6 is off the scale');
select is(private.parse_interview_answer((select scale_q from q), '3.5'), null, 'the scale is whole numbers');
select is(private.parse_interview_answer((select text_q from q), '  Muito bom  '), '"Muito bom"'::jsonb, 'free text, trimmed');
select is(private.parse_interview_answer((select text_q from q), repeat('x', 2001)), null, 'free text has at most 2000 characters');

-- ─── as a member: answers are the service's ──────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok(format($$ select private.record_interview_answer(%L, 'score', '5') $$, (select id from public.interviews)),
  '42501', null, 'people do not record answers');
select throws_ok($$ update public.interviews set answers = '{"score": {"value": 5}}' $$, '42501', null, 'nor write them on the interview');

-- ─── as service: recording ───────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(tests.raised(format($$ select private.record_interview_answer(%L, 'score', 'ótimo') $$, (select id from public.interviews))),
  '{"state": "22023", "code": "interview_answer_invalid", "detail": {"question_id": "score", "answer_type": "scale_1_5", "expected": "a whole number from 1 to 5"}}'::jsonb,
  'a wrong-typed answer is refused, saying what fits');
select is((select status::text from public.interviews), 'invited', 'and changes nothing');
select is(private.record_interview_answer((select id from public.interviews), 'score', '4') - 'answers',
  jsonb_build_object('interview_id', (select id from public.interviews), 'status', 'in_progress',
    'next_question', '{"id": "recommend", "text": "Recomendaria?", "answer_type": "yes_no"}'::jsonb),
  'a valid answer is recorded: the interview is in progress and the next question follows');
select isnt((select started_at from public.interviews), null, 'started_at is set');
select is((select answers #> '{score,value}' from public.interviews), '4'::jsonb, 'the answer is stored typed');
select is(tests.error_code(format($$ select private.record_interview_answer(%L, 'age', '30') $$, (select id from public.interviews))),
  'interview_question_unknown', 'a question the script does not have is refused');
select is(tests.error_code(format($$ select private.record_interview_answer(%L, 'recommend', '') $$, (select id from public.interviews))),
  'interview_answer_invalid', 'a required question is not skipped');
select is((private.record_interview_answer((select id from public.interviews), 'comment', '') #> '{answers,comment}') - 'answered_at',
  '{"value": null, "skipped": true}'::jsonb, 'an optional question is skipped with an empty answer');
select is(private.record_interview_answer((select id from public.interviews), 'recommend', 'sim') ->> 'status', 'in_progress', 'one required question still open');
select is(private.record_interview_answer((select id from public.interviews), 'channel', 'instagram') -> 'next_question', 'null'::jsonb,
  'the last required answer leaves no question');
select is((select status::text from public.interviews), 'completed', 'and completes the interview');
select isnt((select completed_at from public.interviews), null, 'completed_at is set');
select is(tests.error_code(format($$ select private.record_interview_answer(%L, 'score', '5') $$, (select id from public.interviews))),
  'interview_not_active', 'a completed interview takes no more answers');
select is(tests.error_code(format($$ select private.record_interview_answer(%L, 'score', '5') $$, gen_random_uuid())),
  'interview_not_found', 'an interview that is not there');

select * from finish();
rollback;
