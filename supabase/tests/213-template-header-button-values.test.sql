-- A person sends templates that need a header value, header media or button values: each template
-- says what a person gives (values_to_give) and what Renum cannot send at all
-- (parameters_unsendable); public.reply_with_template takes exactly those values, checks them
-- (each refusal with its code, nothing written), stores them in metadata.template for the
-- outbound worker and renders the header's text into the message. Automatic sends (the window
-- template, invitations) still refuse any template that needs values. Per actor: member and owner
-- send, analyst, another company's member, anon and the service role cannot.
begin;
set search_path to public, extensions, tests;

select plan(34);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select private.record_webhook_message(tests.inbox_id('Meta A'), jsonb_build_object('contact_phone', '5511987651111',
  'contact_name', 'Lead', 'direction', 'out', 'role', 'human', 'type', 'text', 'body', 'do celular', 'provider_message_id', 'wamid.echo1'));
create function pg_temp.conversation() returns uuid language sql as $$ select tests.conversation_id('Meta A', '+5511987651111') $$;
grant execute on function pg_temp.conversation() to anon, authenticated, service_role;
create temporary table kept (label text primary key, id uuid);
grant all on kept to authenticated, service_role;

-- ─── what a person gives, from the components ────────────────────────────────────────────────
select is(private.template_values_to_give('[{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"}, {"type": "BODY", "text": "Oi {{1}}"},
  {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Sim"}, {"type": "URL", "text": "Rastrear", "url": "https://renum.example/p/{{1}}"},
  {"type": "COPY_CODE", "example": "RENUM10"}]}]'),
  '{"header": {"format": "text", "text": "Pedido {{1}}"}, "buttons": [{"index": 1, "type": "url", "text": "Rastrear", "url": "https://renum.example/p/{{1}}"},
    {"index": 2, "type": "copy_code"}]}'::jsonb,
  'a text header with {{1}}, a link ending in {{1}} and a code to copy, each button by its position');
select is(private.template_values_to_give('[{"type": "HEADER", "format": "DOCUMENT"}, {"type": "BODY", "text": "Segue"}]'),
  '{"header": {"format": "document"}, "buttons": []}'::jsonb, 'a document header takes its link');
select is(private.template_values_to_give('[{"type": "HEADER", "format": "TEXT", "text": "Novidades"}, {"type": "BODY", "text": "Oi"}]'),
  '{"header": null, "buttons": []}'::jsonb, 'a header without a variable takes nothing');
select is(private.template_parameters_unsendable('[{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Oi {{1}}"},
  {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Ver", "url": "https://renum.example/{{1}}"}, {"type": "COPY_CODE", "example": "X"}]}]'),
  '{}'::text[], 'media, a link''s end and a code are all a person can give');
select is(private.template_parameters_unsendable('[{"type": "HEADER", "format": "TEXT", "text": "Oi {{nome}}"}, {"type": "BODY", "text": "Oi {{primeiro_nome}}"},
  {"type": "CAROUSEL", "cards": []}]'),
  array['body_named_parameters', 'carousel', 'header_text'], 'named variables (header or body) and carousels stay unsendable');
select is(private.template_parameters_unsendable('[{"type": "HEADER", "format": "LOCATION"}, {"type": "BUTTONS", "buttons": [
  {"type": "URL", "text": "Ver", "url": "https://{{1}}.renum.example/"}, {"type": "OTP", "otp_type": "COPY_CODE"}]}, {"type": "LIMITED_TIME_OFFER"}]'),
  array['button_otp', 'button_url', 'header_location', 'limited_time_offer'],
  'so do a location, a link whose variable is not its end, a one-time password and a limited-time offer');

insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text, components) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'pedido', 'pt_BR', 'utility', 'approved', 'Seu pedido saiu, {{1}}.',
   '[{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"}, {"type": "BODY", "text": "Seu pedido saiu, {{1}}."},
     {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Ok"}, {"type": "URL", "text": "Rastrear", "url": "https://renum.example/p/{{1}}"},
       {"type": "COPY_CODE", "example": "RENUM10"}]}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'folheto', 'pt_BR', 'marketing', 'approved', 'Veja as ofertas',
   '[{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Veja as ofertas"}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'boleto', 'pt_BR', 'utility', 'approved', 'Seu boleto',
   '[{"type": "HEADER", "format": "DOCUMENT"}, {"type": "BODY", "text": "Seu boleto"}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'vitrine', 'pt_BR', 'marketing', 'approved', 'Escolha',
   '[{"type": "BODY", "text": "Escolha"}, {"type": "CAROUSEL", "cards": []}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'simples', 'pt_BR', 'utility', 'approved', 'Oi {{1}}',
   '[{"type": "BODY", "text": "Oi {{1}}"}]');
select is((select array_agg(row(name, parameters_beyond_body, parameters_unsendable)::text order by name) from public.message_templates),
  array[row('boleto', array['header_media'], '{}'::text[])::text, row('folheto', array['header_media'], '{}'::text[])::text,
        row('pedido', array['button_copy_code', 'button_url', 'header_text'], '{}'::text[])::text, row('simples', '{}'::text[], '{}'::text[])::text,
        row('vitrine', array['carousel'], array['carousel'])::text],
  'each stored template says what it needs and what of it Renum cannot send');

-- ─── as member of tenant A ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok($$ insert into kept select 'pedido', public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'],
  '{"text": "#123"}', '[{"index": 2, "value": "RENUM10"}, {"index": 1, "value": "123?x=1"}]') $$,
  'a member sends a template with its header and button values');
select is((select body from public.messages where id = (select id from kept where label = 'pedido')), E'Pedido #123\nSeu pedido saiu, Ana.',
  'the message holds the header''s text and the body');
select is((select metadata -> 'template' from public.messages where id = (select id from kept where label = 'pedido')),
  '{"name": "pedido", "language": "pt_BR", "category": "utility", "parameters": ["Ana"], "header": {"format": "text", "text": "#123"},
    "buttons": [{"index": 1, "type": "url", "value": "123?x=1"}, {"index": 2, "type": "copy_code", "value": "RENUM10"}]}'::jsonb,
  'and the values in its metadata, buttons in order, for the outbound worker');
select lives_ok($$ insert into kept select 'boleto', public.reply_with_template(pg_temp.conversation(), 'boleto', 'pt_BR', '{}',
  '{"link": "https://files.renum.example/boleto.pdf", "filename": "boleto.pdf"}') $$, 'a document header with its link and file name');
select is((select row(body, metadata -> 'template' -> 'header')::text from public.messages where id = (select id from kept where label = 'boleto')),
  row('Seu boleto', '{"format": "document", "link": "https://files.renum.example/boleto.pdf", "filename": "boleto.pdf"}'::jsonb)::text,
  'media stays out of the text and goes in the metadata');

select is(tests.raised($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR') $$),
  '{"state": "P0001", "code": "template_header_missing", "detail": {"format": "image"}}'::jsonb, 'an image header without its link is refused, saying which');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'simples', 'pt_BR', array['a'], '{"text": "x"}') $$),
  'template_header_not_expected', 'a header value for a template whose header takes none');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "http://renum.example/a.png"}') $$),
  'template_header_link_invalid', 'a link that is not https');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a b.png"}') $$),
  'template_header_link_invalid', 'a link with a space');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a.png", "filename": "a.png"}') $$),
  'template_header_invalid', 'a file name is for documents only');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"text": "oi"}') $$),
  'template_header_invalid', 'text where the header is an image');
select is(tests.error_code(format($$ select public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'], %L,
  '[{"index": 1, "value": "1"}, {"index": 2, "value": "C"}]') $$, jsonb_build_object('text', repeat('x', 61)))),
  'template_header_invalid', 'a header value over 60 characters');
select is(tests.raised($$ select public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'], '{"text": "#1"}',
  '[{"index": 1, "value": "1"}]') $$),
  '{"state": "P0001", "code": "template_buttons_mismatch", "detail": {"expected": [1, 2], "given": [1]}}'::jsonb,
  'a missing button value is refused with the indexes it takes');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'], '{"text": "#1"}',
  '[{"index": 0, "value": "1"}, {"index": 1, "value": "1"}, {"index": 2, "value": "C"}]') $$),
  'template_buttons_mismatch', 'so is a value for a button that takes none');
select is(tests.raised($$ select public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'], '{"text": "#1"}',
  '[{"index": 1, "value": "1"}, {"index": 2, "value": "CODIGO-LONGO-DEMAIS"}]') $$),
  '{"state": "P0001", "code": "template_button_invalid", "detail": {"index": 2}}'::jsonb, 'a code over 15 characters, naming the button');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'pedido', 'pt_BR', array['Ana'], '{"text": "#1"}',
  '[{"index": 1.0, "value": "1"}, {"index": 2, "value": "C D"}]') $$),
  'template_button_invalid', 'an index written as 1.0 is the button 1 (and a code with a space is refused)');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'vitrine', 'pt_BR') $$),
  'template_needs_more_parameters', 'a carousel is still refused');
select is((select count(*)::int from public.messages where metadata ? 'template'), 2, 'nothing refused was written');

-- ─── as owner of tenant A; the automatic sends ───────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/oferta.png"}') $$,
  'an owner sends an image header');
select is(tests.error_code(format($$ select public.set_inbox_window_template(%L, 'boleto', 'pt_BR') $$, tests.inbox_id('Meta A'))),
  'template_needs_more_parameters', 'the window template has nobody to give a header: still refused');

-- ─── as analyst of tenant A, member of tenant B, anon, the service role ──────────────────────
select tests.authenticate_as('analyst_a');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a.png"}') $$),
  'conversations_reply_by_handlers', 'an analyst cannot send');
select tests.authenticate_as('member_b');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a.png"}') $$),
  'conversation_not_found', 'another company''s member finds no conversation');
select tests.clear_authentication();
select throws_ok($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a.png"}') $$,
  '42501', null, 'anon cannot send');
select tests.authenticate_as_service_role();
select is(tests.error_code(format($$ update public.inboxes set window_template = '{"name": "pedido", "language": "pt_BR"}' where id = %L $$, tests.inbox_id('Meta A'))),
  'template_needs_more_parameters', 'nor can the window template be set to one some other way');
select is(private.usable_interview_template(tests.inbox_id('Meta A'), '{"name": "folheto", "language": "pt_BR"}', 0), null,
  'an invitation does not use a template that needs a header');
create temporary table claimed as select * from private.claim_outbound_deliveries('worker-t', 20, 60);
select is((select template -> 'buttons' from claimed where message_id = (select id from kept where label = 'pedido')),
  '[{"index": 1, "type": "url", "value": "123?x=1"}, {"index": 2, "type": "copy_code", "value": "RENUM10"}]'::jsonb,
  'the delivery claim hands the values to the outbound worker');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'folheto', 'pt_BR', '{}', '{"link": "https://renum.example/a.png"}') $$),
  'conversation_not_found', 'the service is no person');

select * from finish();
rollback;
