-- Responder settings per actor: owners and admins (manage_inboxes) create, change and delete them;
-- members and analysts read them; another company's member, anon and a platform admin see
-- nothing. The rules: one default per company and one row per inbox, the inbox and team are the
-- company's, time zones and business hours are checked, keywords are kept lower-case, and an
-- inbox follows its own row, else the company's default, else nobody answers.
begin;
set search_path to public, extensions, tests;

select plan(34);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A2', null, '{"zapi_instance_id": "line-a2"}',
  '{"instance_token": "zapi-instance-a2", "client_token": "zapi-client-a2"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk'), (tests.tenant_id('tenant-b'), 'B desk');

-- ─── with no row, nobody answers ─────────────────────────────────────────────────────────────
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).team_id, null, 'with no settings, nobody answers (humans only)');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).debounce_ms, 3000, 'and the built-in debounce is 3 s');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).history_messages, 20, 'and a reply reads the last 20 messages');

-- ─── owner and admin write ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok(format($$ insert into public.responder_settings (tenant_id, team_id, handoff_keywords) values (%L, %L, array[' Atendente ', 'HUMANO', 'humano']) $$,
  tests.tenant_id('tenant-a'), tests.team_id('Front desk')), 'an owner sets the company''s default responder');
select is((select handoff_keywords from public.responder_settings where inbox_id is null), array['atendente', 'humano'],
  'keywords are kept trimmed, lower-case and once');
select throws_ok(format($$ insert into public.responder_settings (tenant_id) values (%L) $$, tests.tenant_id('tenant-a')),
  '23505', null, 'one default per company');
select tests.authenticate_as('admin_a');
select lives_ok(format($$ insert into public.responder_settings (tenant_id, inbox_id, team_id, business_hours, out_of_hours_reply, debounce_ms)
  values (%L, %L, null, '{"mon": [["09:00", "18:00"]]}', 'We answer from 9 to 18.', 0) $$, tests.tenant_id('tenant-a'), tests.inbox_id('Line A2')),
  'an admin gives an inbox settings of its own (nobody answers there)');
select throws_ok(format($$ insert into public.responder_settings (tenant_id, inbox_id) values (%L, %L) $$, tests.tenant_id('tenant-a'), tests.inbox_id('Line A2')),
  '23505', null, 'one row per inbox');
select is(tests.error_code(format($$ insert into public.responder_settings (tenant_id, inbox_id) values (%L, %L) $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Line B'))), 'responder_inbox_not_in_tenant', 'another company''s inbox is refused');
select is(tests.error_code(format($$ update public.responder_settings set team_id = %L where inbox_id is null $$, tests.team_id('B desk'))),
  'responder_team_not_in_tenant', 'another company''s team is refused');
select throws_ok($$ update public.responder_settings set time_zone = 'Mars/Olympus' where inbox_id is null $$,
  '23514', null, 'an unknown time zone is refused');
select throws_ok($$ update public.responder_settings set business_hours = '{"mon": [["18:00", "09:00"]]}' where inbox_id is null $$,
  '23514', null, 'hours that close before they open are refused');
select throws_ok($$ update public.responder_settings set business_hours = '{"monday": [["09:00", "18:00"]]}' where inbox_id is null $$,
  '23514', null, 'an unknown day is refused');
select throws_ok($$ update public.responder_settings set handoff_keywords = array['  '] where inbox_id is null $$,
  '23514', null, 'a blank keyword is refused');
select throws_ok($$ update public.responder_settings set debounce_ms = 60001 where inbox_id is null $$,
  '23514', null, 'a debounce over a minute is refused');
select throws_ok($$ update public.responder_settings set max_bot_turns = 0 where inbox_id is null $$,
  '23514', null, 'at least one bot turn');
select throws_ok(format($$ update public.responder_settings set inbox_id = %L where inbox_id is null $$, tests.inbox_id('Line A')),
  '42501', null, 'a row does not move to another inbox');
select lives_ok($$ update public.responder_settings set max_bot_turns = 5, time_zone = 'America/Manaus' where inbox_id is null $$,
  'an admin changes the default');

-- ─── which settings an inbox follows ─────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).team_id, tests.team_id('Front desk'),
  'an inbox without a row follows the company''s default');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).max_bot_turns, 5, 'with its limits');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A2'))).team_id, null, 'an inbox''s own row wins (nobody answers there)');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line B'))).team_id, null, 'another company''s default does not apply');

-- ─── business hours, in the settings' time zone ──────────────────────────────────────────────
select ok(private.is_within_business_hours('{"mon": [["09:00", "18:00"]]}', 'America/Sao_Paulo', '2026-11-23 12:30:00+00'),
  'Monday 09:30 in São Paulo (12:30 UTC) is open');
select ok(not private.is_within_business_hours('{"mon": [["09:00", "18:00"]]}', 'America/Sao_Paulo', '2026-11-23 21:30:00+00'),
  'Monday 18:30 in São Paulo (21:30 UTC) is closed');
select ok(not private.is_within_business_hours('{"mon": [["09:00", "18:00"]]}', 'America/Sao_Paulo', '2026-11-22 12:30:00+00'),
  'a day without hours is closed');
select ok(private.is_within_business_hours(null, 'America/Sao_Paulo', '2026-11-22 03:00:00+00'), 'no hours: always open');

-- ─── member, analyst, the other company, anon, platform admin ────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.responder_settings), 2, 'a member reads the company''s settings');
select throws_ok(format($$ insert into public.responder_settings (tenant_id, inbox_id) values (%L, %L) $$, tests.tenant_id('tenant-a'), tests.inbox_id('Line A')),
  '42501', null, 'a member cannot create settings');
update public.responder_settings set max_bot_turns = 99 where inbox_id is null;
delete from public.responder_settings;
select tests.authenticate_as('analyst_a');
select is((select string_agg(max_bot_turns::text, ',' order by max_bot_turns) from public.responder_settings), '5,10',
  'an analyst reads them, and the member changed and deleted nothing');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.responder_settings), 0, 'another company''s member reads nothing');
update public.responder_settings set max_bot_turns = 99;
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.responder_settings), 0, 'a platform admin reads no company''s settings directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.responder_settings $$, '42501', null, 'anon reads nothing');

select tests.authenticate_as('owner_a');
select lives_ok(format($$ delete from public.responder_settings where inbox_id = %L $$, tests.inbox_id('Line A2')), 'an owner deletes an inbox''s row');
select is((select max_bot_turns from public.responder_settings), 5, 'and the default, untouched by B''s member, is left');

select * from finish();
rollback;
