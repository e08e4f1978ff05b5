-- Interviews on WhatsApp: the invitation job (private.send_interview_invitations, frozen clock)
-- sends each pending interview's invitation at the project's rate inside its sending hours, from
-- the project's inbox into the contact's open conversation (or a new one); opted-out and blocked
-- contacts are cancelled (contact_unreachable); a Meta contact outside the 24-hour window or a
-- conversation held by a person waits and is checked again 15 minutes later. While the interview
-- runs, the conversation's turns go to the project's team at any hour; the team's agent records
-- answers with the record_interview_answer tool (the step's lease checked; answer types checked
-- by private.record_interview_answer) and reads the script from private.step_interview_context;
-- once completed, the inbox's own responder answers again. Only the service does any of it.
begin;
set search_path to public, extensions, tests;

select plan(38);

select tests.create_two_tenants();
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'demo-small', 'active');
insert into public.agents (tenant_id, name, model, status, tools)
values (tests.tenant_id('tenant-a'), 'Interviewer', 'demo-small', 'active', '{record_interview_answer}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk'), (tests.tenant_id('tenant-a'), 'Survey team');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions) values
  (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]'),
  (tests.team_id('Survey team'), tests.agent_id('Interviewer'), 'member', 1, '{"source": "initial_prompt"}', '[]');
-- Line A's own responder is the front desk, closed at every hour ('{}': no day open); Meta A's is always open.
insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms, business_hours) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.team_id('Front desk'), 0, '{}'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), tests.team_id('Front desk'), 0, null);

create function pg_temp.say(inbox text, phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone,
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.interview(phone text) returns public.interviews
language sql as $$ select i.* from public.interviews i join public.contacts c on c.id = i.contact_id where c.phone = $1 $$;

insert into public.contacts (tenant_id, phone, name) values
  (tests.tenant_id('tenant-a'), '+5511988880001', 'Ana'),
  (tests.tenant_id('tenant-a'), '+5511988880002', 'Bia'),
  (tests.tenant_id('tenant-a'), '+5511988880003', 'Caio'),
  (tests.tenant_id('tenant-a'), '+5511988880005', 'Fábio'),
  (tests.tenant_id('tenant-a'), '+5511988880007', 'Gil');
-- Eva is talking with a person in Line A.
select pg_temp.say('Line A', '5511988880004', 'zapi.E1', 'Oi, preciso de ajuda');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('owner_a')
where contact_id = tests.contact_id('tenant-a', '+5511988880004');

insert into public.projects (tenant_id, name, inbox_id, responder_team_id, invitation_text, send_rate_per_minute, questions) values
  (tests.tenant_id('tenant-a'), 'Pesquisa', tests.inbox_id('Line A'), tests.team_id('Survey team'),
   'Olá! Pode responder duas perguntas rápidas?', 2, '[
     {"id": "score", "text": "De 1 a 5, como foi o atendimento?", "answer_type": "scale_1_5"},
     {"id": "recommend", "text": "Recomendaria?", "answer_type": "yes_no"}]'),
  (tests.tenant_id('tenant-a'), 'Pesquisa Meta', tests.inbox_id('Meta A'), tests.team_id('Survey team'),
   'Olá! Pode responder uma pergunta?', 10, '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]');
update public.projects set status = 'active';
-- Pending interviews, oldest first: Bia, Caio, Eva, Ana, Fábio (Line A); Gil (Meta A).
insert into public.interviews (tenant_id, project_id, contact_id, created_at)
select tests.tenant_id('tenant-a'), (select id from public.projects where name = 'Pesquisa'), tests.contact_id('tenant-a', phone), now() - minutes * interval '1 minute'
from (values ('+5511988880002', 5), ('+5511988880003', 4), ('+5511988880004', 3), ('+5511988880001', 2), ('+5511988880005', 1)) v (phone, minutes);
insert into public.interviews (tenant_id, project_id, contact_id)
values (tests.tenant_id('tenant-a'), (select id from public.projects where name = 'Pesquisa Meta'), tests.contact_id('tenant-a', '+5511988880007'));
-- After launch, Bia opted out and Caio was blocked.
update public.contacts set opted_out_at = now(), opt_out_reason = 'word:sair' where phone = '+5511988880002';
update public.contacts set status = 'blocked' where phone = '+5511988880003';

-- ─── as a member: the jobs and the tool are the service's ────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.send_interview_invitations(now()) $$, '42501', null, 'people do not send invitations');
select throws_ok(format($$ select private.record_interview_answer_for_step(%L, 'w', 1, 'score', '5') $$, gen_random_uuid()),
  '42501', null, 'nor record answers as a step');
select throws_ok(format($$ select private.step_interview_context(%L) $$, gen_random_uuid()), '42501', null, 'nor read a step''s interview');
select tests.authenticate_as_service_role();

-- ─── invitations ─────────────────────────────────────────────────────────────────────────────
select is(private.send_interview_invitations(now()), 2, 'one pass sends two invitations: the project''s rate per minute');
select is((pg_temp.interview('+5511988880002')).status::text || '/' || (pg_temp.interview('+5511988880002')).cancel_reason,
  'cancelled/contact_opted_out', 'an opted-out contact''s interview is cancelled when they opt out (004080, pgTAP 198), not sent');
select is((pg_temp.interview('+5511988880003')).status::text || '/' || (pg_temp.interview('+5511988880003')).cancel_reason,
  'cancelled/contact_unreachable', 'so is a blocked contact''s');
select is((pg_temp.interview('+5511988880004')).status::text || '/' || ((pg_temp.interview('+5511988880004')).metadata ->> 'invitation_waiting'),
  'pending/conversation_with_person', 'a contact whose conversation a person holds waits');
select is((pg_temp.interview('+5511988880001')).status::text, 'invited', 'Ana is invited');
select is((pg_temp.interview('+5511988880001')).invited_at, now(), 'at the pass''s time');
select is((select row(m.direction, m.role, m.status, m.body)::text from public.messages m
           where m.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id),
  row('out'::message_direction, 'assistant'::message_role, 'queued'::message_status, 'Olá! Pode responder duas perguntas rápidas?')::text,
  'the invitation is queued in a new conversation of hers in the project''s inbox');
select is((select c.inbox_id from public.conversations c where c.id = (pg_temp.interview('+5511988880001')).conversation_id),
  tests.inbox_id('Line A'), 'which is the project''s inbox');
select is((select count(*)::int from private.outbound_deliveries d where d.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id),
  1, 'and its delivery is queued');
select is((pg_temp.interview('+5511988880005')).status::text, 'invited', 'Fábio is invited in the same pass');
select is((pg_temp.interview('+5511988880007')).status::text || '/' || ((pg_temp.interview('+5511988880007')).metadata ->> 'invitation_waiting'),
  'pending/outside_customer_window', 'a Meta contact who never wrote waits: free text cannot open the conversation');
select is(private.send_interview_invitations(now()), 0, 'a second pass in the same minute sends nothing more');
select is(private.send_interview_invitations(now() + interval '1 minute'), 0, 'a minute later, the waiting ones are not checked again yet');

-- Eva's conversation goes back to the bot, Gil writes to the Meta number.
update public.conversations set assignee = 'bot', assignee_user_id = null where contact_id = tests.contact_id('tenant-a', '+5511988880004');
select pg_temp.say('Meta A', '5511988880007', 'wamid.G1', 'Oi');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
update public.projects set sending_hours = '{}' where name = 'Pesquisa';
select is(private.send_interview_invitations(now() + interval '16 minutes'), 1, 'outside its sending hours a project sends nothing; Gil''s window is open');
select is((pg_temp.interview('+5511988880007')).status::text, 'invited', 'Gil is invited');
select is((pg_temp.interview('+5511988880004')).status::text, 'pending', 'Eva still waits for the project''s sending hours');
update public.projects set sending_hours = null where name = 'Pesquisa';
select is(private.send_interview_invitations(now() + interval '16 minutes'), 1, 'within them, Eva is invited');
select is((pg_temp.interview('+5511988880004')).conversation_id, tests.conversation_id('Line A', '+5511988880004'),
  'into the conversation she already had open');
select is((pg_temp.interview('+5511988880004')).metadata, '{}'::jsonb, 'and the waiting note is gone');

-- ─── the interview's turns ───────────────────────────────────────────────────────────────────
select pg_temp.say('Line A', '5511988880001', 'zapi.A1', 'Pode sim!');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
select is((select e.team_id from private.conversation_turns t join public.executions e on e.id = t.execution_id
           where t.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id and t.status = 'running'),
  tests.team_id('Survey team'), 'Ana''s reply starts a run of the project''s team, outside the inbox''s business hours');
select is((select e.variables -> 'interview' ->> 'id' from private.conversation_turns t join public.executions e on e.id = t.execution_id
           where t.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id and t.status = 'running'),
  (pg_temp.interview('+5511988880001')).id::text, 'the run names the interview');
select pg_temp.say('Line A', '5511988880006', 'zapi.H1', 'Oi, qual o horário?');
select is((select t.status from private.conversation_turns t where t.conversation_id = tests.conversation_id('Line A', '+5511988880006')),
  'out_of_hours', 'a contact without an interview gets the inbox''s own rules (closed now)');

create temporary table claimed on commit drop as select * from private.claim_steps('worker-i', 10, 60);
create temporary table ana_step on commit drop as
select c.step_id, c.attempt from claimed c join private.conversation_turns t on t.execution_id = c.execution_id
where t.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id;
create temporary table gil_step on commit drop as
select c.step_id, c.attempt from claimed c join private.conversation_turns t on t.execution_id = c.execution_id
where t.conversation_id = tests.conversation_id('Meta A', '+5511988880007');
select is((select count(*)::int from ana_step) + (select count(*)::int from gil_step), 2, 'the worker claims Ana''s and Gil''s steps');

select is(private.step_interview_context((select step_id from ana_step)) - 'interview_id' - 'questions',
  '{"project": "Pesquisa", "status": "invited", "answers": {}, "next_question": {"id": "score", "text": "De 1 a 5, como foi o atendimento?", "answer_type": "scale_1_5"}}'::jsonb,
  'the step reads the interview: nothing answered, the first question next');
select is(tests.raised(format($$ select private.record_interview_answer_for_step(%L, 'worker-i', %s, 'score', 'ótimo') $$,
            (select step_id from ana_step), (select attempt from ana_step))),
  '{"state": "22023", "code": "interview_answer_invalid", "detail": {"question_id": "score", "answer_type": "scale_1_5", "expected": "a whole number from 1 to 5"}}'::jsonb,
  'an answer that does not fit is refused, saying what fits');
select is(private.record_interview_answer_for_step((select step_id from ana_step), 'someone-else', (select attempt from ana_step), 'score', '5'),
  null, 'a worker that does not hold the step records nothing');
select is(private.record_interview_answer_for_step((select step_id from ana_step), 'worker-i', (select attempt from ana_step), 'score', '5')
            ->> 'status', 'in_progress', 'a fitting answer is recorded: the interview is in progress');
select is(private.step_interview_context((select step_id from ana_step)) -> 'next_question' ->> 'id', 'recommend',
  'the next turn reads the answer and the next question');
select is(private.record_interview_answer_for_step((select step_id from ana_step), 'worker-i', (select attempt from ana_step), 'recommend', 'Sim')
            ->> 'status', 'completed', 'the last required answer completes the interview');
select is((pg_temp.interview('+5511988880001')).answers #> '{recommend,value}', 'true'::jsonb, 'with the typed answers');
select is(private.step_interview_context((select step_id from ana_step)), null, 'a completed interview is no longer the step''s');
select is((private.responder_settings_for_conversation((select c from public.conversations c
           where c.id = (pg_temp.interview('+5511988880001')).conversation_id))).team_id,
  tests.team_id('Front desk'), 'and the conversation is the inbox''s responder''s again');
select is(tests.error_code(format($$ select private.record_interview_answer_for_step(%L, 'worker-i', %s, 'score', '5') $$,
            (select step_id from ana_step), (select attempt from ana_step))),
  'interview_needs_conversation', 'recording more answers in that conversation is refused');
select is((select e.team_id from private.conversation_turns t join public.executions e on e.id = t.execution_id
           where t.conversation_id = tests.conversation_id('Meta A', '+5511988880007')),
  tests.team_id('Front desk'), 'Gil wrote before his invitation: that turn''s run is the inbox''s responder''s');
select is(private.record_interview_answer_for_step((select step_id from gil_step), 'worker-i', (select attempt from gil_step), 'score', '4')
            ->> 'status', 'completed', 'a run answering his conversation records into the interview it now runs (one question: done)');

select * from finish();
rollback;
