-- Projects per actor: members (handle_conversations) create and edit drafts; only owners and admins
-- (manage_inboxes) change a project's status; analysts read; another company's member, anon and a
-- platform admin see nothing. The rules: the script is checked question by question and fixed once
-- the project leaves draft; status moves draft → active ⇄ paused → completed; going active needs an
-- inbox, an invitation and a question; the inbox and team are the company's; only drafts are
-- deleted. And contacts' tags: kept trimmed, lower-case, once, editable by members.
begin;
set search_path to public, extensions, tests;

select plan(46);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Interviewers'), (tests.tenant_id('tenant-b'), 'B desk');
insert into public.contacts (tenant_id, phone, name) values (tests.tenant_id('tenant-a'), '+5511988887777', 'Ana');

create temporary table script on commit drop as select '[
  {"id": "satisfaction", "text": "De 1 a 5, quanto gostou?", "answer_type": "scale_1_5"},
  {"id": "recommend", "text": "Recomendaria?", "answer_type": "yes_no", "follow_up": {"when": "no", "ask": "Por quê?"}},
  {"id": "channel", "text": "Como nos conheceu?", "answer_type": "one_of", "options": ["Instagram", "Indicação", "Google"], "required": false}
]'::jsonb as questions;
grant select on script to authenticated;

-- ─── as member of tenant A: drafts ───────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(format($$ insert into public.projects (tenant_id, name, questions, inbox_id, responder_team_id)
  values (%L, 'Satisfação', (select questions from script), %L, %L) $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.team_id('Interviewers')), 'a member creates a draft project with a script');
select is((select status::text from public.projects where name = 'Satisfação'), 'draft', 'it starts as a draft');
select is((select created_by from public.projects where name = 'Satisfação'), tests.get_supabase_uid('member_a'), 'created_by is the caller');
select throws_ok(format($$ insert into public.projects (tenant_id, name, status) values (%L, 'Live', 'active') $$, tests.tenant_id('tenant-a')),
  '42501', null, 'a project cannot start active (status is not an insert column)');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "Idade?", "answer_type": "age"}]' where name = 'Satisfação' $$),
  '{"state": "22023", "code": "project_questions_invalid", "detail": {"field": "questions.0.answer_type", "problem": "must be one of free_text, number, yes_no, one_of, date, scale_1_5"}}'::jsonb,
  'an unknown answer type is refused, naming the field');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "Cor?", "answer_type": "one_of", "options": ["Azul"]}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0.options', 'one_of needs at least two options');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "Cor?", "answer_type": "one_of", "options": ["Azul", " azul "]}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0.options', 'options must differ (ignoring case and spaces)');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "A?", "answer_type": "number"}, {"id": "q1", "text": "B?", "answer_type": "number"}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.1.id', 'question ids are unique');
select is(tests.raised($$ update public.projects set questions = '[{"id": "Q 1", "text": "A?", "answer_type": "number"}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0.id', 'a question id is a-z, 0-9 and _');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "A?", "answer_type": "number", "options": ["1", "2"]}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0.options', 'only one_of questions have options');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "A?", "answer_type": "number", "weight": 2}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0', 'an unknown field in a question is refused');
select is(tests.raised($$ update public.projects set questions = '[{"id": "q1", "text": "A?", "answer_type": "yes_no", "follow_up": {"ask": ""}}]' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions.0.follow_up', 'a follow-up needs something to ask');
select is(tests.raised($$ update public.projects set questions = '{"q1": "A?"}' where name = 'Satisfação' $$) #>> '{detail,field}',
  'questions', 'the script is a list');
select is(tests.error_code(format($$ update public.projects set inbox_id = %L where name = 'Satisfação' $$, tests.inbox_id('Line B'))),
  'project_inbox_not_in_tenant', 'another company''s inbox is refused');
select is(tests.error_code(format($$ update public.projects set responder_team_id = %L where name = 'Satisfação' $$, tests.team_id('B desk'))),
  'project_team_not_in_tenant', 'another company''s team is refused');
select throws_ok($$ update public.projects set reminder_after_hours = 80, timeout_hours = 72 where name = 'Satisfação' $$,
  '23514', null, 'the reminder comes before the timeout');
select throws_ok($$ update public.projects set sending_hours = '{"mon": [["18:00", "09:00"]]}' where name = 'Satisfação' $$,
  '23514', null, 'sending hours that close before they open are refused');
select throws_ok($$ update public.projects set send_rate_per_minute = 0 where name = 'Satisfação' $$,
  '23514', null, 'at least one invitation a minute');
select is(tests.error_code($$ update public.projects set status = 'active' where name = 'Satisfação' $$),
  'projects_run_by_inbox_managers', 'a member cannot activate a project');
select lives_ok($$ update public.projects set description = 'Pesquisa pós-venda', sending_hours = '{"mon": [["09:00", "18:00"]]}' where name = 'Satisfação' $$,
  'a member edits a draft');

-- ─── as analyst of tenant A ──────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is((select count(*)::integer from public.projects), 1, 'an analyst reads the company''s projects');
select is_empty($$ update public.projects set name = 'Renamed' returning id $$, 'an analyst changes nothing');
select throws_ok(format($$ insert into public.projects (tenant_id, name) values (%L, 'Analyst''s') $$, tests.tenant_id('tenant-a')),
  '42501', null, 'an analyst cannot create a project');

-- ─── as owner of tenant A: status ────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(tests.raised($$ update public.projects set status = 'active' where name = 'Satisfação' $$),
  '{"state": "22023", "code": "project_not_launchable", "detail": {"field": "invitation_text", "missing": ["invitation_text"]}}'::jsonb,
  'going active needs an invitation');
update public.projects set invitation_text = 'Olá! Topa responder 3 perguntas rápidas?' where name = 'Satisfação';
select lives_ok($$ update public.projects set status = 'active' where name = 'Satisfação' $$, 'an owner activates a complete project');
select isnt((select launched_at from public.projects where name = 'Satisfação'), null, 'launched_at is set');
select is(tests.error_code($$ update public.projects set questions = '[]' where name = 'Satisfação' $$),
  'project_questions_locked', 'the script is fixed once the project left draft');
select is(tests.error_code($$ update public.projects set status = 'draft' where name = 'Satisfação' $$),
  'project_status_transition', 'an active project does not go back to draft');
select lives_ok($$ update public.projects set status = 'paused' where name = 'Satisfação' $$, 'an owner pauses');
select lives_ok($$ update public.projects set status = 'active', send_rate_per_minute = 30 where name = 'Satisfação' $$, 'and resumes, changing the rate');
select is(tests.error_code($$ delete from public.projects where name = 'Satisfação' $$), 'project_not_draft', 'a launched project is not deleted');
select lives_ok($$ update public.projects set status = 'completed' where name = 'Satisfação' $$, 'an owner completes it');
select isnt((select completed_at from public.projects where name = 'Satisfação'), null, 'completed_at is set');
select is(tests.error_code($$ update public.projects set status = 'active' where name = 'Satisfação' $$),
  'project_status_transition', 'a completed project stays completed');
select throws_ok(format($$ update public.projects set tenant_id = %L where name = 'Satisfação' $$, tests.tenant_id('tenant-b')),
  '42501', null, 'a project does not move to another company');

-- ─── as member of tenant A: deleting a draft ─────────────────────────────────────────────────
select tests.authenticate_as('member_a');
insert into public.projects (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Rascunho');
select results_eq($$ delete from public.projects where name = 'Rascunho' returning name $$, array['Rascunho'], 'a member deletes a draft');

-- ─── as member of tenant B, anon, platform admin ─────────────────────────────────────────────
select tests.authenticate_as('member_b');
select is_empty($$ select id from public.projects $$, 'another company''s member sees no project');
select is_empty($$ update public.projects set name = 'Hijack' returning id $$, 'and changes none');
select throws_ok(format($$ insert into public.projects (tenant_id, name) values (%L, 'Planted') $$, tests.tenant_id('tenant-a')),
  '42501', null, 'and cannot create one in tenant A');
select tests.authenticate_as('platform_admin');
select is_empty($$ select id from public.projects $$, 'a platform admin reads no project directly');
select tests.clear_authentication();
select throws_ok($$ select id from public.projects $$, '42501', null, 'anon cannot read projects');

-- ─── as service ──────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((select count(*)::integer from public.projects), 1, 'the service reads every project');

-- ─── contacts' tags ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok($$ update public.contacts set tags = array[' VIP ', 'feira-2026', 'vip', ''] where phone = '+5511988887777' $$,
  'a member tags a contact');
select is((select tags from public.contacts where phone = '+5511988887777'), array['vip', 'feira-2026'],
  'tags are kept trimmed, lower-case, once, in the order given, blanks dropped');
select throws_ok($$ update public.contacts set tags = array[repeat('x', 41)] where phone = '+5511988887777' $$,
  '23514', null, 'a tag has at most 40 characters');
select tests.authenticate_as('analyst_a');
select is_empty($$ update public.contacts set tags = '{}' returning id $$, 'an analyst does not change tags');

select * from finish();
rollback;
