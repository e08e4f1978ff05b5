-- Analytics funnel and response times: each view's numbers against hand-computed fixtures (and
-- again after new data and a refresh), day and month grains, the inbox filter, and who reads what:
-- every member of a company reads exactly its rows, another company's member none, anon nothing,
-- the service role any company's, a platform admin none; an analyst login reads its company's rows
-- of analytics.lead_funnel / response_times and not the materialized views.
--
-- Fixtures. Funnel (tenant A): one contact created 2026-11-01; today 4 contacts (Ana, Bia, Caio,
-- Davi) and 2 conversations; Ana lead → qualified → customer, Bia → qualified, Caio → lost, Davi →
-- lost → lead (a person reopens). Tenant B: 1 contact today.
-- Response times on 2026-11-10, Line A: conversation Ana: in 10:00:00, in 10:00:30, bot 10:01:00
-- (waited 60 s, first response), system 10:01:10 (ignored), in 10:05:00, person 10:07:00 (120 s),
-- person 10:07:30 (nobody waiting), in 10:10:00 (unanswered). Conversation Bia: bot 09:00 (an
-- outreach, not a wait), in 09:10:00, bot 09:10:20 (20 s, first response), in 09:20:00, bot
-- 09:20:10 (10 s). Tenant B, Line B: in 08:00:00, bot 08:00:05 (5 s).
begin;
set search_path to public, extensions, tests;

select plan(26);

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

select is(analytics.refresh('lead_funnel_daily'), null, 'the funnel refreshes concurrently without error');
select is(analytics.refresh('response_times_daily'), null, 'the response times refresh concurrently without error');
select is((select count(*)::int from analytics.refresh_schedule where view_name in ('lead_funnel_daily', 'response_times_daily')
           and refresh_every = interval '15 minutes'), 2, 'both are on the schedule, every 15 minutes');

-- ─── funnel ──────────────────────────────────────────────────────────────────────────────────
create function pg_temp.funnel(tenant text, on_day date) returns text
language sql as $$
  select row(new_contacts, conversations_started, qualified, customers, lost, reopened)::text
  from analytics.lead_funnel_daily where tenant_id = tests.tenant_id(tenant) and day = on_day
$$;
select is(pg_temp.funnel('tenant-a', (now() at time zone 'UTC')::date), '(4,2,2,1,2,1)',
  'tenant A today: 4 new contacts, 2 conversations, 2 qualified, 1 customer, 2 lost, 1 reopened');
select is(pg_temp.funnel('tenant-a', '2026-11-01'), '(1,0,0,0,0,0)', 'the older contact counts on its own day');
select is(pg_temp.funnel('tenant-b', (now() at time zone 'UTC')::date), '(1,1,0,0,0,0)', 'tenant B''s own row');

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
select is((select count(*)::int from analytics.response_times_daily where tenant_id = tests.tenant_id('tenant-a')), 2,
  'outreach and system messages make no rows of their own');

-- ─── after new data, a refresh shows it ──────────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511900000001', 9, 'out', 'assistant', '10:10:40');
select is(pg_temp.times('Line A', 'bot'), '(3,20000,52000,2,40000,56000)', 'a new reply waits for the next refresh');
select analytics.refresh('response_times_daily');
select is(pg_temp.times('Line A', 'bot'), '(4,30000,54000,2,40000,56000)', 'and then counts (the waiting message of 10:10 answered in 40 s)');

-- ─── who reads what ──────────────────────────────────────────────────────────────────────────
create function pg_temp.rows_seen(tenant text) returns text
language sql as $$
  select format('%s/%s/%s',
    (select count(*) from public.analytics_lead_funnel(tests.tenant_id(tenant))),
    (select count(*) from public.analytics_lead_funnel(tests.tenant_id(tenant), grain => 'month')),
    (select count(*) from public.analytics_response_times(tests.tenant_id(tenant), '2026-11-01', '2026-11-30')))
$$;
grant execute on function pg_temp.rows_seen(text) to anon, authenticated, service_role;
-- Tenant A: 2 funnel days (in 2 months unless today is in November 2026), 2 response-time rows.
create temporary table expected as
  select case when date_trunc('month', now() at time zone 'UTC') = '2026-11-01' then '2/1/2' else '2/2/2' end as a, '1/1/1'::text as b;
grant select on expected to authenticated, anon, service_role;
select tests.authenticate_as('owner_a');
select is(pg_temp.rows_seen('tenant-a'), (select a from expected), 'an owner reads the company''s funnel by day and month, and its response times');
select is(pg_temp.rows_seen('tenant-b'), '0/0/0', 'and nothing of another company');
select is((select row(new_contacts, qualified, customers)::text from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), null, null, 'month')
           where period = date_trunc('month', now() at time zone 'UTC')::date), '(4,2,1)',
  'a month is the sum of its days');
select is((select count(*)::int from public.analytics_response_times(tests.tenant_id('tenant-a'), null, null, tests.inbox_id('Line A2'))), 0,
  'the inbox filter keeps one inbox');
select is(tests.error_code($$ select * from public.analytics_lead_funnel(tests.tenant_id('tenant-a'), grain => 'week') $$),
  'analytics_grain_invalid', 'only day or month');
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
select is(pg_temp.as_login('select format(''%s/%s'', (select count(*) from analytics.lead_funnel), (select count(*) from analytics.response_times))'),
  '2/2', 'tenant A''s login reads its company''s funnel days and response-time rows, none of B''s');
select is(pg_temp.as_login('select count(*) from analytics.lead_funnel_daily'), '42501', 'and not the materialized view itself');

select * from finish();
rollback;
