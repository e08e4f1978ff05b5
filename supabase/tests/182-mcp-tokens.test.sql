-- MCP tokens (public.mcp_tokens) per actor: owners and admins of the company make, list and revoke
-- them; members, analysts, another company, anon and a platform admin get nothing; only a hash is
-- kept and nobody reads it; the service role (the mcp function) resolves a presented token, which
-- stops working once revoked, expired, when its maker loses manage_tools or the company is suspended.
-- And private.tenant_tool_definition hands the mcp function one company's tool only.
begin;
set search_path to public, extensions, tests;
select plan(30);

select tests.create_two_tenants();
reset role;
create temporary table made (label text primary key, id uuid, token text);
grant all on made to authenticated, service_role, anon;

-- ─── as owner of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
insert into made select 'owner', t.id, t.token from public.create_mcp_token(tests.tenant_id('tenant-a'), 'Claude desktop', 'read') t;
select ok((select token ~ '^rnm_mcp_[0-9a-f]{64}$' from made where label = 'owner'), 'the owner gets the token once, in full');
select is((select count(*)::int from public.mcp_tokens), 1, 'the owner lists the company''s token');
select is((select token_prefix from public.mcp_tokens), (select left(token, 12) from made where label = 'owner'), 'the list shows the token''s first characters only');
select throws_ok($$select token_hash from public.mcp_tokens$$, '42501', null, 'nobody reads the hash through the API');
select is((select count(*)::int from public.audit_log where table_name = 'mcp_tokens' and action = 'insert'), 1, 'making a token is audited');
select ok((select after::text not like '%' || (select token from made where label = 'owner') || '%' from public.audit_log where table_name = 'mcp_tokens'),
  'the audit entry does not hold the token');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), '', 'read')$$), 'mcp_token_name_invalid', 'a token needs a name');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), 'x', 'admin')$$), 'mcp_token_scope_invalid', 'scope is read or read_write');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), 'x', 'read', now() - interval '1 minute')$$),
  'mcp_token_expiry_past', 'an expiry in the past is refused');
select throws_ok($$insert into public.mcp_tokens (tenant_id, name, token_prefix, token_hash, created_by) values (tests.tenant_id('tenant-a'), 'x', 'x', '\x00', auth.uid())$$,
  '42501', null, 'no direct insert: tokens are made by create_mcp_token only');
insert into made select 'expiring', t.id, t.token from public.create_mcp_token(tests.tenant_id('tenant-a'), 'Short', 'read_write', now() + interval '1 hour') t;
insert into public.tenant_tools (tenant_id, name, url, headers) values (tests.tenant_id('tenant-a'), 'crm_lookup', 'https://crm-a.example.com/x', '{"X-Plain": "a"}');
select public.set_tenant_tool_secret((select id from public.tenant_tools where name = 'crm_lookup'), 'Authorization', 'Bearer secret-of-a');

-- ─── as admin of tenant A ────────────────────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
insert into made select 'admin', t.id, t.token from public.create_mcp_token(tests.tenant_id('tenant-a'), 'Admin script', 'read_write') t;
select is((select count(*)::int from public.mcp_tokens), 3, 'an admin makes and lists tokens too');

-- ─── as member and analyst of tenant A ──────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), 'mine', 'read')$$), 'mcp_token_forbidden', 'a member cannot make a token');
select is((select count(*)::int from public.mcp_tokens), 0, 'a member sees no token');
select is(tests.error_code(format('select public.revoke_mcp_token(%L)', (select id from made where label = 'owner'))), 'mcp_token_not_found', 'a member cannot revoke one');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.mcp_tokens), 0, 'an analyst sees no token');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), 'mine', 'read')$$), 'mcp_token_forbidden', 'an analyst cannot make a token');

-- ─── as member of tenant B ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select is((select count(*)::int from public.mcp_tokens), 0, 'another company''s owner sees none of A''s tokens');
select is(tests.error_code($$select * from public.create_mcp_token(tests.tenant_id('tenant-a'), 'theirs', 'read')$$), 'mcp_token_forbidden', 'nor makes one for A');
select is(tests.error_code(format('select public.revoke_mcp_token(%L)', (select id from made where label = 'owner'))), 'mcp_token_not_found', 'nor revokes A''s');

-- ─── as a platform admin and as anon ────────────────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.mcp_tokens), 0, 'a platform admin reads no token');
select tests.clear_authentication();
set local role anon;
select throws_ok($$select count(*) from public.mcp_tokens$$, '42501', null, 'anon reads nothing');
select tests.authenticate_as('member_a');
select throws_ok(format('select * from private.mcp_token_caller(%L)', (select token from made where label = 'owner')), '42501', null, 'a person cannot resolve a token');

-- ─── as the service role (the mcp function) ────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((select row(tenant_id, user_id, scope)::text from private.mcp_token_caller((select token from made where label = 'owner'))),
  row(tests.tenant_id('tenant-a'), tests.get_supabase_uid('owner_a'), 'read')::text, 'a valid token acts for its maker in its company, with its scope');
select is((select count(*)::int from private.mcp_token_caller('rnm_mcp_' || repeat('0', 64))), 0, 'an unknown token resolves to nobody');
select is((select private.tenant_tool_definition(tests.tenant_id('tenant-a'), 'crm_lookup') -> 'headers'),
  '{"X-Plain": "a", "Authorization": "Bearer secret-of-a"}'::jsonb, 'the mcp function gets the company''s tool with its headers');
select is(private.tenant_tool_definition(tests.tenant_id('tenant-b'), 'crm_lookup'), null, 'and nothing of another company''s');

-- Revoked, expired, maker demoted, company suspended: each resolves to nobody.
select tests.authenticate_as('owner_a');
select public.revoke_mcp_token((select id from made where label = 'owner'));
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.mcp_token_caller((select token from made where label = 'owner'))), 0, 'a revoked token resolves to nobody');
reset role;
update public.mcp_tokens set expires_at = now() - interval '1 second' where id = (select id from made where label = 'expiring');
select is((select count(*)::int from private.mcp_token_caller((select token from made where label = 'expiring'))), 0, 'an expired token resolves to nobody');
update public.memberships set role = 'member' where user_id = tests.get_supabase_uid('admin_a');
select is((select count(*)::int from private.mcp_token_caller((select token from made where label = 'admin'))), 0, 'a token whose maker lost manage_tools resolves to nobody');
update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('admin_a');
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');
select is((select count(*)::int from private.mcp_token_caller((select token from made where label = 'admin'))), 0, 'a suspended company''s token resolves to nobody');

select * from finish();
rollback;
