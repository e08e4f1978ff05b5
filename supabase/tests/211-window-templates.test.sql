-- Window templates per actor: an owner or admin names the approved template (no variable or one)
-- that free text goes as outside a Meta number's 24-hour window; the delivery claim then hands a
-- text message whose window is closed over as that template, its variable the text on one line,
-- and records it in the message. Members, analysts, another company's member and anon cannot
-- choose it; a Z-API number, a paused template and one with two variables are refused with their
-- codes; nobody writes the column by hand; with the window open, or without a window template,
-- text stays text.
begin;
set search_path to public, extensions, tests;

select plan(20);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'nova_mensagem', 'pt_BR', 'utility', 'approved', 'Você tem uma nova mensagem: {{1}}'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'retomar', 'pt_BR', 'utility', 'approved', 'Podemos retomar a conversa?'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'boas_vindas', 'pt_BR', 'utility', 'approved', 'Olá {{1}}, aqui é a {{2}}.'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'promo', 'pt_BR', 'marketing', 'paused', 'Promoção: {{1}}');
-- Quiet: the company wrote from its phone, the contact never did (closed). Talking: wrote an hour ago (open).
select private.record_webhook_message(tests.inbox_id('Meta A'), jsonb_build_object('contact_phone', '5511987653333',
  'contact_name', 'Quieta', 'direction', 'out', 'role', 'human', 'type', 'text', 'body', 'do celular', 'provider_message_id', 'wamid.echo3'));
select private.record_webhook_message(tests.inbox_id('Meta A'), jsonb_build_object('contact_phone', '5511987654444',
  'contact_name', 'Falante', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'oi', 'provider_message_id', 'wamid.in4'));

create temporary table ids as select display_name, id from public.inboxes;
grant select on ids to public;
create function pg_temp.set_window(inbox text, name text, language text default 'pt_BR') returns text
language sql as $$
  select tests.error_code(format('select public.set_inbox_window_template(%L, %L, %L)',
    (select id from pg_temp.ids where display_name = inbox), name, language))
$$;
grant execute on function pg_temp.set_window(text, text, text) to anon, authenticated, service_role;
create function pg_temp.window_template() returns jsonb
language sql as $$ select window_template from public.inboxes where id = tests.inbox_id('Meta A') $$;

-- ─── who may choose it ───────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(pg_temp.set_window('Meta A', 'nova_mensagem'), 'templates_managed_by_inbox_managers', 'a member cannot choose the window template');
select tests.authenticate_as('analyst_a');
select is(pg_temp.set_window('Meta A', 'nova_mensagem'), 'templates_managed_by_inbox_managers', 'nor an analyst');
select tests.authenticate_as('owner_b');
select is(pg_temp.set_window('Meta A', 'nova_mensagem'), 'inbox_not_found', 'another company''s owner does not find the inbox');
select tests.clear_authentication();
select throws_ok(format($$ select public.set_inbox_window_template(%L, 'nova_mensagem', 'pt_BR') $$, tests.inbox_id('Meta A')),
  '42501', null, 'anon cannot call it');

-- ─── as owner of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(pg_temp.set_window('Line A', 'nova_mensagem'), 'inbox_not_meta', 'a Z-API number has no window');
select is(pg_temp.set_window('Meta A', 'nao_existe'), 'template_not_found', 'an unknown template is refused');
select is(pg_temp.set_window('Meta A', 'promo'), 'template_not_approved', 'so is a paused one');
select is(pg_temp.set_window('Meta A', 'boas_vindas'), 'window_template_parameters', 'and one with two variables');
select is(pg_temp.window_template(), null, 'nothing refused was written');
select lives_ok(format($$ select public.set_inbox_window_template(%L, 'nova_mensagem', 'pt_BR') $$, tests.inbox_id('Meta A')),
  'the owner names an approved template with one variable');
select is(pg_temp.window_template(), '{"name": "nova_mensagem", "language": "pt_BR"}'::jsonb, 'the inbox keeps its name and language');
select throws_ok(format($$ update public.inboxes set window_template = '{"name": "promo", "language": "pt_BR"}' where id = %L $$,
  tests.inbox_id('Meta A')), '42501', null, 'nobody writes the column by hand');
reset role;
select throws_ok(format($$ update public.inboxes set window_template = '{"name": "retomar", "language": "pt_BR"}' where id = %L $$,
  tests.inbox_id('Line A')), '23514', null, 'not even the database owner gives a Z-API number a window template');

-- ─── as the service role: the claim ──────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
create temporary table sent (label text primary key, id uuid);
insert into sent values
  ('quiet', private.append_outbound_message(tests.conversation_id('Meta A', '+5511987653333'), 'assistant',
     E'Seu pedido chegou.\n\nQualquer dúvida,   é só chamar.')),
  ('talking', private.append_outbound_message(tests.conversation_id('Meta A', '+5511987654444'), 'assistant', 'Oi! Tudo certo?'));
create temporary table claimed as select * from private.claim_outbound_deliveries('worker-w', 20, 60);
select is((select row(customer_window_open, template)::text from claimed where message_id = (select id from sent where label = 'quiet')),
  row(false, '{"name": "nova_mensagem", "language": "pt_BR", "category": "utility", "source": "window",
               "parameters": ["Seu pedido chegou. Qualquer dúvida, é só chamar."]}'::jsonb)::text,
  'text to a quiet contact goes as the window template, the text on one line as its variable');
select is((select metadata -> 'template' ->> 'source' from public.messages where id = (select id from sent where label = 'quiet')),
  'window', 'and the message records it');
select is((select template from claimed where message_id = (select id from sent where label = 'talking')), null,
  'text to a contact who wrote an hour ago stays text');
select is(private.template_parameter_text(repeat('palavra ', 200)), left(repeat('palavra ', 200), 1023) || '…',
  'a long text is cut to Meta''s 1,024 characters');

-- Without a usable window template, text outside the window is text (and fails as before).
reset role;
update public.message_templates set status = 'paused' where name = 'nova_mensagem';
update private.outbound_deliveries set status = 'sent', lease_owner = null, lease_expires_at = null where message_id = (select id from sent where label = 'quiet');
select tests.authenticate_as_service_role();
insert into sent values ('paused', private.append_outbound_message(tests.conversation_id('Meta A', '+5511987653333'), 'assistant', 'Segunda'));
select is((select template from private.claim_outbound_deliveries('worker-w', 20, 60) where message_id = (select id from sent where label = 'paused')),
  null, 'a window template Meta paused is not used');
select tests.authenticate_as('owner_a');
select lives_ok(format($$ select public.set_inbox_window_template(%L, null) $$, tests.inbox_id('Meta A')), 'the owner clears it');
select is(pg_temp.window_template(), null, 'and the inbox has none');

select * from finish();
rollback;
