-- Interview invitations as Meta message templates: a project on a Meta inbox names a template and
-- how its parameters are filled (contact's name, project's name); outside the 24-hour window the
-- invitation goes as that template (rendered text, template in metadata, handed to the delivery)
-- instead of waiting. A template the inbox lacks, not approved or with another parameter count
-- leaves the interview waiting with its reason; a project without one waits as before. Its
-- reminder goes as the project's reminder template, else its invitation template; an unusable one
-- is skipped with its reason. Members who handle conversations write the templates with the
-- project; their shape is checked.
begin;
set search_path to public, extensions, tests;

select plan(23);

select tests.create_two_tenants();
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'convite_pesquisa', 'pt_BR', 'utility', 'approved',
   'Olá {{1}}! A {{2}} quer saber sua opinião. Podemos começar?'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'convite_pausado', 'pt_BR', 'utility', 'paused', 'Oi {{1}}'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'lembrete_pesquisa', 'pt_BR', 'utility', 'approved',
   'Oi {{1}}, ainda dá tempo de responder!');
insert into public.contacts (tenant_id, phone, name) values
  (tests.tenant_id('tenant-a'), '+5511977770001', 'Ana'),
  (tests.tenant_id('tenant-a'), '+5511977770002', null),
  (tests.tenant_id('tenant-a'), '+5511977770003', 'Caio'),
  (tests.tenant_id('tenant-a'), '+5511977770004', 'Duda');

create function pg_temp.interview(phone text) returns public.interviews
language sql as $$ select i.* from public.interviews i join public.contacts c on c.id = i.contact_id where c.phone = $1 $$;
create function pg_temp.invitation(phone text) returns public.messages
language sql as $$ select m.* from public.messages m where m.conversation_id = (pg_temp.interview(phone)).conversation_id and m.direction = 'out' $$;

-- ─── as member of tenant A: the project names its template ───────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(format($$ insert into public.projects (tenant_id, name, inbox_id, invitation_text, invitation_template, send_rate_per_minute, questions)
  values (%L, 'Pesquisa Loja', %L, 'Olá! Pode responder uma pergunta?',
          '{"name": "convite_pesquisa", "language": "pt_BR", "parameters": ["contact_name", "project_name"]}', 10,
          '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]') $$, tests.tenant_id('tenant-a'), tests.inbox_id('Meta A')),
  'a member names the invitation template and how its parameters are filled');
select throws_ok($$ update public.projects set invitation_template = '{"name": "convite", "language": "pt_BR", "parameters": ["email"]}' $$,
  '23514', null, 'a parameter other than the contact''s or the project''s name is refused');
select throws_ok($$ update public.projects set invitation_template = '{"name": "Convite Loja", "language": "pt_BR"}' $$,
  '23514', null, 'a name Meta would not give is refused');
select throws_ok($$ update public.projects set invitation_template = '{"name": "convite", "language": "pt_BR", "extra": 1}' $$,
  '23514', null, 'an unknown key is refused');
select lives_ok($$ update public.projects set reminder_after_hours = 1,
  reminder_template = '{"name": "lembrete_pesquisa", "language": "pt_BR", "parameters": ["contact_name"]}' $$,
  'a member names the reminder''s template');
select throws_ok($$ update public.projects set reminder_template = '{"name": "lembrete", "language": "portuguese"}' $$,
  '23514', null, 'whose shape is checked as the invitation''s');
select tests.authenticate_as('member_b');
update public.projects set invitation_template = null;
select tests.authenticate_as_service_role();
select is((select invitation_template ->> 'name' from public.projects where name = 'Pesquisa Loja'), 'convite_pesquisa',
  'another company''s member changed nothing');

insert into public.projects (tenant_id, name, inbox_id, invitation_text, invitation_template, send_rate_per_minute, questions,
                             reminder_after_hours) values
  (tests.tenant_id('tenant-a'), 'Pesquisa Pausada', tests.inbox_id('Meta A'), 'Olá!', '{"name": "convite_pausado", "language": "pt_BR", "parameters": ["contact_name"]}', 10,
   '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]', 1),
  (tests.tenant_id('tenant-a'), 'Pesquisa Sem Modelo', tests.inbox_id('Meta A'), 'Olá!', null, 10,
   '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]', 1);
update public.projects set status = 'active';
insert into public.interviews (tenant_id, project_id, contact_id)
select tests.tenant_id('tenant-a'), (select id from public.projects where name = v.project), tests.contact_id('tenant-a', v.phone)
from (values ('Pesquisa Loja', '+5511977770001'), ('Pesquisa Loja', '+5511977770002'), ('Pesquisa Pausada', '+5511977770003'),
             ('Pesquisa Sem Modelo', '+5511977770004')) v (project, phone);

-- ─── as the service role: the invitation job, the window closed for everyone ────────────────
select is(private.send_interview_invitations(now()), 2, 'the two interviews of the project with a usable template are invited');
select is((pg_temp.interview('+5511977770001')).status::text, 'invited', 'outside the window, the invitation goes instead of waiting');
select is((pg_temp.invitation('+5511977770001')).body, 'Olá Ana! A Pesquisa Loja quer saber sua opinião. Podemos começar?',
  'as the template''s text with the contact''s and the project''s names');
select is((pg_temp.invitation('+5511977770001')).metadata -> 'template',
  '{"name": "convite_pesquisa", "language": "pt_BR", "category": "utility", "parameters": ["Ana", "Pesquisa Loja"]}'::jsonb,
  'with the template in its metadata');
select is((pg_temp.invitation('+5511977770002')).body, 'Olá +5511977770002! A Pesquisa Loja quer saber sua opinião. Podemos começar?',
  'a contact without a name is called by their phone');
select is((select template ->> 'name' from private.claim_outbound_deliveries('worker-i', 20, 60)
           where message_id = (pg_temp.invitation('+5511977770001')).id), 'convite_pesquisa',
  'the delivery gets the template (Meta''s template message, allowed outside the window)');
select is((pg_temp.interview('+5511977770003')).status::text || '/' || ((pg_temp.interview('+5511977770003')).metadata ->> 'invitation_waiting'),
  'pending/invitation_template_unusable', 'a paused template leaves the interview waiting, saying why');
select is((pg_temp.interview('+5511977770004')).status::text || '/' || ((pg_temp.interview('+5511977770004')).metadata ->> 'invitation_waiting'),
  'pending/outside_customer_window', 'a project without a template waits for the contact as before');

-- The template approved again: the next check (15 minutes on) sends it.
update public.message_templates set status = 'approved' where name = 'convite_pausado';
select is(private.send_interview_invitations(now() + interval '16 minutes'), 1, 'the waiting interview is invited once its template is approved');

-- ─── reminders: nobody answered, so nobody opened the window ─────────────────────────────────
create function pg_temp.last_out(phone text) returns public.messages
language sql as $$
  select m.* from public.messages m where m.conversation_id = (pg_temp.interview(phone)).conversation_id and m.direction = 'out'
  order by m.message_index desc limit 1
$$;
select is(private.remind_and_expire_interviews(now() + interval '65 minutes') ->> 'reminded', '2',
  'an hour on, both of the first project''s invited contacts are reminded');
select is((pg_temp.last_out('+5511977770001')).body || ' / ' || ((pg_temp.last_out('+5511977770001')).metadata #>> '{template,name}'),
  'Oi Ana, ainda dá tempo de responder! / lembrete_pesquisa', 'as the project''s reminder template, filled for the contact');
select is(private.remind_and_expire_interviews(now() + interval '80 minutes') ->> 'reminded', '1',
  'the second project''s contact is reminded an hour after their invitation');
select is((pg_temp.last_out('+5511977770003')).body || ' / ' || ((pg_temp.last_out('+5511977770003')).metadata #>> '{template,name}'),
  'Oi Caio / convite_pausado', 'as its invitation template, the project naming no reminder template');
select is((select count(*)::int from public.messages m where m.conversation_id = (pg_temp.interview('+5511977770003')).conversation_id),
  2, 'Caio has his invitation and one reminder');
update public.interviews set reminded_at = null where id = (pg_temp.interview('+5511977770001')).id;
update public.projects set reminder_template = '{"name": "lembrete_pesquisa", "language": "pt_BR"}' where name = 'Pesquisa Loja';
select is(private.remind_and_expire_interviews(now() + interval '90 minutes') -> 'skipped', '1'::jsonb,
  'a reminder template whose parameters do not match is not sent');
select is((pg_temp.interview('+5511977770001')).metadata ->> 'reminder_skipped', 'reminder_template_unusable', 'and says why');

select * from finish();
rollback;
