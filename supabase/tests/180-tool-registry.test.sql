-- Company HTTP tools (tenant_tools) and their secret headers, per actor; the engine-only step_tools
-- and record_tool_call.
begin;
set search_path to public, extensions, tests;
select plan(14);

select tests.create_two_tenants();

select tests.authenticate_as('owner_a');
insert into public.tenant_tools (tenant_id, name, url, method) values (tests.tenant_id('tenant-a'), 'crm_lookup', 'https://crm.example.com/lookup', 'GET');
select is((select count(*)::int from public.tenant_tools), 1, 'the owner creates and reads the company''s tool');
select is(tests.error_code($$insert into public.tenant_tools (tenant_id, name, url) values (tests.tenant_id('tenant-a'), 'current_time', 'https://x.example.com')$$),
  'tenant_tool_name_taken', 'a company tool may not take a built-in''s name: tools: "');
select is(tests.error_code($$insert into public.tenant_tools (tenant_id, name, url) values (tests.tenant_id('tenant-a'), 'inner', 'http://127.0.0.1/x')$$),
  'address_not_allowed', 'an internal address is refused');
select lives_ok($$select public.set_tenant_tool_secret((select id from public.tenant_tools where name = 'crm_lookup'), 'Authorization', 'Bearer s3cret')$$,
  'the owner sets a secret header');
select is(public.tenant_tool_secret_names((select id from public.tenant_tools where name = 'crm_lookup')), array['Authorization'],
  'members see the secret header''s name');

select tests.authenticate_as('member_a');
select is((select count(*)::int from public.tenant_tools), 1, 'a member reads the company''s tools');
select throws_ok($$insert into public.tenant_tools (tenant_id, name, url) values (tests.tenant_id('tenant-a'), 'member_tool', 'https://x.example.com')$$,
  '42501', null, 'a member cannot create a tool');
select is(tests.error_code($$select public.set_tenant_tool_secret((select id from public.tenant_tools where name = 'crm_lookup'), 'X-Key', 'v')$$),
  'tenant_tool_not_found', 'a member cannot set a secret');

select tests.authenticate_as('analyst_a');
delete from public.tenant_tools;
select is((select count(*)::int from public.tenant_tools), 1, 'an analyst deletes nothing');

select tests.authenticate_as('member_b');
select is((select count(*)::int from public.tenant_tools), 0, 'another company''s member sees none');

select tests.clear_authentication();
set local role anon;
select throws_ok($$select count(*) from public.tenant_tools$$, '42501', null, 'anon reads nothing');

select tests.authenticate_as('member_a');
select throws_ok($$select private.step_tools(gen_random_uuid())$$, '42501', null, 'only the engine can read a step''s tools');
select throws_ok($$select private.record_tool_call(gen_random_uuid(), 'w', 1, '{}')$$, '42501', null, 'only the engine can record tool calls');

select tests.authenticate_as('owner_a');
delete from public.tenant_tools where name = 'crm_lookup';
reset role;
select is((select count(*)::int from vault.secrets where name like 'renum_tool_%'), 0, 'a deleted tool''s secrets leave Vault (from private.tenant_tool_secrets)');

select * from finish();
rollback;
