-- Analytics funnel and response times: each view's numbers against hand-computed fixtures (and
-- again after new data and a refresh), per inbox and day, ISO week and month, the inbox filter
-- (another company's inbox refused), when a conversation counts as handed to a person, and who
-- reads what: every member of a company reads exactly its rows, another company's member none,
-- anon nothing, the service role any company's, a platform admin none; an analyst login reads its
-- company's rows of analytics.lead_funnel / response_times and not the materialized views.
--
-- Fixtures. Funnel (tenant A): one contact created 2026-11-01 with no conversation (inbox none);
-- today 4 contacts (Ana, Bia, Caio, Davi) and 2 conversations in Line A (Ana, Bia); Ana lead →
-- qualified → customer, Bia → qualified, Caio → lost, Davi → lost → lead (a person reopens); today
-- Ana's conversation is handed off (a handoff keyword), Bia's taken by a member, given back to the
-- bot and left again (one handoff). The week of Monday 2026-10-05: Eva (created Mon 10-05, first
-- conversation in Line A2 that day, answered by the bot) and Fabio (created Thu 10-08, conversation in
-- Line A: only a bot outreach, never answered); the week of 2026-10-12: Eva's second conversation, in
-- Line A, on 10-13, answered by the bot (Eva's contact stages stay with Line A2, her first); today
-- someone answers Eva's Line A2 conversation from the business phone. Tenant B: 1 contact and
-- conversation today.
-- Response times on 2026-11-10, Line A: conversation Ana: in 10:00:00, in 10:00:30, bot 10:01:00
-- (waited 60 s, first response), system 10:01:10 (ignored), in 10:05:00, person 10:07:00 (120 s),
-- person 10:07:30 (nobody waiting), in 10:10:00 (unanswered). Conversation Bia: bot 09:00 (an
-- outreach, not a wait), in 09:10:00, bot 09:10:20 (20 s, first response), in 09:20:00, bot
-- 09:20:10 (10 s). Tenant B, Line B: in 08:00:00, bot 08:00:05 (5 s). So both of Line A's and Line
-- B's conversations are answered by the bot on 2026-11-10 (the week of 2026-11-09).
begin;
set search_path to public, extensions, tests;

select plan(49);

select tests.create_two_tenants();
select tests.authenticate_as('owner_a');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A2', null, '{"zapi_instance_id": "line-a2"}',
  '{"instance_token": "zapi-instance-a2", "client_token": "zapi-client-a2"}');
select tests.authenticate_as('owner_b');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
select tests.clear_authentication();
reset role;

insert into public.contacts (tenant_id, phone, name, created_at) values
  (tests.tenant_id('tenant-a'), '+5511900000000', 'Old', '2026-11-01 12:00:00+00');
insert into public.contacts (tenant_id, phone, name) values
  (tests.tenant_id('tenant-a'), '+5511900000001', 'Ana'),
  (tests.tenant_id('tenant-a'), '+5511900000002', 'Bia'),
  (tests.tenant_id('tenant-a'), '+5511900000003', 'Caio'),
  (tests.tenant_id('tenant-a'), '+5511900000004', 'Davi'),
  (tests.tenant_id('tenant-b'), '+5511900000009', 'Bruno');
insert into public.conversations (tenant_id, inbox_id, contact_id) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511900000001')),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511900000002')),
  (tests.tenant_id('tenant-b'), tests.inbox_id('Line B'), tests.contact_id('tenant-b', '+5511900000009'));
insert into public.contacts (tenant_id, phone, name, created_at) values
  (tests.tenant_id('tenant-a'), '+5511900000005', 'Eva', '2026-10-05 09:00:00+00'),
  (tests.tenant_id('tenant-a'), '+5511900000006', 'Fabio', '2026-10-08 09:00:00+00');
insert into public.conversations (tenant_id, inbox_id, contact_id, created_at) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A2'), tests.contact_id('tenant-a', '+5511900000005'), '2026-10-05 10:00:00+00'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511900000006'), '2026-10-08 09:00:00+00'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511900000005'), '2026-10-13 11:00:00+00');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000001'), 'qualified', 'rule');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000001'), 'customer', 'rule');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000002'), 'qualified', 'rule');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000003'), 'lost', 'rule');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000004'), 'lost', 'rule');
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511900000004'), 'lead', 'person', tests.get_supabase_uid('owner_a'));

-- Messages of a conversation (inbox, phone): (index, direction, role, time of day on 2026-11-10).
create function pg_temp.say(inbox text, phone text, idx integer, dir message_direction, who message_role, at time) returns void
language sql as $$
  insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, created_at)
  select c.tenant_id, c.inbox_id, c.id, c.contact_id, idx, dir, who, case when dir = 'in' then 'received' else 'sent' end::message_status,
         '2026-11-10'::date + at at time zone 'UTC'
  from public.conversations c where c.id = tests.conversation_id(inbox, phone)
$$;
select pg_temp.say('Line A', '+5511900000001', 1, 'in', 'user', '10:00:00');
select pg_temp.say('Line A', '+5511900000001', 2, 'in', 'user', '10:00:30');
select pg_temp.say('Line A', '+5511900000001', 3, 'out', 'assistant', '10:01:00');
select pg_temp.say('Line A', '+5511900000001', 4, 'out', 'system', '10:01:10');
select pg_temp.say('Line A', '+5511900000001', 5, 'in', 'user', '10:05:00');
select pg_temp.say('Line A', '+5511900000001', 6, 'out', 'human', '10:07:00');
select pg_temp.say('Line A', '+5511900000001', 7, 'out', 'human', '10:07:30');
select pg_temp.say('Line A', '+5511900000001', 8, 'in', 'user', '10:10:00');
select pg_temp.say('Line A', '+5511900000002', 1, 'out', 'assistant', '09:00:00');
select pg_temp.say('Line A', '+5511900000002', 2, 'in', 'user', '09:10:00');
select pg_temp.say('Line A', '+5511900000002', 3, 'out', 'assistant', '09:10:20');
select pg_temp.say('Line A', '+5511900000002', 4, 'in', 'user', '09:20:00');
select pg_temp.say('Line A', '+5511900000002', 5, 'out', 'assistant', '09:20:10');
select pg_temp.say('Line B', '+5511900000009', 1, 'in', 'user', '08:00:00');
select pg_temp.say('Line B', '+5511900000009', 2, 'out', 'assistant', '08:00:05');
-- The same at any moment.
create function pg_temp.say_at(inbox text, phone text, idx integer, dir message_direction, who message_role, at timestamptz) returns void
language sql as $$
  insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, created_at)
  select c.tenant_id, c.inbox_id, c.id, c.contact_id, idx, dir, who, case when dir = 'in' then 'received' else 'sent' end::message_status, at
  from public.conversations c where c.id = tests.conversation_id(inbox, phone)
$$;
select pg_temp.say_at('Line A2', '+5511900000005', 1, 'in', 'user', '2026-10-05 10:00:00+00');
select pg_temp.say_at('Line A2', '+5511900000005', 2, 'out', 'assistant', '2026-10-05 10:00:05+00');
select pg_temp.say_at('Line A', '+5511900000006', 1, 'out', 'assistant', '2026-10-08 09:00:00+00');
select pg_temp.say_at('Line A', '+5511900000005', 1, 'in', 'user', '2026-10-13 11:00:00+00');
select pg_temp.say_at('Line A', '+5511900000005', 2, 'out', 'assistant', '2026-10-13 11:00:10+00');

-- ─── handed to a person ──────────────────────────────────────────────────────────────────────
select private.hand_off_conversation(tests.conversation_id('Line A', '+5511900000001'), 'handoff_keyword');
select tests.authenticate_as('owner_a');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('owner_a')
where id = tests.conversation_id('Line A', '+5511900000002');
update public.conversations set assignee = 'bot', assignee_user_id = null where id = tests.conversation_id('Line A', '+5511900000002');
update public.conversations set assignee = 'unassigned' where id = tests.conversation_id('Line A', '+5511900000002');
select throws_ok($$ update public.conversations set handed_to_person_at = null where id = tests.conversation_id('Line A', '+5511900000001') $$,
  '42501', null, 'nobody sets when a conversation was handed to a person by hand');
reset role;
-- Someone answers Eva from the business phone (an echo: out, human, no member of ours, a provider id).
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, provider_message_id)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 3, 'out', 'human', 'sent', 'echo-eva-1'
from public.conversations c where c.id = tests.conversation_id('Line A2', '+5511900000005');
select is((select count(*)::int from public.conversations where handed_to_person_at = now()), 3,
  'a handoff, a member taking over and a reply from the business phone each stamp when the conversation left the bot');
update public.conversations set handed_to_person_at = '2026-01-01' where id = tests.conversation_id('Line A', '+5511900000002');
select is((select handed_to_person_at from public.conversations where id = tests.conversation_id('Line A', '+5511900000002')), now(),
  'the first departure is kept: not even the table owner rewrites it, nor does leaving the bot again');
select is((select count(*)::int from public.conversations where handed_to_person_at is not null), 3,
  'conversations still with the bot were never handed to a person');

select is(analytics.refresh('lead_funnel_daily'), null, 'the funnel refreshes concurrently without error');
select is(analytics.refresh('response_times_daily'), null, 'the response times refresh concurrently without error');
select is((select count(*)::int from analytics.refresh_schedule where view_name in ('lead_funnel_daily', 'response_times_daily')
           and refresh_every = interval '15 minutes'), 2, 'both are on the schedule, every 15 minutes');

-- ─── funnel ──────────────────────────────────────────────────────────────────────────────────
-- One day and inbox (null: contacts with no conversation) of analytics.lead_funnel_daily.
create function pg_temp.funnel(tenant text, on_day date, inbox text) returns text
language sql as $$
  select row(new_contacts, conversations_started, answered_by_bot, handed_to_person, qualified, customers, lost, reopened)::text
  from analytics.lead_funnel_daily
  where tenant_id = tests.tenant_id(tenant) and day = on_day and inbox_id is not distinct from tests.inbox_id(inbox)
$$;
create temporary table today as select (now() at time zone 'UTC')::date as day;
grant select on today to authenticated, anon, service_role;
select is(pg_temp.funnel('tenant-a', (select day from today), 'Line A'), '(2,2,0,2,2,1,0,0)',
  'tenant A today in Line A: Ana and Bia came in, 2 conversations, both handed to a person, 2 qualified, 1 customer');
select is(pg_temp.funnel('tenant-a', (select day from today), null), '(2,0,0,0,0,0,2,1)',
  'and with no inbox: Caio and Davi, who have no conversation (2 lost, 1 reopened)');
select is(pg_temp.funnel('tenant-a', (select day from today), 'Line A2'), '(0,0,0,1,0,0,0,0)',
  'Line A2 today: Eva''s conversation taken over from the business phone');
select is(pg_temp.funnel('tenant-a', '2026-11-01', null), '(1,0,0,0,0,0,0,0)', 'the older contact counts on its own day, with no inbox');
select is(pg_temp.funnel('tenant-a', '2026-11-10', 'Line A'), '(0,0,2,0,0,0,0,0)',
  'a conversation is answered by the bot on the day of its first bot reply after the contact wrote');
select is(pg_temp.funnel('tenant-a', '2026-10-05', 'Line A2'), '(1,1,1,0,0,0,0,0)', 'Eva came in through Line A2 and the bot answered her');
select is(pg_temp.funnel('tenant-a', '2026-10-08', 'Line A'), '(1,1,0,0,0,0,0,0)', 'an outreach nobody answered is not an answer');
select is(pg_temp.funnel('tenant-a', '2026-10-13', 'Line A'), '(0,1,1,0,0,0,0,0)',
  'Eva''s second conversation counts in its inbox; Eva herself stays a contact of Line A2');
select is(pg_temp.funnel('tenant-b', (select day from today), 'Line B'), '(1,1,0,0,0,0,0,0)', 'tenant B''s own row');

-- ─── response times ──────────────────────────────────────────────────────────────────────────
create function pg_temp.times(inbox text, who text) returns text
language sql as $$
  select row(replies, reply_p50_ms, reply_p90_ms, first_responses, first_response_p50_ms, first_response_p90_ms)::text
  from analytics.response_times_daily where inbox_id = tests.inbox_id(inbox) and responder = who and day = '2026-11-10'
$$;
select is(pg_temp.times('Line A', 'bot'), '(3,20000,52000,2,40000,56000)',
  'bot on Line A: waits of 60, 20 and 10 s (p50 20 s, p90 52 s); first responses 60 and 20 s');
select is(pg_temp.times('Line A', 'person'), '(1,120000,120000,0,,)',
  'a person on Line A: one wait of 120 s, no first response; a reply nobody waited for is not counted');
select is(pg_temp.times('Line B', 'bot'), '(1,5000,5000,1,5000,5000)', 'tenant B''s bot: 5 s');
select is((select count(*)::int from analytics.response_times_daily where tenant_id = tests.tenant_id('tenant-a') and day = '2026-11-10'), 2,
  'outreach and system messages make no rows of their own');

-- ─── after new data, a refresh shows it ──────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511900000001', 9, 'out', 'assistant', '10:10:40');
select is(pg_temp.times('Line A', 'bot'), '(3,20000,52000,2,40000,56000)', 'a new reply waits for the next refresh');
select analytics.refresh('response_times_daily');
select is(pg_temp.times('Line A', 'bot'), '(4,30000,54000,2,40000,56000)', 'and then counts (the waiting message of 10:10 answered in 40 s)');

-- The funnel by ISO week through the members' reader: (period, new contacts, conversations,
-- answered by the bot, handed to a person) of October 2026, for all inboxes or one.
create function pg_temp.weeks(inbox text) returns text
language sql as $$
  select string_agg(row(period, new_contacts, conversations_started, answered_by_bot, handed_to_person)::text, ' ' order by period)
  from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), '2026-10-01', '2026-10-31', 'week', tests.inbox_id(inbox))
$$;
grant execute on function pg_temp.weeks(text) to authenticated;
select tests.authenticate_as('owner_a');
select is(pg_temp.weeks(null), '(2026-10-05,2,2,1,0) (2026-10-12,0,1,1,0)', 'by ISO week, all inboxes: the weeks start on Monday');
select is(pg_temp.weeks('Line A'), '(2026-10-05,1,1,0,0) (2026-10-12,0,1,1,0)', 'Line A: Fabio, then Eva''s second conversation');
select is(pg_temp.weeks('Line A2'), '(2026-10-05,1,1,1,0)', 'Line A2: Eva');

-- New data: Gil comes in through Line A2 on Tue 10-06 and the bot answers; Hugo, created Wed 10-07,
-- has no conversation. Nothing moves until the refresh, which runs concurrently.
reset role;
insert into public.contacts (tenant_id, phone, name, created_at) values
  (tests.tenant_id('tenant-a'), '+5511900000007', 'Gil', '2026-10-06 08:00:00+00'),
  (tests.tenant_id('tenant-a'), '+5511900000008', 'Hugo', '2026-10-07 08:00:00+00');
insert into public.conversations (tenant_id, inbox_id, contact_id, created_at) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A2'), tests.contact_id('tenant-a', '+5511900000007'), '2026-10-06 08:00:00+00');
select pg_temp.say_at('Line A2', '+5511900000007', 1, 'in', 'user', '2026-10-06 08:00:00+00');
select pg_temp.say_at('Line A2', '+5511900000007', 2, 'out', 'assistant', '2026-10-06 08:00:30+00');
select tests.authenticate_as('owner_a');
select is(pg_temp.weeks('Line A2'), '(2026-10-05,1,1,1,0)', 'new contacts wait for the next refresh');
reset role;
select is(analytics.refresh('lead_funnel_daily'), null, 'the funnel refreshes concurrently again (rows without an inbox included)');
select tests.authenticate_as('owner_a');
select is(pg_temp.weeks('Line A2'), '(2026-10-05,2,2,2,0)', 'then Line A2 counts Gil');
select is(pg_temp.weeks(null), '(2026-10-05,4,3,2,0) (2026-10-12,0,1,1,0)',
  'and all inboxes count Hugo too: a contact with no conversation is the company''s, under no inbox');
select is((select row(new_contacts, handed_to_person, qualified, customers, lost, reopened)::text
           from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), (select day from today), (select day from today), 'week')),
  '(4,3,2,1,2,1)', 'today''s week (the range still in days): 4 new contacts, 3 handed to a person, 2 qualified, 1 customer, 2 lost, 1 reopened');
select is((select row(new_contacts, handed_to_person, qualified, lost)::text
           from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), (select day from today), null, 'week', tests.inbox_id('Line A'))),
  '(2,2,2,0)', 'and Line A''s: its contacts'' stages, not those of contacts without a conversation');
select is(tests.error_code($$ select * from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), null, null, 'day', tests.inbox_id('Line B')) $$),
  'inbox_not_found', 'another company''s inbox is refused, not answered with zeros');
select is(tests.error_code($$ select * from public.analytics_response_times(tests.tenant_id('tenant-a'), null, null, tests.inbox_id('Line B')) $$),
  'inbox_not_found', 'by the response times too');
select is(tests.error_code($$ select * from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), null, null, 'day', gen_random_uuid()) $$),
  'inbox_not_found', 'as an inbox that does not exist');
reset role;

-- ─── who reads what ──────────────────────────────────────────────────────────────────────────
create function pg_temp.rows_seen(tenant text) returns text
language sql as $$
  select format('%s/%s/%s',
    (select count(*) from public.analytics_lead_funnel(tests.tenant_id(tenant))),
    (select count(*) from public.analytics_lead_funnel(tests.tenant_id(tenant), grain => 'month')),
    (select count(*) from public.analytics_response_times(tests.tenant_id(tenant), '2026-11-01', '2026-11-30')))
$$;
grant execute on function pg_temp.rows_seen(text) to anon, authenticated, service_role;
-- Tenant A: 8 funnel days (10-05, 10-06, 10-07, 10-08, 10-13, 11-01, 11-10, today; in 3 months
-- unless today is in November 2026), 2 response-time rows; tenant B: 2 days (11-10, today).
create temporary table expected as
  select case when date_trunc('month', now() at time zone 'UTC') = '2026-11-01' then '8/2/2' else '8/3/2' end as a,
         case when date_trunc('month', now() at time zone 'UTC') = '2026-11-01' then '2/1/1' else '2/2/1' end as b;
grant select on expected to authenticated, anon, service_role;
select tests.authenticate_as('owner_a');
select is(pg_temp.rows_seen('tenant-a'), (select a from expected), 'an owner reads the company''s funnel by day and month, and its response times');
select is(pg_temp.rows_seen('tenant-b'), '0/0/0', 'and nothing of another company');
select is((select row(new_contacts, conversations_started, answered_by_bot)::text
            from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), null, null, 'month') where period = '2026-10-01'), '(4,4,3)',
  'a month is the sum of its days');
select is((select count(*)::int from public.analytics_response_times(tests.tenant_id('tenant-a'), '2026-11-01', '2026-11-30', tests.inbox_id('Line A2'))), 0,
  'the inbox filter keeps one inbox');
select is(tests.error_code($$ select * from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), grain => 'year') $$),
  'analytics_grain_invalid', 'only day, week or month');
select tests.authenticate_as('member_a');
select is(pg_temp.rows_seen('tenant-a'), (select a from expected), 'a member reads the company''s rows');
select tests.authenticate_as('analyst_a');
select is(pg_temp.rows_seen('tenant-a'), (select a from expected), 'an analyst member reads the company''s rows');
select throws_ok($$ select * from analytics.response_times_daily $$, '42501', null, 'no one signed in reads the materialized view directly');
select tests.authenticate_as('member_b');
select is(pg_temp.rows_seen('tenant-a'), '0/0/0', 'another company''s member reads none of tenant A''s rows');
select tests.authenticate_as('platform_admin');
select is(pg_temp.rows_seen('tenant-a'), '0/0/0', 'a platform admin reads none through the members'' functions');
select tests.clear_authentication();
select throws_ok($$ select pg_temp.rows_seen('tenant-a') $$, '42501', null, 'anon cannot call them');
select tests.authenticate_as_service_role();
select is(pg_temp.rows_seen('tenant-a') || ' ' || pg_temp.rows_seen('tenant-b'), (select a || ' ' || b from expected), 'the service role reads any company''s');

-- ─── analyst logins ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
create temporary table made as select l.role_name from public.create_analyst_login(tests.tenant_id('tenant-a')) l;
reset role;
create function pg_temp.as_login(query text) returns text
language plpgsql as $$
declare
  login text := (select role_name from made);
  answer text;
begin
  execute format('grant %I to postgres', login);
  execute format('set local role %I', login);
  begin
    execute query into answer;
  exception when insufficient_privilege then
    answer := '42501';
  end;
  reset role;
  return answer;
end;
$$;
-- Tenant A's funnel rows: 10-05 A2, 10-06 A2, 10-07 none, 10-08 A, 10-13 A, 11-01 none, 11-10 A, today A, A2 and none.
select is(pg_temp.as_login('select format(''%s/%s/%s'', (select count(*) from analytics.lead_funnel), '
                           '(select count(distinct tenant_id) from analytics.lead_funnel), (select count(*) from analytics.response_times))'),
  '10/1/4', 'tenant A''s login reads its company''s funnel rows (per day and inbox) and response-time rows, none of B''s');
select is(pg_temp.as_login(format('select sum(answered_by_bot) || ''/'' || sum(handed_to_person) from analytics.lead_funnel where inbox_id = %L',
                                  tests.inbox_id('Line A'))),
  '3/2', 'with the inbox and the new stages: Line A''s conversations answered by the bot and handed to a person');
select is(pg_temp.as_login('select count(*) from analytics.lead_funnel_daily'), '42501', 'and not the materialized view itself');

select * from finish();
rollback;
