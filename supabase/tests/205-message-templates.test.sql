-- A Meta inbox's message templates per actor: owners and admins sync (replace) them, members and
-- analysts read them, another company's member, anon and a platform admin see nothing; the service
-- reads them. The rules: templates belong to a Meta inbox of the row's company, one per inbox,
-- name and language; the body's parameter count follows its {{n}}; a sync replaces the whole list.
begin;
set search_path to public, extensions, tests;

select plan(30);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Meta A', null, '{"meta_phone_number_id": "5550001", "meta_waba_id": "9990001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'meta_cloud', 'Meta B', null, '{"meta_phone_number_id": "5550002"}',
  '{"app_secret": "app-secret-b", "access_token": "token-b"}');

create function pg_temp.two_templates() returns jsonb language sql as $$
  select '[{"name": "boas_vindas", "language": "pt_BR", "category": "utility", "status": "approved",
            "body_text": "Olá {{1}}, aqui é a {{2}}.", "components": [{"type": "BODY", "text": "Olá {{1}}, aqui é a {{2}}."}]},
           {"name": "promo", "language": "pt_BR", "category": "marketing", "status": "pending", "body_text": "Promoção!", "components": []}]'::jsonb $$;
grant execute on function pg_temp.two_templates() to authenticated, service_role;

-- ─── helpers ─────────────────────────────────────────────────────────────────────────────────
select is(private.template_body_parameter_count('Olá {{1}}, pedido {{2}} e de novo {{ 1 }}'), 2, 'a body takes as many parameters as its highest {{n}}');
select is(private.template_body_parameter_count('Sem parâmetros'), 0, 'a body without placeholders takes none');
select is(private.render_template_body('Olá {{1}}, pedido {{2}}!', array['Ana {{2}}', '42']), 'Olá Ana {{2}}, pedido 42!',
  'rendering fills each placeholder once; a parameter''s own braces are left as text');

-- ─── as owner of tenant A: sync ──────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(public.replace_message_templates(tests.inbox_id('Meta A'), pg_temp.two_templates()), 2, 'an owner replaces the inbox''s templates with two');
select is((select body_parameter_count from public.message_templates where name = 'boas_vindas'), 2, 'the parameter count follows the body');
select is((select status::text from public.message_templates where name = 'promo'), 'pending', 'statuses are kept');
select is(public.replace_message_templates(tests.inbox_id('Meta A'), '[{"name": "boas_vindas", "language": "pt_BR", "category": "utility",
  "status": "paused", "body_text": "Olá {{1}}"}]'), 1, 'a second sync replaces the list');
select is((select string_agg(name || ':' || status || ':' || body_parameter_count, ',') from public.message_templates), 'boas_vindas:paused:1',
  'a template gone at Meta is gone here, and the kept one has Meta''s latest status and body');
select is(tests.error_code(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Line A'))), 'inbox_not_meta',
  'a Z-API number has no templates');
select is(tests.error_code(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta B'))), 'inbox_not_found',
  'another company''s inbox is not found');
select throws_ok(format($$ select public.replace_message_templates(%L, '[{"name": "Bad Name", "language": "pt_BR", "category": "utility", "status": "approved"}]') $$,
  tests.inbox_id('Meta A')), '23514', null, 'a name Meta would not give is refused');
select throws_ok(format($$ select public.replace_message_templates(%L, '[{"name": "a", "language": "pt_BR", "category": "utility", "status": "approved"},
  {"name": "a", "language": "pt_BR", "category": "utility", "status": "approved"}]') $$, tests.inbox_id('Meta A')),
  '23505', null, 'one template per inbox, name and language');
select is(tests.error_code(format($$ insert into public.message_templates (tenant_id, inbox_id, name, language, category, status)
  values (%L, %L, 'x', 'pt_BR', 'utility', 'approved') $$, tests.tenant_id('tenant-a'), tests.inbox_id('Line A'))), 'inbox_not_meta',
  'a row on a Z-API number is refused');
select is(tests.error_code(format($$ insert into public.message_templates (tenant_id, inbox_id, name, language, category, status)
  values (%L, %L, 'x', 'pt_BR', 'utility', 'approved') $$, tests.tenant_id('tenant-a'), tests.inbox_id('Meta B'))), 'message_template_inbox_not_in_tenant',
  'a row on another company''s inbox is refused');
select throws_ok($$ update public.message_templates set body_parameter_count = 7 $$, '428C9', null, 'the parameter count is not written by hand');
select throws_ok(format($$ update public.message_templates set inbox_id = %L $$, tests.inbox_id('Line A')), '42501', null,
  'a template does not move to another inbox');

-- ─── as admin of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
select is(public.replace_message_templates(tests.inbox_id('Meta A'), pg_temp.two_templates()), 2, 'an admin syncs too');

-- ─── as member and analyst of tenant A ───────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.message_templates), 2, 'a member reads the company''s templates');
select is(tests.error_code(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta A'))),
  'templates_managed_by_inbox_managers', 'a member cannot sync');
select throws_ok(format($$ insert into public.message_templates (tenant_id, inbox_id, name, language, category, status)
  values (%L, %L, 'x', 'pt_BR', 'utility', 'approved') $$, tests.tenant_id('tenant-a'), tests.inbox_id('Meta A')), '42501', null,
  'a member cannot add a template');
update public.message_templates set status = 'approved';
delete from public.message_templates;
select tests.authenticate_as('analyst_a');
select is((select string_agg(name || ':' || status, ',' order by name) from public.message_templates), 'boas_vindas:approved,promo:pending',
  'an analyst reads them, and the member changed and deleted nothing');
select is(tests.error_code(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta A'))),
  'templates_managed_by_inbox_managers', 'an analyst cannot sync');

-- ─── as member of tenant B, platform admin, anon ─────────────────────────────────────────────
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.message_templates), 0, 'another company''s member reads nothing');
delete from public.message_templates;
select is(tests.error_code(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta A'))), 'inbox_not_found',
  'and cannot sync it: not found');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.message_templates), 0, 'a platform admin reads no company''s templates directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.message_templates $$, '42501', null, 'anon reads nothing');
select throws_ok(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta A')), '42501', null, 'anon cannot sync');

-- ─── as the service role ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.message_templates where inbox_id = tests.inbox_id('Meta A')), 2,
  'the service reads them, and B''s member deleted nothing');

-- ─── suspended company, deleted inbox ────────────────────────────────────────────────────────
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');
select tests.authenticate_as('owner_a');
select throws_ok(format($$ select public.replace_message_templates(%L, '[]') $$, tests.inbox_id('Meta A')), null, null,
  'a suspended company cannot sync');
select tests.authenticate_as_service_role();
update public.tenants set status = 'active' where id = tests.tenant_id('tenant-a');
select tests.authenticate_as('owner_a');
delete from public.inboxes where id = tests.inbox_id('Meta A');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.message_templates), 0, 'an inbox''s templates go with it');

select * from finish();
rollback;
