-- Lead stages and qualification, per actor: a contact starts as a lead; moves are recorded in an
-- append-only history that is the only way the stage changes (lead → qualified → customer, any →
-- lost, lost → lead by a person); an agent's request from a run answering the conversation is
-- decided by the company's rules (required evidence, minimum score, auto-approve) or waits for a
-- person; conversion makes one customer row. Owners, admins and members act; analysts read;
-- another company's member, anon and a platform admin see nothing.
begin;
set search_path to public, extensions, tests;

select plan(66);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
insert into public.agents (tenant_id, name, model, status, tools)
values (tests.tenant_id('tenant-a'), 'Seller', 'demo-small', 'active', '{request_qualification}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Sales desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Sales desk'), tests.agent_id('Seller'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.team_id('Sales desk'), 0);

create function pg_temp.say(inbox text, phone text, provider_id text, body text, contact_name text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', contact_name,
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
select pg_temp.say('Line A', '5511987650001', 'wamid.A1', 'Quero um orçamento para 50 licenças', 'Maria Souza');
select pg_temp.say('Line B', '5511987650009', 'wamid.B1', 'Oi', 'Bruno');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
insert into public.contacts (tenant_id, phone, name) values
  (tests.tenant_id('tenant-a'), '+5511987650002', 'João Lima'),
  (tests.tenant_id('tenant-a'), '+5511987650003', 'Carla Dias');

create function pg_temp.stage(phone text) returns text
language sql as $$ select lifecycle_stage::text from public.contacts where phone = $1 $$;
create function pg_temp.maria() returns uuid language sql as $$ select tests.contact_id('tenant-a', '+5511987650001') $$;
create function pg_temp.joao() returns uuid language sql as $$ select tests.contact_id('tenant-a', '+5511987650002') $$;
create function pg_temp.carla() returns uuid language sql as $$ select tests.contact_id('tenant-a', '+5511987650003') $$;

select is(pg_temp.stage('+5511987650001'), 'lead', 'a new contact is a lead');

-- ─── the stage moves only through its history ────────────────────────────────────────────────
select is(tests.error_code(format($$ update public.contacts set lifecycle_stage = 'customer' where id = %L $$, pg_temp.maria())),
  'contact_stage_direct_change', 'not even the service role sets a stage without recording the move');
select is(tests.error_code(format($$ select private.move_contact_stage(%L, 'customer', 'rule') $$, pg_temp.maria())),
  'stage_transition_invalid', 'a lead is not made a customer without being qualified');
select is(tests.error_code(format($$ select private.move_contact_stage(%L, 'lead', 'rule') $$, pg_temp.maria())),
  'stage_transition_invalid', 'nor moved to the stage it has');

-- ─── an agent's request, from a run answering the conversation ───────────────────────────────
select is((select count(*)::int from private.conversation_turns where status = 'running' and execution_id is not null), 1,
  'the message starts the sales desk''s run at once (no debounce)');
create temporary table claimed on commit drop as select * from private.claim_steps('worker-q', 1, 60);
grant select on claimed to public;
select is((select count(*)::int from claimed), 1, 'the worker claims the seller''s step');

-- No rules: a person decides.
select is(private.request_qualification_for_step((select step_id from claimed), 'worker-q', (select attempt from claimed),
            '{"need": "50 licenses", "budget": "R$ 20k", "score": 70}', 'Wants a quote for 50 licenses') ->> 'status',
  'pending', 'without rules the agent''s request waits for a person');
select is((select requested_by_kind || '/' || (conversation_id is not null)::text || '/' || (execution_id = (select execution_id from claimed))::text
           from public.qualification_requests where contact_id = pg_temp.maria()),
  'agent/true/true', 'the request names the agent''s run and the conversation');
select is(pg_temp.stage('+5511987650001'), 'lead', 'a pending request does not move the contact');
select is(tests.error_code(format($$ select private.request_qualification_for_step(%L, 'worker-q', %s, '{}', null) $$,
            (select step_id from claimed), (select attempt from claimed))),
  'qualification_request_pending', 'a second request waits for the first to be decided');
select is(private.request_qualification_for_step((select step_id from claimed), 'someone-else', (select attempt from claimed), '{}', null),
  null, 'a worker that does not hold the step files nothing');

-- ─── as member of tenant A: decide, convert ──────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.qualification_requests), 1, 'a member reads the company''s requests');
select is((select status::text from public.decide_qualification_request(
            (select id from public.qualification_requests where contact_id = pg_temp.maria()), true, 'Good fit')),
  'approved', 'a member approves the request');
select is(pg_temp.stage('+5511987650001'), 'qualified', 'the approval qualifies the contact');
select is((select actor_kind || '/' || (actor_id = tests.get_supabase_uid('member_a'))::text || '/' || (evidence ->> 'budget')
           from public.contact_stage_changes where contact_id = pg_temp.maria() and to_stage = 'qualified'),
  'person/true/R$ 20k', 'the move names the person and keeps the agent''s evidence');
select is(tests.error_code(format($$ select public.decide_qualification_request(%L, false) $$,
            (select id from public.qualification_requests where contact_id = pg_temp.maria()))),
  'qualification_request_decided', 'a decided request is not decided again');
select is(tests.error_code(format($$ select public.set_contact_stage(%L, 'customer') $$, pg_temp.maria())),
  'stage_needs_conversion', 'a customer is made by conversion only');
select is((select contact_id from public.convert_contact(pg_temp.maria(), 'Signed the annual plan')), pg_temp.maria(),
  'a member converts the qualified contact');
select is(pg_temp.stage('+5511987650001'), 'customer', 'the contact is a customer');
select is((select (qualification_request_id is not null)::text || '/' || notes from public.customers where contact_id = pg_temp.maria()),
  'true/Signed the annual plan', 'the customer row links the approved request behind it');
select is(tests.error_code(format($$ select public.convert_contact(%L) $$, pg_temp.joao())),
  'stage_transition_invalid', 'a lead that was never qualified is not converted');
select is((select to_stage::text from public.set_contact_stage(pg_temp.joao(), 'lost', 'Chose a competitor')), 'lost', 'a member marks a lead lost');
select is((select to_stage::text from public.set_contact_stage(pg_temp.joao(), 'lead', 'Came back')), 'lead', 'and reopens it');
select is((select string_agg(from_stage || '>' || to_stage, ',' order by created_at, from_stage) from public.contact_stage_changes
           where contact_id = pg_temp.maria()), 'lead>qualified,qualified>customer', 'the history holds every move of the contact');
select throws_ok(format($$ update public.contact_stage_changes set reason = 'edited' where contact_id = %L $$, pg_temp.maria()),
  '42501', null, 'a member cannot edit the history');
select throws_ok(format($$ delete from public.contact_stage_changes where contact_id = %L $$, pg_temp.maria()),
  '42501', null, 'a member cannot delete the history');
select throws_ok(format($$ update public.contacts set lifecycle_stage = 'lead' where id = %L $$, pg_temp.maria()),
  '42501', null, 'nor set a stage directly');
update public.customers set notes = 'Renewal in March' where contact_id = pg_temp.maria();
select is((select notes from public.customers where contact_id = pg_temp.maria()), 'Renewal in March', 'a member edits a customer''s notes');
select throws_ok(format($$ insert into public.qualification_rules (tenant_id, auto_approve) values (%L, true) $$, tests.tenant_id('tenant-a')),
  '42501', null, 'a member does not set the qualification rules');

-- ─── as owner of tenant A: rules decide ──────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok(format($$ insert into public.qualification_rules (tenant_id, required_evidence, minimum_score, auto_approve)
                           values (%L, '{need,budget}', 60, true) $$, tests.tenant_id('tenant-a')),
  'the owner sets the rules');
select is(tests.error_code(format($$ update public.qualification_rules set required_evidence = '{"Bad Key"}' where tenant_id = %L $$,
            tests.tenant_id('tenant-a'))), 'qualification_rules_required_evidence_keys', 'evidence keys are snake_case names');
select is((select status || ': ' || decision_reason from public.request_qualification(pg_temp.carla(), '{"need": "CRM", "score": 90}')),
  'rejected: the evidence lacks budget', 'missing evidence is rejected by rule, saying what is missing');
select is((select status || ': ' || decision_reason from public.request_qualification(pg_temp.carla(), '{"need": "CRM", "budget": "10k", "score": 40}')),
  'rejected: the score 40 is under the minimum of 60', 'a low score is rejected by rule');
select is((select status::text from public.request_qualification(pg_temp.carla(), '{"need": "CRM", "budget": "10k", "score": 75}')),
  'approved', 'evidence that meets the rules is approved by rule');
select is((select actor_kind::text from public.contact_stage_changes where contact_id = pg_temp.carla() and to_stage = 'qualified'),
  'rule', 'the move names the rules as its actor');
select is(tests.error_code(format($$ select public.request_qualification(%L, '{}') $$, pg_temp.carla())),
  'contact_not_a_lead', 'a qualified contact is not qualified again');
update public.qualification_rules set auto_approve = false where tenant_id = tests.tenant_id('tenant-a');
select is((select status::text from public.request_qualification(pg_temp.joao(), '{"need": "ERP", "budget": "5k", "score": 80}')),
  'pending', 'without auto-approve, evidence that meets the rules waits for a person');
select is((select status::text from public.decide_qualification_request(
            (select id from public.qualification_requests where contact_id = pg_temp.joao() and status = 'pending'), false, 'Not now')),
  'rejected', 'the owner rejects it');
select is(pg_temp.stage('+5511987650002'), 'lead', 'a rejected request leaves the lead a lead');
select ok((select count(*) from public.audit_log where table_name = 'contact_stage_changes' and record_id in
             (select id::text from public.contact_stage_changes where tenant_id = tests.tenant_id('tenant-a'))) >= 5,
  'every move is in the audit log');
select ok(exists (select 1 from public.audit_log where table_name = 'contacts' and record_id = pg_temp.maria()::text
                  and before ->> 'lifecycle_stage' = 'qualified' and after ->> 'lifecycle_stage' = 'customer'),
  'and so is the contact''s change of stage');

-- ─── as analyst of tenant A ──────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.contact_stage_changes), 5, 'an analyst reads the history');
select is((select count(*)::int from public.customers), 1, 'and the customers');
select is(tests.error_code(format($$ select public.set_contact_stage(%L, 'lost') $$, pg_temp.carla())),
  'contact_not_found', 'an analyst moves no contact');
select is(tests.error_code(format($$ select public.convert_contact(%L) $$, pg_temp.carla())),
  'contact_not_found', 'nor converts one');
select is(tests.error_code(format($$ select public.request_qualification(%L, '{}') $$, pg_temp.joao())),
  'contact_not_found', 'nor files a request');

-- ─── as member of tenant B ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_b');
select is_empty($$ select 1 from public.contact_stage_changes $$, 'another company''s member sees no history of tenant A');
select is_empty($$ select 1 from public.qualification_requests $$, 'nor its requests');
select is_empty($$ select 1 from public.customers $$, 'nor its customers');
select is_empty($$ select 1 from public.qualification_rules $$, 'nor its rules');
select is(tests.error_code(format($$ select public.convert_contact(%L) $$, pg_temp.carla())),
  'contact_not_found', 'nor converts tenant A''s contact');
select is(tests.error_code(format($$ select public.decide_qualification_request(%L, true) $$,
            (select id from public.qualification_requests where contact_id = pg_temp.joao() limit 1))),
  'qualification_request_not_found', 'nor decides its requests');
select is(tests.error_code(format($$ select public.set_contact_stage(%L, 'lost') $$, pg_temp.joao())),
  'contact_not_found', 'nor moves its contacts');
update public.customers set notes = 'hijacked';
select tests.authenticate_as('owner_a');
select is((select notes from public.customers where contact_id = pg_temp.maria()), 'Renewal in March', 'nor changes its customers');

-- ─── as anon ─────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.contact_stage_changes $$, '42501', null, 'anon reads no history');
select throws_ok($$ select count(*) from public.customers $$, '42501', null, 'nor customers');
select throws_ok(format($$ select public.convert_contact(%L) $$, pg_temp.carla()), '42501', null, 'nor converts');

-- ─── as platform admin ───────────────────────────────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
select is_empty($$ select 1 from public.qualification_requests $$, 'a platform admin reads no company''s requests through the API');
select is(tests.error_code(format($$ select public.set_contact_stage(%L, 'lost') $$, pg_temp.carla())),
  'contact_not_found', 'nor moves a company''s contact');

-- ─── as service role: the history is append-only for everyone ────────────────────────────────
select tests.authenticate_as_service_role();
select throws_ok(format($$ delete from public.contact_stage_changes where contact_id = %L $$, pg_temp.maria()),
  '42501', null, 'the service role cannot delete the history');
select is(tests.error_code(format($$ select private.request_qualification_for_step(%L, 'worker-q', %s, '{}', null) $$,
            (select step_id from claimed), (select attempt from claimed))),
  'contact_not_a_lead', 'the agent is told the contact is no longer a lead');
reset role;
select is(tests.error_code(format($$ delete from public.contact_stage_changes where contact_id = %L $$, pg_temp.maria())),
  'contact_stage_changes_append_only', 'not even the database owner deletes a move');
select is(tests.error_code(format($$ update public.qualification_requests set evidence = '{}' where contact_id = %L $$, pg_temp.maria())),
  'qualification_request_decided', 'a decided request is never rewritten');
select lives_ok($$ delete from public.contacts where phone = '+5511987650002' $$,
  'removing a contact (as the database owner) takes its history and requests with it');
select is((select count(*)::int from public.contact_stage_changes where contact_id not in (select id from public.contacts)), 0,
  'nothing of it is left behind');
update public.tenants set status = 'suspended' where slug = 'tenant-a';
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select public.set_contact_stage(%L, 'lost') $$, pg_temp.carla())),
  'tenant_read_only', 'a suspended company moves no contact');

select * from finish();
rollback;
