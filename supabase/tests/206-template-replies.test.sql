-- Template replies per actor: a member (and owner) sends an approved template of the conversation's
-- Meta inbox with its parameters; the message holds the rendered text and the template in its
-- metadata, and the delivery claim hands the template over even when the 24-hour window is
-- closed. The database refuses an unknown template, one not approved, the wrong number of
-- parameters, a blank parameter and a non-Meta inbox with their codes; analysts, another
-- company's member and anon cannot send.
begin;
set search_path to public, extensions, tests;

select plan(22);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
-- A conversation the company started from its phone (the contact never wrote: the window is closed).
select private.record_webhook_message(tests.inbox_id('Meta A'), jsonb_build_object('contact_phone', '5511987651111',
  'contact_name', 'Lead', 'direction', 'out', 'role', 'human', 'type', 'text', 'body', 'do celular', 'provider_message_id', 'wamid.echo1'));
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987652222',
  'contact_name', 'Lead Z', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'oi', 'provider_message_id', 'zapi.in1'));
insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'boas_vindas', 'pt_BR', 'utility', 'approved', 'Olá {{1}}, aqui é a {{2}}.'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'promo', 'pt_BR', 'marketing', 'paused', 'Promoção!');

create function pg_temp.meta_conversation() returns uuid language sql as $$ select tests.conversation_id('Meta A', '+5511987651111') $$;
create function pg_temp.zapi_conversation() returns uuid language sql as $$ select tests.conversation_id('Line A', '+5511987652222') $$;
grant execute on function pg_temp.meta_conversation(), pg_temp.zapi_conversation() to anon, authenticated, service_role;
create temporary table kept (label text primary key, id uuid);
grant all on kept to authenticated, service_role;

-- ─── as member of tenant A ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok($$ insert into kept select 'sent', public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['Ana', 'Renum']) $$,
  'a member sends an approved template with its parameters');
select is((select body from public.messages where id = (select id from kept where label = 'sent')), 'Olá Ana, aqui é a Renum.',
  'the message holds what the contact reads');
select is((select metadata -> 'template' from public.messages where id = (select id from kept where label = 'sent')),
  '{"name": "boas_vindas", "language": "pt_BR", "category": "utility", "parameters": ["Ana", "Renum"]}'::jsonb,
  'and the template in its metadata');
select is((select row(role, direction, status, sent_by = auth.uid())::text from public.messages where id = (select id from kept where label = 'sent')),
  row('human'::message_role, 'out'::message_direction, 'queued'::message_status, true)::text, 'a queued human message written by the member');
select is((select assignee_user_id from public.conversations where id = pg_temp.meta_conversation()), auth.uid(), 'who takes the conversation');

select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'nao_existe', 'pt_BR', '{}') $$), 'template_not_found',
  'an unknown template is refused');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'en_US', array['a', 'b']) $$), 'template_not_found',
  'so is a language the template does not have');
select is(tests.raised($$ select public.reply_with_template(pg_temp.meta_conversation(), 'promo', 'pt_BR', '{}') $$),
  '{"state": "P0001", "code": "template_not_approved", "detail": {"status": "paused"}}'::jsonb, 'a paused template is refused, saying why');
select is(tests.raised($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['Ana']) $$),
  '{"state": "P0001", "code": "template_parameter_count_mismatch", "detail": {"expected": 2, "given": 1}}'::jsonb,
  'too few parameters are refused with how many it takes');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['Ana', 'b', 'c']) $$),
  'template_parameter_count_mismatch', 'too many too');
select is(tests.raised($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['Ana', '  ']) $$),
  '{"state": "22023", "code": "template_parameter_invalid", "detail": {"index": 1}}'::jsonb, 'a blank parameter is refused, naming it');
select is(tests.error_code(format($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array[%L, 'b']) $$,
  E'linha\noutra')), 'template_parameter_invalid', 'a parameter with a line break is refused (Meta refuses it)');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.zapi_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$), 'inbox_not_meta',
  'a Z-API conversation sends free text, not templates');
select is((select count(*)::int from public.messages where conversation_id = pg_temp.meta_conversation() and direction = 'out' and sent_by is not null), 1,
  'nothing refused was written');

-- ─── as analyst of tenant A, member of tenant B, anon ────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$),
  'conversations_reply_by_handlers', 'an analyst cannot send');
select tests.authenticate_as('member_b');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$),
  'conversation_not_found', 'another company''s member finds no conversation');
select tests.clear_authentication();
select throws_ok($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$, '42501', null,
  'anon cannot send');

-- ─── as owner of tenant A: a closed conversation ─────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok($$ insert into kept select 'owner', public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['Bia', 'Renum']) $$,
  'an owner sends one too');
update public.conversations set status = 'closed' where id = pg_temp.meta_conversation();
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$),
  'conversation_closed', 'a closed conversation takes no template');

-- ─── as the service role: the claim hands the template over ──────────────────────────────────
select tests.authenticate_as_service_role();
create temporary table claimed as select * from private.claim_outbound_deliveries('worker-t', 20, 60);
select is((select row(customer_window_open, template ->> 'name', template -> 'parameters', body)::text from claimed
           where message_id = (select id from kept where label = 'sent')),
  row(false, 'boas_vindas', '["Ana", "Renum"]'::jsonb, 'Olá Ana, aqui é a Renum.')::text,
  'the job carries its template with the window closed');
select is((select count(*)::int from claimed), 1, 'one job per conversation at a time, in order');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.meta_conversation(), 'boas_vindas', 'pt_BR', array['a', 'b']) $$),
  'conversation_not_found', 'the service is no person: it sends through its own functions');

select * from finish();
rollback;
