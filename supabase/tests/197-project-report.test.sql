-- The project report: interviews per status, completion rate over those not cancelled, per
-- question the answered count, choice distributions (one_of, yes_no, scale) and number/scale
-- averages, read under RLS: the company's owner and analyst read it, another company's member and
-- anon do not.
begin;
set search_path to public, extensions, tests;

select plan(12);

select tests.create_two_tenants();
insert into public.projects (tenant_id, name, invitation_text, questions) values (tests.tenant_id('tenant-a'), 'NPS', 'Olá!', '[
  {"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"},
  {"id": "plan", "text": "Plano?", "answer_type": "one_of", "options": ["Básico", "Pro"]},
  {"id": "spend", "text": "Quanto gasta?", "answer_type": "number", "required": false},
  {"id": "why", "text": "Por quê?", "answer_type": "free_text", "required": false}]');
insert into public.contacts (tenant_id, phone) select tests.tenant_id('tenant-a'), '+55119888800' || lpad(n::text, 2, '0') from generate_series(1, 7) n;
insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at, completed_at, ended_at, cancel_reason, answers)
select tests.tenant_id('tenant-a'), (select id from public.projects where name = 'NPS'), tests.contact_id('tenant-a', v.phone), v.status::interview_status,
       case when v.status <> 'pending' then now() end, case when v.status = 'completed' then now() end,
       case when v.status = 'cancelled' then now() end, case when v.status = 'cancelled' then 'Duplicado' end, v.answers::jsonb
from (values
  ('+5511988880001', 'completed', '{"score": {"value": 5}, "plan": {"value": "Pro"}, "spend": {"value": 100}, "why": {"value": "Ótimo atendimento, muito rápido! O preço é bom."}}'),
  ('+5511988880002', 'completed', '{"score": {"value": 4}, "plan": {"value": "Pro"}, "spend": {"value": null, "skipped": true}, "why": {"value": "Otimo suporte; the support is great and fast"}}'),
  ('+5511988880003', 'in_progress', '{"score": {"value": 4}, "why": {"value": "ÓTIMO preço, mas o atendimento não é rápido"}}'),
  ('+5511988880004', 'cancelled', '{}'),
  ('+5511988880005', 'pending', '{}'),
  ('+5511988880006', 'completed', '{"why": {"value": null, "erased": true, "answered_at": "2026-11-22T10:00:00Z"}}'),
  ('+5511988880007', 'completed', '{"why": {"value": null, "skipped": true}}')) v (phone, status, answers);

create temporary table nps on commit drop as select id from public.projects where name = 'NPS';
grant select on nps to public;

-- ─── as owner of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
create temporary table report on commit drop as select public.project_report((select id from public.projects where name = 'NPS')) as r;
select is((select r -> 'interviews' from report),
  '{"total": 7, "pending": 1, "invited": 0, "in_progress": 1, "completed": 4, "cancelled": 1, "expired": 0}'::jsonb, 'interviews per status');
select is((select r ->> 'completion_rate' from report), '0.6667', 'four completed of the six not cancelled');
select is((select r -> 'questions' -> 0 from report),
  '{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5", "answered": 3, "distribution": {"4": 2, "5": 1}, "average": 4.33, "min": 4, "max": 5}'::jsonb,
  'a scale: how many answered, each value''s count, the average and range');
select is((select r -> 'questions' -> 1 -> 'distribution' from report), '{"Pro": 2}'::jsonb, 'options by count');
select is((select (r -> 'questions' -> 2) - 'text' from report),
  '{"id": "spend", "answer_type": "number", "answered": 1, "average": 100, "min": 100, "max": 100}'::jsonb, 'a skipped answer is not a value');
select is((select (r -> 'questions' -> 3) - 'text' - 'words' from report), '{"id": "why", "answer_type": "free_text", "answered": 3}'::jsonb,
  'free text is counted, not distributed; erased and skipped answers are not answers');
select is((select r -> 'questions' -> 3 -> 'words' from report),
  '[{"word": "ótimo", "count": 3}, {"word": "atendimento", "count": 2}, {"word": "preço", "count": 2}, {"word": "rápido", "count": 2},
    {"word": "bom", "count": 1}, {"word": "fast", "count": 1}, {"word": "great", "count": 1}, {"word": "suporte", "count": 1}, {"word": "support", "count": 1}]'::jsonb,
  'free-text words: lower-cased, counted with accents folded, shown in their most frequent spelling; stop words and short words dropped');
select is((select count(*)::integer from report, jsonb_array_elements(r -> 'questions') q where q ? 'words'), 1, 'only free-text questions carry words');

-- ─── as analyst of tenant A ──────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is((public.project_report((select id from public.projects where name = 'NPS')) -> 'interviews' ->> 'total'), '7', 'an analyst reads the report');
select is(jsonb_array_length(public.project_report((select id from public.projects where name = 'NPS')) -> 'questions' -> 3 -> 'words'), 9,
  'and its words');

-- ─── as owner of tenant B ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select is(tests.error_code(format($$ select public.project_report(%L) $$, (select id from nps))),
  'project_not_found', 'another company''s owner finds no project');

-- ─── as anon ─────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok(format($$ select public.project_report(%L) $$, gen_random_uuid()), '42501', null, 'anon reads no report');

select * from finish();
rollback;
