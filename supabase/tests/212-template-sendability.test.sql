-- Templates Renum can send: a send carries the body's numbered values only, so a template that
-- also needs a header value or media, a button value, a carousel or named variables is not
-- sendable. Each template says what it needs (parameters_beyond_body, from its components as Meta
-- listed them); a person's send and the window template refuse one that needs anything with
-- template_needs_more_parameters and write nothing; an invitation never picks it; and a sync that
-- changes the chosen window template so that it needs more clears the choice.
begin;
set search_path to public, extensions, tests;

select plan(17);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select private.record_webhook_message(tests.inbox_id('Meta A'), jsonb_build_object('contact_phone', '5511987651111',
  'contact_name', 'Lead', 'direction', 'out', 'role', 'human', 'type', 'text', 'body', 'do celular', 'provider_message_id', 'wamid.echo1'));
create function pg_temp.conversation() returns uuid language sql as $$ select tests.conversation_id('Meta A', '+5511987651111') $$;
grant execute on function pg_temp.conversation() to authenticated, service_role;

-- ─── what a template needs, from its components ──────────────────────────────────────────────
select is(private.template_parameters_beyond_body('[{"type": "BODY", "text": "Olá {{1}}"}, {"type": "FOOTER", "text": "Renum"},
  {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Sim"}, {"type": "URL", "text": "Site", "url": "https://renum.example/"},
  {"type": "PHONE_NUMBER", "text": "Ligar", "phone_number": "+5511999990000"}, {"type": "FLOW", "text": "Abrir"}]}]'),
  '{}'::text[], 'a body with numbered values, a footer, quick replies, a static link, a phone and a flow need nothing more');
select is(private.template_parameters_beyond_body('[{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"}, {"type": "BODY", "text": "Oi"}]'),
  array['header_text'], 'a header with a variable needs its value');
select is(private.template_parameters_beyond_body('[{"type": "HEADER", "format": "TEXT", "text": "Novidades"}, {"type": "BODY", "text": "Oi"}]'),
  '{}'::text[], 'a header without one does not');
select is(private.template_parameters_beyond_body('[{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Oi"}]'),
  array['header_media'], 'an image header needs the image');
select is(private.template_parameters_beyond_body('[{"type": "header", "format": "location"}]'),
  array['header_location'], 'a location header needs the place (Meta''s words in any case)');
select is(private.template_parameters_beyond_body('[{"type": "BODY", "text": "Olá {{first_name}}"},
  {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear", "url": "https://renum.example/{{1}}"}, {"type": "COPY_CODE", "example": "RENUM10"}]}]'),
  array['body_named_parameters', 'button_copy_code', 'button_url'], 'named body variables, a link with a variable and a code to copy, sorted');
select is(private.template_parameters_beyond_body('[{"type": "BODY", "text": "Código {{1}}"}, {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
  {"type": "CAROUSEL", "cards": []}]'), array['button_otp', 'carousel'], 'a one-time password and a carousel');

insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text, components) values
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'aviso', 'pt_BR', 'utility', 'approved', 'Nova mensagem: {{1}}',
   '[{"type": "BODY", "text": "Nova mensagem: {{1}}"}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'oferta', 'pt_BR', 'marketing', 'approved', 'Veja: {{1}}',
   '[{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Veja: {{1}}"}]'),
  (tests.tenant_id('tenant-a'), tests.inbox_id('Meta A'), 'rastreio', 'pt_BR', 'utility', 'approved', 'Seu pedido saiu: {{1}}',
   '[{"type": "BODY", "text": "Seu pedido saiu: {{1}}"}, {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear", "url": "https://renum.example/{{1}}"}]}]');
select is((select array_agg(row(name, parameters_beyond_body)::text order by name) from public.message_templates),
  array[row('aviso', '{}'::text[])::text, row('oferta', array['header_media'])::text, row('rastreio', array['button_url'])::text],
  'each stored template says what it needs');

-- ─── a person's send ─────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(tests.error_code($$ select public.reply_with_template(pg_temp.conversation(), 'oferta', 'pt_BR', array['a promoção']) $$),
  'template_header_missing', 'a member cannot send a template that needs an image without its link (213 has the rest)');
select is((select count(*)::int from public.messages where metadata ? 'template'), 0, 'and nothing was written');
select lives_ok($$ select public.reply_with_template(pg_temp.conversation(), 'aviso', 'pt_BR', array['chegou']) $$,
  'a template whose body takes all its values is sent');

-- ─── the window template ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select public.set_inbox_window_template(%L, 'rastreio', 'pt_BR') $$, tests.inbox_id('Meta A'))),
  'template_needs_more_parameters', 'the owner cannot make a template with a link variable the window template');
select lives_ok(format($$ select public.set_inbox_window_template(%L, 'aviso', 'pt_BR') $$, tests.inbox_id('Meta A')),
  'a sendable one is chosen');

-- A sync brings `aviso` back edited at Meta, now with an image header: the choice is cleared.
select public.replace_message_templates(tests.inbox_id('Meta A'), '[
  {"name": "aviso", "language": "pt_BR", "category": "utility", "status": "approved", "body_text": "Nova mensagem: {{1}}",
   "components": [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Nova mensagem: {{1}}"}]}]');
select is((select window_template from public.inboxes where id = tests.inbox_id('Meta A')), null,
  'a sync that makes the window template need more clears the choice');
select public.replace_message_templates(tests.inbox_id('Meta A'), '[
  {"name": "aviso", "language": "pt_BR", "category": "utility", "status": "approved", "body_text": "Nova mensagem: {{1}}", "components": [{"type": "BODY", "text": "Nova mensagem: {{1}}"}]},
  {"name": "rastreio", "language": "pt_BR", "category": "utility", "status": "approved", "body_text": "Seu pedido saiu: {{1}}",
   "components": [{"type": "BODY", "text": "Seu pedido saiu: {{1}}"}, {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear", "url": "https://renum.example/{{1}}"}]}]}]');
select public.set_inbox_window_template(tests.inbox_id('Meta A'), 'aviso', 'pt_BR');
select public.replace_message_templates(tests.inbox_id('Meta A'), '[
  {"name": "aviso", "language": "pt_BR", "category": "utility", "status": "approved", "body_text": "Nova mensagem: {{1}}", "components": [{"type": "BODY", "text": "Nova mensagem: {{1}}"}]},
  {"name": "rastreio", "language": "pt_BR", "category": "utility", "status": "approved", "body_text": "Seu pedido saiu: {{1}}",
   "components": [{"type": "BODY", "text": "Seu pedido saiu: {{1}}"}, {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear", "url": "https://renum.example/{{1}}"}]}]}]');
select is((select window_template from public.inboxes where id = tests.inbox_id('Meta A')), '{"name": "aviso", "language": "pt_BR"}'::jsonb,
  'a sync that leaves it sendable keeps it, while another template needs more');

-- ─── invitations and reminders ───────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(private.usable_interview_template(tests.inbox_id('Meta A'), '{"name": "rastreio", "language": "pt_BR"}', 1), null,
  'an invitation does not use a template with a link variable (it waits as invitation_template_unusable)');
select isnt(private.usable_interview_template(tests.inbox_id('Meta A'), '{"name": "aviso", "language": "pt_BR"}', 1), null,
  'it uses a sendable one');

select * from finish();
rollback;
