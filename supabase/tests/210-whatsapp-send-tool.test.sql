-- The whatsapp_send tool's rules, in SQL (private.send_whatsapp_for_step): only the engine holding
-- the step's lease sends; only to existing contacts of the run's company, from the number they last
-- talked to (else the company's only active number); never to blocked contacts, to opted-out ones
-- only when they are the contact the run answers; Meta's 24-hour window; never into a conversation a
-- person holds; at most five per step; a retried step answers what it sent before instead of
-- sending again; a suspended company sends nothing. People cannot call it nor read its record.
begin;
set search_path to public, extensions, tests;

select plan(32);

select tests.create_two_tenants();
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
insert into public.agents (tenant_id, name, model, status, tools)
values (tests.tenant_id('tenant-a'), 'Messenger', 'demo-small', 'active', '{whatsapp_send}');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Desk'), tests.agent_id('Messenger'), 'member', 1, '{"source": "initial_prompt"}', '[]');
insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.team_id('Desk'), 0);

-- Maria writes on Line A: the desk's run answers her.
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987650001',
  'contact_name', 'Maria Souza', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'Oi, quero um orçamento',
  'provider_message_id', 'zapi.A1'));
select private.start_due_turns(now());
insert into public.contacts (tenant_id, phone, name, status, opted_out_at) values
  (tests.tenant_id('tenant-a'), '+5511987650002', 'João Lima', 'active', null),
  (tests.tenant_id('tenant-a'), '+5511987650003', 'Carla Dias', 'active', now()),
  (tests.tenant_id('tenant-a'), '+5511987650004', 'Bia Reis', 'blocked', null),
  (tests.tenant_id('tenant-a'), '+5511987650005', 'Dani Melo', 'active', null),
  (tests.tenant_id('tenant-a'), '+5511987650006', 'Eli Nunes', 'active', null),
  (tests.tenant_id('tenant-b'), '+5511987650009', 'Bruno Alves', 'active', null);
-- Dani last talked to the Meta number two days ago; a person holds Eli's conversation on Line A.
insert into public.conversations (tenant_id, inbox_id, contact_id, last_message_at) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), tests.contact_id('tenant-a', '+5511987650005'), now() - interval '2 days');
insert into public.conversations (tenant_id, inbox_id, contact_id, assignee, assignee_user_id, last_message_at) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.contact_id('tenant-a', '+5511987650006'), 'member',
   tests.get_supabase_uid('member_a'), now());

create temporary table claimed on commit drop as select * from private.claim_steps('worker-w', 1, 60);
grant select on claimed to public;
select is((select count(*)::int from claimed), 1, 'the worker claims the messenger''s step');

create function pg_temp.send(to_phone text, body text, attempt_offset integer default 0) returns jsonb
language sql as $$
  select private.send_whatsapp_for_step((select step_id from claimed), 'worker-w', (select attempt from claimed) + attempt_offset, to_phone, body)
$$;
create function pg_temp.send_error(to_phone text, body text, attempt_offset integer default 0) returns text
language sql as $$
  select tests.error_code(format('select pg_temp.send(%L, %L, %s)', to_phone, body, attempt_offset))
$$;
create function pg_temp.sent_to(phone text) returns text
language sql as $$
  select coalesce(string_agg(m.body, ' | ' order by m.message_index), '')
  from public.messages m join public.contacts c on c.id = m.contact_id
  where c.phone = $1 and m.direction = 'out'
$$;

-- ─── who may call it ─────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.send_whatsapp_for_step(gen_random_uuid(), 'w', 1, '+5511987650002', 'Oi') $$,
  '42501', null, 'an owner cannot call the engine''s send');
select throws_ok($$ select * from private.step_whatsapp_sends $$, '42501', null, 'nor read what the tool sent');
select tests.authenticate_as('member_b');
select throws_ok($$ select private.send_whatsapp_for_step(gen_random_uuid(), 'w', 1, '+5511987650009', 'Oi') $$,
  '42501', null, 'nor can another company''s member');
select tests.clear_authentication();
select throws_ok($$ select private.send_whatsapp_for_step(gen_random_uuid(), 'w', 1, '+5511987650002', 'Oi') $$,
  '42501', null, 'nor anon');
reset role;
select tests.authenticate_as_service_role();
select is(private.send_whatsapp_for_step((select step_id from claimed), 'someone-else', (select attempt from claimed), '+5511987650001', 'Oi'),
  null, 'a worker that does not hold the step sends nothing');
reset role;

-- ─── the run's own contact ───────────────────────────────────────────────────────────────────
select is(pg_temp.send('+55 (11) 98765-0001', 'Obrigado pelo contato!') ->> 'status', 'queued', 'the run writes to the contact it answers');
select is((select m.role::text || '/' || m.status::text || '/' || (m.execution_id = (select execution_id from claimed))::text
                  || '/' || (m.inbox_id = tests.inbox_id('Line A'))::text
           from public.messages m where m.body = 'Obrigado pelo contato!'),
  'assistant/queued/true/true', 'as an assistant message of the run, queued, from the number she wrote to');
select is((select count(*)::int from private.outbound_deliveries d join public.messages m on m.id = d.message_id
           where m.body = 'Obrigado pelo contato!'), 1, 'with its delivery job');
update public.contacts set opted_out_at = now() where phone = '+5511987650001';
select is(pg_temp.send('5511987650001', 'Segue o orçamento.') ->> 'status', 'queued',
  'a contact who opted out of notices still gets the answer to her own conversation');

-- ─── other contacts ──────────────────────────────────────────────────────────────────────────
select is(pg_temp.send_error('+5511987650099', 'Oi'), 'whatsapp_send_unknown_contact', 'a number that is no contact gets nothing');
select is(pg_temp.send_error('+5511987650009', 'Oi'), 'whatsapp_send_unknown_contact', 'nor another company''s contact');
select is(pg_temp.send_error('not a phone', 'Oi'), 'whatsapp_send_phone_invalid', 'a malformed number is named');
select is(pg_temp.send_error('+5511987650003', 'Promoção!'), 'whatsapp_send_contact_unreachable', 'an opted-out contact is not written to');
select is(pg_temp.send_error('+5511987650004', 'Promoção!'), 'whatsapp_send_contact_unreachable', 'nor a blocked one');
select is(pg_temp.send_error('+5511987650005', 'Oi Dani'), 'outside_customer_window',
  'on the Meta number she last talked to, two days ago, free text does not reach her');
select is(pg_temp.send_error('+5511987650006', 'Oi Eli'), 'conversation_with_person', 'a conversation a person holds is left to them');
select is(pg_temp.send_error('+5511987650002', 'Oi João'), 'whatsapp_send_no_inbox',
  'a contact who never wrote, with two active numbers, has no number to be written from');
update public.inboxes set status = 'disabled' where id = tests.inbox_id('Meta A');
select is(pg_temp.send('+5511987650002', 'Oi João') ->> 'status', 'queued', 'with one active number, from that one');
select is((select c.inbox_id = tests.inbox_id('Line A') and c.status = 'open' and c.assignee = 'bot'
           from public.conversations c where c.contact_id = tests.contact_id('tenant-a', '+5511987650002')),
  true, 'which opens his conversation there, answered by the bot');
update public.inboxes set status = 'active' where id = tests.inbox_id('Meta A');
select is(pg_temp.sent_to('+5511987650003') || pg_temp.sent_to('+5511987650004') || pg_temp.sent_to('+5511987650005')
          || pg_temp.sent_to('+5511987650006') || pg_temp.sent_to('+5511987650009'), '', 'none of the refused sends wrote anything');

-- ─── a retried step sends nothing twice ──────────────────────────────────────────────────────
update public.execution_steps set attempt_count = attempt_count + 1 where id = (select step_id from claimed);
select is(pg_temp.send('+5511987650001', 'Obrigado pelo seu contato!', 1) ->> 'status', 'already_sent',
  'the next attempt''s first message to Maria is the first one sent before');
select is(pg_temp.send('+5511987650001', 'Aqui está o orçamento', 1) ->> 'text', 'Segue o orçamento.',
  'and its second is the second, answered with what was sent');
select is(pg_temp.send('+5511987650001', 'Obrigado', 0), null, 'the earlier attempt no longer holds the step: it sends nothing');
select is(pg_temp.sent_to('+5511987650001'), 'Obrigado pelo contato! | Segue o orçamento.', 'Maria got each message once');
select is(pg_temp.send('+5511987650001', 'Algo mais?', 1) ->> 'status', 'queued', 'a third message in the retry is new, and sent');
select is(pg_temp.send('+5511987650002', 'Oi de novo, João', 1) ->> 'status', 'already_sent', 'João''s first is his first');
select is(pg_temp.send('+5511987650002', 'Tudo certo?', 1) ->> 'status', 'queued', 'and a second one to him is new');
select is(pg_temp.send_error('+5511987650001', 'Mais uma', 1), 'whatsapp_send_limit', 'five messages is the most a step sends');
select is((select count(*)::int from private.step_whatsapp_sends where step_id = (select step_id from claimed)), 5,
  'the step''s record holds its five messages');

-- ─── a suspended company ─────────────────────────────────────────────────────────────────────
delete from private.step_whatsapp_sends where step_id = (select step_id from claimed) and ordinal = 3;
update public.tenants set status = 'suspended' where slug = 'tenant-a';
select is(pg_temp.send_error('+5511987650001', 'Oi', 1), 'company_not_active', 'a suspended company''s agents send nothing');
update public.tenants set status = 'active' where slug = 'tenant-a';
select is(pg_temp.send('+5511987650001', 'De volta', 1) ->> 'status', 'queued', 'and send again once it is active');

select * from finish();
rollback;
