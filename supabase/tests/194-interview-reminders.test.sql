-- Interview reminders and expiry with a frozen clock (private.remind_and_expire_interviews): one
-- reminder reminder_after_hours after an unanswered invitation (the reminder text, else the
-- invitation's), skipped with its reason when it cannot go (opted out, Meta's window shut);
-- expiry after timeout_hours without an answer, counted from the last answer of an interview in
-- progress; an expired interview no longer holds its conversation. Only the service runs it.
begin;
set search_path to public, extensions, tests;

select plan(17);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');

create function pg_temp.say(inbox text, phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone,
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.interview(phone text) returns public.interviews
language sql as $$ select i.* from public.interviews i join public.contacts c on c.id = i.contact_id where c.phone = $1 $$;

-- Ana, Bia, Caio, Duda and Eva talk on Line A; Gil wrote to the Meta number just now; Hugo never did.
select pg_temp.say('Line A', '551198888000' || n, 'zapi.' || n, 'Oi') from generate_series(1, 5) n;
select pg_temp.say('Meta A', '5511988880007', 'wamid.G1', 'Oi');
insert into public.contacts (tenant_id, phone) values (tests.tenant_id('tenant-a'), '+5511988880008');
insert into public.conversations (tenant_id, inbox_id, contact_id)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), tests.contact_id('tenant-a', '+5511988880008'));
update public.contacts set opted_out_at = now(), opt_out_reason = 'word:sair' where phone = '+5511988880003';

insert into public.projects (tenant_id, name, inbox_id, invitation_text, reminder_text, timeout_hours, reminder_after_hours, questions) values
  (tests.tenant_id('tenant-a'), 'Pesquisa', tests.inbox_id('Line A'), 'Pode responder?', 'Lembrete: pode responder?', 48, 24,
   '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}, {"id": "why", "text": "Por quê?", "answer_type": "free_text"}]'),
  (tests.tenant_id('tenant-a'), 'Pesquisa Meta', tests.inbox_id('Meta A'), 'Pode responder pelo WhatsApp?', null, 72, 24,
   '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]');
update public.projects set status = 'active';
insert into public.interviews (tenant_id, project_id, contact_id, conversation_id, status, invited_at, started_at, answers)
select tests.tenant_id('tenant-a'), (select id from public.projects where name = v.project), c.id, k.id, v.status::interview_status,
       now() - v.hours * interval '1 hour', case when v.answers <> '{}' then now() - interval '2 hours' end, v.answers::jsonb
from (values
  ('Pesquisa', '+5511988880001', 'invited', 25, '{}'),
  ('Pesquisa', '+5511988880002', 'invited', 10, '{}'),
  ('Pesquisa', '+5511988880003', 'invited', 25, '{}'),
  ('Pesquisa', '+5511988880004', 'invited', 49, '{}'),
  ('Pesquisa', '+5511988880005', 'in_progress', 50, '{"score": {"value": 4, "answered_at": "' || (now() - interval '1 hour')::text || '"}}'),
  ('Pesquisa Meta', '+5511988880007', 'invited', 25, '{}'),
  ('Pesquisa Meta', '+5511988880008', 'invited', 25, '{}')) v (project, phone, status, hours, answers)
join public.contacts c on c.phone = v.phone
join public.conversations k on k.contact_id = c.id;

-- ─── as a member: the job is the service's ───────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.remind_and_expire_interviews(now()) $$, '42501', null, 'people do not run reminders');
select tests.authenticate_as_service_role();

-- ─── a pass now ──────────────────────────────────────────────────────────────────────────────
select is(private.remind_and_expire_interviews(now()), '{"reminded": 2, "skipped": 2, "expired": 1}'::jsonb,
  'two reminders go, two cannot, one interview expires');
select is((select m.body from public.messages m where m.conversation_id = (pg_temp.interview('+5511988880001')).conversation_id and m.direction = 'out'),
  'Lembrete: pode responder?', 'Ana, invited 25 h ago, gets the reminder text');
select is((pg_temp.interview('+5511988880001')).reminded_at, now(), 'and reminded_at is the pass''s time');
select is((select m.body from public.messages m where m.conversation_id = (pg_temp.interview('+5511988880007')).conversation_id and m.direction = 'out'),
  'Pode responder pelo WhatsApp?', 'Gil (Meta, window open) gets the invitation again when the project has no reminder text');
select is((pg_temp.interview('+5511988880002')).reminded_at, null, 'Bia, invited 10 h ago, is not reminded yet');
select is((pg_temp.interview('+5511988880003')).metadata ->> 'reminder_skipped', 'contact_unreachable', 'Caio opted out: no reminder, and why');
select is((pg_temp.interview('+5511988880008')).metadata ->> 'reminder_skipped', 'outside_customer_window', 'Hugo never wrote to the Meta number: no reminder');
select is((pg_temp.interview('+5511988880004')).status::text || '/' || (pg_temp.interview('+5511988880004')).ended_at::text,
  'expired/' || now()::text, 'Duda, invited 49 h ago without answering, expires (timeout 48 h)');
select is((pg_temp.interview('+5511988880005')).status::text, 'in_progress', 'Eva answered an hour ago: still in progress');
select is(private.remind_and_expire_interviews(now()), '{"reminded": 0, "skipped": 0, "expired": 0}'::jsonb, 'a second pass does nothing more');
select is(private.open_interview_of_conversation((pg_temp.interview('+5511988880004')).conversation_id), null,
  'an expired interview no longer holds its conversation');

-- ─── later ───────────────────────────────────────────────────────────────────────────────────
select is(private.remind_and_expire_interviews(now() + interval '39 hours'), '{"reminded": 0, "skipped": 0, "expired": 3}'::jsonb,
  '39 hours later Ana, Bia and Caio have been quiet for 48 hours or more');
select is((pg_temp.interview('+5511988880002')).status::text || '/' || ((pg_temp.interview('+5511988880002')).reminded_at is null)::text,
  'expired/true', 'Bia expires without a reminder: expiry comes first');
select is((pg_temp.interview('+5511988880005')).status::text, 'in_progress', 'Eva''s last answer was 40 hours ago: not yet');
select is(private.remind_and_expire_interviews(now() + interval '48 hours'), '{"reminded": 0, "skipped": 0, "expired": 3}'::jsonb,
  '48 hours later Eva (48 h after her answer), Gil and Hugo (73 h, Meta project''s 72 h timeout) expire');
select is((select count(*)::int from public.interviews where status = 'expired'), 7, 'every interview has expired');

select * from finish();
rollback;
