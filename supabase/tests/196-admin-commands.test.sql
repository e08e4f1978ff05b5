-- Admin commands, per actor: a company's owner runs the company-scoped commands on its own
-- targets (export, close, erase), admins and members run none, another company's owner finds no
-- target, anon calls nothing; a platform admin suspends and reactivates a company, and a suspended
-- company's members start no run and send no message. Every command is recorded in the same
-- transaction, failed ones too; the log is append-only for everyone and in the audit log. An
-- erasure leaves counts and consumption but none of the contact's personal data.
begin;
-- Consumption is folded in as a transaction commits (20261122009600); this test reads it inside its own.
set constraints private.consumption_pending_apply immediate;
set search_path to public, extensions, tests;

select plan(46);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
insert into public.agents (tenant_id, name, model, status, tools)
values (tests.tenant_id('tenant-a'), 'Seller', 'demo-small', 'active', '{request_qualification}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Sales desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Sales desk'), tests.agent_id('Seller'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.team_id('Sales desk'), 0);

create function pg_temp.say(phone text, provider_id text, body text, contact_name text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', phone, 'contact_name', contact_name,
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
-- Maria writes; the reply run starts at once (no debounce) with her name and phone in its variables.
select pg_temp.say('5511987650001', 'wamid.M1', 'Sou a Maria Souza, meu e-mail é maria@example.com', 'Maria Souza');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
insert into public.webhook_events (tenant_id, inbox_id, provider, raw_body, body_sha256)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), 'zapi',
        '{"phone": "5511987650001", "senderName": "Maria Souza", "text": {"message": "Sou a Maria Souza"}}', sha256('maria-1'));
update public.contacts set email = 'maria@example.com', metadata = '{"cpf": "123.456.789-09"}' where phone = '+5511987650001';
select private.move_contact_stage(tests.contact_id('tenant-a', '+5511987650001'), 'qualified', 'rule', null, null,
  'Maria Souza confirmed', '{"need": "Maria Souza wants 50 licenses"}');

select pg_temp.say('5511987650002', 'wamid.J1', 'Oi', 'João Lima');
select private.start_due_turns(now());  -- the drain's pass once the message is committed (a debounce of 0)
-- Maria answered an interview: a number and her own words.
insert into public.projects (tenant_id, name, inbox_id, invitation_text, questions) values (tests.tenant_id('tenant-a'), 'NPS',
  tests.inbox_id('Line A'), 'Olá!', '[{"id": "score", "text": "Nota?", "answer_type": "number"}, {"id": "why", "text": "Por quê?", "answer_type": "free_text"}]');
insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at, summary, metadata, answers)
values (tests.tenant_id('tenant-a'), (select id from public.projects where name = 'NPS'), tests.contact_id('tenant-a', '+5511987650001'),
        'in_progress', now(), 'Maria Souza liked it', '{"note": "Maria Souza"}',
        '{"score": {"value": 9, "answered_at": "2026-12-05T10:00:00Z"}, "why": {"value": "Sou a Maria Souza e gostei", "answered_at": "2026-12-05T10:01:00Z"}}');
-- Ids kept before the erasure changes the phone they are found by (and readable whatever RLS shows).
create temporary table known on commit drop as
  select tests.contact_id('tenant-a', '+5511987650001') as maria,
         (select id from public.conversations where contact_id = tests.contact_id('tenant-a', '+5511987650001')) as maria_conversation,
         (select id from public.conversations where contact_id = tests.contact_id('tenant-a', '+5511987650002')) as joao_conversation;
grant select on known to public;
create function pg_temp.maria() returns uuid language sql as $$ select maria from known $$;
create function pg_temp.conversation() returns uuid language sql as $$ select maria_conversation from known $$;
create function pg_temp.joao_conversation() returns uuid language sql as $$ select joao_conversation from known $$;
create temporary table before_erasure on commit drop as
  select (select count(*) from public.messages where contact_id = pg_temp.maria()) as messages,
         (select sum(messages_in) from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A')) as consumed,
         (select count(*) from public.executions where tenant_id = tests.tenant_id('tenant-a')) as runs;
grant select on before_erasure to public;
select ok((select runs from before_erasure) >= 1, 'the message started a reply run');

-- ─── as member and admin of tenant A ─────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(tests.error_code(format($$ select public.run_admin_command('export_contact', %L) $$, pg_temp.maria())),
  'admin_command_forbidden', 'a member runs no admin command');
select tests.authenticate_as('admin_a');
select is(tests.error_code(format($$ select public.run_admin_command('export_contact', %L) $$, pg_temp.maria())),
  'admin_command_forbidden', 'nor does an admin: the owner does');

-- ─── as owner of tenant B ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select is(tests.error_code(format($$ select public.run_admin_command('erase_contact', %L, '{}', 'LGPD request') $$, pg_temp.maria())),
  'admin_command_target_not_found', 'another company''s owner finds no such target');

-- ─── as anon ─────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok(format($$ select public.run_admin_command('export_contact', %L) $$, pg_temp.maria()),
  '42501', null, 'anon runs nothing');
select throws_ok($$ select count(*) from public.admin_commands $$, '42501', null, 'nor reads the log');

-- ─── as owner of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select public.run_admin_command('suspend_company', %L, '{}', 'Testing') $$, tests.tenant_id('tenant-a'))),
  'admin_command_forbidden', 'an owner does not suspend a company, not even their own');
select is(tests.error_code(format($$ select public.run_admin_command('erase_contact', %L) $$, pg_temp.maria())),
  'admin_command_reason_required', 'an erasure needs a reason');
select is(tests.error_code(format($$ select public.run_admin_command('export_contact', %L, '[1]') $$, pg_temp.maria())),
  'admin_command_arguments_invalid', 'arguments are an object');
select is(tests.error_code(format($$ select public.run_admin_command('cancel_interview', %L, '{}', 'Duplicate') $$, gen_random_uuid())),
  'admin_command_target_not_found', 'an interview that does not exist is not found');

create temporary table exported on commit drop as
  select public.run_admin_command('export_contact', pg_temp.maria(), '{"format": "json"}') as answer;
grant select on exported to public;
select is((select answer #>> '{output,contact,name}' from exported), 'Maria Souza', 'the export holds the contact');
select is((select jsonb_array_length(answer #> '{output,conversations,0,messages}') from exported), (select messages::int from before_erasure),
  'and every message of its conversations');
select is((select answer #>> '{output,stage_history,0,to_stage}' from exported), 'qualified', 'and its stage history');
select is((select answer #> '{command,result}' from exported),
  jsonb_build_object('conversations', 1, 'messages', (select messages from before_erasure), 'stage_changes', 1, 'interviews', 1),
  'the log keeps what the export counted, not the data');
select is((select answer #>> '{command,status}' || '/' || (answer #>> '{command,actor_role}') from exported), 'succeeded/owner',
  'the export is recorded as the owner''s');

select is((select public.run_admin_command('close_conversation', pg_temp.conversation()) #>> '{command,result,status}'), 'closed',
  'the owner closes a conversation');
select is((select status::text from public.conversations where id = pg_temp.conversation()), 'closed', 'it is closed');

create temporary table erased on commit drop as
  select public.run_admin_command('erase_contact', pg_temp.maria(), '{}', 'LGPD request of 2026-12-05') as answer;
grant select on erased to public;
select is((select answer #>> '{command,status}' from erased), 'succeeded', 'the owner erases the contact''s personal data');
select ok((select (answer #>> '{command,result,messages}')::int = (select messages from before_erasure) and (answer #>> '{command,result,runs}')::int >= 1
           from erased), 'the log counts the messages and runs it erased');

-- ─── what is left after the erasure (as the database owner) ──────────────────────────────────
reset role;
select is((select coalesce(name, '') || '|' || coalesce(email, '') || '|' || metadata::text || '|' || (phone like '+999%')::text
           from public.contacts where id = pg_temp.maria()), '||{}|true', 'the contact keeps no name, e-mail, metadata or phone');
select is((select count(*) from public.messages where contact_id = pg_temp.maria()), (select messages from before_erasure),
  'every message is still counted');
select is((select answers -> 'score' from public.interviews where contact_id = pg_temp.maria()),
  '{"value": 9, "answered_at": "2026-12-05T10:00:00Z"}'::jsonb, 'her interview keeps its typed answer for the project''s figures');
select is((select (answers -> 'why') || jsonb_build_object('summary', summary, 'metadata', metadata) from public.interviews where contact_id = pg_temp.maria()),
  '{"value": null, "erased": true, "answered_at": "2026-12-05T10:01:00Z", "summary": null, "metadata": {}}'::jsonb,
  'but not her words, the summary or the metadata');
select is((select count(*)::int from public.messages where contact_id = pg_temp.maria() and (body <> '' or metadata <> '{}')), 0,
  'but none keeps its text or metadata');
select is((select sum(messages_in) from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A')), (select consumed from before_erasure),
  'consumption aggregates stay');
select is((select count(*) from public.executions where tenant_id = tests.tenant_id('tenant-a')), (select runs from before_erasure),
  'the runs stay');
select is_empty($$
  select t from (
    select 'contacts' as t, to_jsonb(c)::text as v from public.contacts c
    union all select 'messages', to_jsonb(m)::text from public.messages m
    union all select 'executions', to_jsonb(e)::text from public.executions e
    union all select 'execution_steps', to_jsonb(s)::text from public.execution_steps s
    union all select 'execution_events', to_jsonb(ev)::text from public.execution_events ev
    union all select 'webhook_events', to_jsonb(w)::text from public.webhook_events w
    union all select 'audit_log', to_jsonb(a)::text from public.audit_log a
    union all select 'contact_stage_changes', to_jsonb(sc)::text from public.contact_stage_changes sc
    union all select 'admin_commands', to_jsonb(ac)::text from public.admin_commands ac
    union all select 'realtime.messages', to_jsonb(rm)::text from realtime.messages rm
  ) everything
  where v like '%Maria Souza%' or v like '%maria@example.com%' or v like '%987650001%' or v like '%123.456.789-09%' $$,
  'no table keeps her name, e-mail, phone or metadata');

-- ─── the log: append-only for everyone ───────────────────────────────────────────────────────
select is(tests.error_code($$ update public.admin_commands set reason = 'edited' $$), 'admin_commands_append_only',
  'not even the database owner edits the log');
select is(tests.error_code($$ delete from public.admin_commands $$), 'admin_commands_append_only', 'nor deletes from it');
select is(tests.error_code($$ truncate public.admin_commands $$), 'admin_commands_append_only', 'nor empties it');
select ok((select count(*) from public.audit_log where table_name = 'admin_commands') >= 3, 'every command is in the audit log too');
select tests.authenticate_as_service_role();
select throws_ok($$ insert into public.admin_commands (actor_id, actor_role, tenant_id, command, target_id, status)
                    values (gen_random_uuid(), 'owner', gen_random_uuid(), 'export_contact', gen_random_uuid(), 'succeeded') $$,
  '42501', null, 'the service role writes no entry');

select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.admin_commands), 3, 'an admin reads the company''s log');
select tests.authenticate_as('member_a');
select is_empty($$ select 1 from public.admin_commands $$, 'a member does not');
select throws_ok($$ update public.admin_commands set reason = 'x' $$, '42501', null, 'nor changes it');
select tests.authenticate_as('owner_b');
select is_empty($$ select 1 from public.admin_commands $$, 'another company''s owner reads none of it');

-- ─── as platform admin: suspend and reactivate ───────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
select is(tests.error_code(format($$ select public.run_admin_command('suspend_company', %L) $$, tests.tenant_id('tenant-a'))),
  'admin_command_reason_required', 'a suspension needs a reason');
select is((select public.run_admin_command('suspend_company', tests.tenant_id('tenant-a'), '{}', 'Unpaid invoices') #>> '{command,result,status}'),
  'suspended', 'a platform admin suspends the company');
select is((select public.run_admin_command('close_conversation', pg_temp.conversation()) #>> '{command,status}'), 'succeeded',
  'closing a closed conversation changes nothing and succeeds');
select is((select public.run_admin_command('close_conversation', pg_temp.joao_conversation()) #> '{command,error}' ->> 'code'),
  'tenant_read_only', 'a command that fails is recorded as failed with its code');

select tests.authenticate_as('member_a');
select is(tests.error_code(format($$ select public.start_execution(%L, 'Hello') $$, tests.team_id('Sales desk'))),
  'tenant_read_only', 'a suspended company''s member starts no run');
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, 'Hello') $$, pg_temp.joao_conversation())),
  'tenant_read_only', 'nor sends a message');

select tests.authenticate_as('platform_admin');
select is((select public.run_admin_command('reactivate_company', tests.tenant_id('tenant-a')) #>> '{command,result,status}'),
  'active', 'a platform admin reactivates it');
select is((select string_agg(command::text || ':' || status || ':' || actor_role, ',' order by id) from public.admin_commands
           where actor_role = 'platform_admin'),
  'suspend_company:succeeded:platform_admin,close_conversation:succeeded:platform_admin,close_conversation:failed:platform_admin,reactivate_company:succeeded:platform_admin',
  'the platform admin reads every entry, failed ones included');
select tests.authenticate_as('member_a');
select isnt((select status::text from public.conversations where id = pg_temp.joao_conversation()), 'closed',
  'the failed command changed nothing');
select ok((select (public.start_execution(tests.team_id('Sales desk'), 'Hello')).id is not null), 'the reactivated company''s member runs again');

select * from finish();
rollback;
