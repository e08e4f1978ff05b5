-- Inboxes and their secrets, per actor: owners and admins create, change, delete and rotate;
-- members and analysts read (the secrets' last four only); another company's member, anon and a
-- platform admin see nothing; only the service role reads a secret in plaintext. Secrets are
-- stored encrypted with the provider-key encryption key; creations and rotations are audited.
begin;
set search_path to public, extensions, tests;

select plan(52);

select tests.create_two_tenants();

-- ─── creating ────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select ok(
  (select (r -> 'inbox' ->> 'display_name') = 'Sales' and char_length(r ->> 'verify_token') >= 32
   from (select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Sales', '+55 11 98765-0000',
           '{"meta_phone_number_id": "1000001", "meta_waba_id": "2000001"}',
           '{"app_secret": "meta-app-secret-1111", "access_token": "EAAB-access-token-2222"}') as r) created),
  'an owner creates a Meta inbox and gets its generated verify token (32+ characters) once'
);
select tests.authenticate_as('admin_a');
select is(
  (select r -> 'verify_token' from (select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Support', null,
     '{"zapi_instance_id": "ZAPI-INSTANCE-1"}', '{"instance_token": "zapi-instance-3333", "client_token": "zapi-client-4444"}') as r) created),
  'null'::jsonb,
  'an admin creates a Z-API inbox; no verify token for it'
);
select is(
  (select r -> 'inbox' ->> 'evolution_base_url' from (select public.create_inbox(tests.tenant_id('tenant-a'), 'evolution', 'Evo', null,
     '{"evolution_instance_name": "renum-a", "evolution_base_url": "https://evolution.example.com"}', '{"api_key": "evo-api-key-5555"}') as r) created),
  'https://evolution.example.com',
  'an admin creates an Evolution inbox'
);
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'X', null, '{"zapi_instance_id": "Z2"}',
  '{"instance_token": "a-token", "client_token": "b-token", "webhook_token": "c"}') $$, tests.tenant_id('tenant-a'))),
  'inbox_secret_unknown', 'a secret the provider does not have: inbox_secret_unknown');
select is(tests.raised(format($$ select public.create_inbox(%L, 'zapi', 'X', null, '{"zapi_instance_id": "Z2"}', '{"instance_token": "a-token"}') $$,
  tests.tenant_id('tenant-a'))),
  '{"state": "22023", "code": "inbox_secret_missing", "detail": {"field": "secrets.client_token"}}'::jsonb,
  'a missing secret: inbox_secret_missing naming it');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'X', null, '{"zapi_instance_id": "Z2"}',
  '{"instance_token": "a-token", "client_token": 42}') $$, tests.tenant_id('tenant-a'))),
  'inbox_secret_missing', 'a secret that is not text: inbox_secret_missing');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'X', null, '{"zapi_instance_id": "Z2", "meta_waba_id": "1"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))),
  'inbox_provider_ids_invalid', 'another provider''s id: inbox_provider_ids_invalid');
select is(tests.raised(format($$ select public.create_inbox(%L, 'zapi', 'X', null, '{"zapi_instance_id": "ZAPI-INSTANCE-1"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))) ->> 'state',
  '23505', 'a provider instance already connected cannot be connected twice');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'evolution', 'X', null,
  '{"evolution_instance_name": "internal", "evolution_base_url": "http://127.0.0.1:8080"}', '{"api_key": "evo-key"}') $$, tests.tenant_id('tenant-a'))),
  'address_not_allowed', 'an Evolution address inside our network is refused');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'X', '12', '{"zapi_instance_id": "Z3"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))),
  'invalid_phone', 'a number that is not a phone: invalid_phone');

select tests.authenticate_as('member_a');
select is(tests.raised(format($$ select public.create_inbox(%L, 'zapi', 'Mine', null, '{"zapi_instance_id": "Z4"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))) - 'detail',
  '{"state": "42501", "code": "forbidden"}'::jsonb, 'a member cannot create an inbox');
select tests.authenticate_as('analyst_a');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'Mine', null, '{"zapi_instance_id": "Z4"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))),
  'forbidden', 'an analyst cannot create an inbox');
select tests.authenticate_as('member_b');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'Theirs', null, '{"zapi_instance_id": "Z5"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))),
  'forbidden', 'another company''s member cannot create an inbox in A');
select tests.authenticate_as('platform_admin');
select is(tests.error_code(format($$ select public.create_inbox(%L, 'zapi', 'Staff', null, '{"zapi_instance_id": "Z6"}',
  '{"instance_token": "a-token", "client_token": "b-token"}') $$, tests.tenant_id('tenant-a'))),
  'forbidden', 'a platform admin cannot create an inbox in a company');
select tests.clear_authentication();
select throws_ok($$ select public.create_inbox(null, 'zapi', 'Anon', null, '{}', '{}') $$, '42501', null, 'anon cannot call create_inbox');
select tests.authenticate_as_service_role();
select lives_ok(format($$ select public.create_inbox(%L, 'zapi', 'B line', null, '{"zapi_instance_id": "ZAPI-B"}',
  '{"instance_token": "zapi-b-instance", "client_token": "zapi-b-client"}') $$, tests.tenant_id('tenant-b')),
  'the service role creates an inbox');

-- ─── stored encrypted ────────────────────────────────────────────────────────────────────────
reset role;
select is(
  (select count(*)::int from private.inbox_secrets s where s.inbox_id = tests.inbox_id('Sales')
     and position('meta-app-secret'::bytea in s.encrypted_value) = 0 and position('EAAB'::bytea in s.encrypted_value) = 0),
  3, 'Sales keeps three secrets (app secret, access token, verify token), none in plaintext');
select is(
  (select extensions.pgp_sym_decrypt(s.encrypted_value, private.provider_key_encryption_key(s.key_version))
   from private.inbox_secrets s where s.inbox_id = tests.inbox_id('Sales') and s.kind = 'meta_app_secret'),
  'meta-app-secret-1111', 'the secret decrypts with the Vault-held provider-key encryption key of its generation');
select is(
  (select array_agg(after -> 'kinds' order by id) from public.audit_log where table_name = 'inbox_secrets' and record_id = tests.inbox_id('Sales')::text),
  array['["meta_app_secret", "meta_verify_token", "meta_access_token"]'::jsonb], 'creating an inbox audits which secrets it got, never their values');
select is(
  (select count(*)::int from public.audit_log where table_name = 'inboxes' and action = 'insert' and tenant_id = tests.tenant_id('tenant-a')),
  3, 'each inbox created is in the audit log');

-- ─── reading ─────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.inboxes), 3, 'a member reads the company''s inboxes');
select is((select array_agg(last_four order by kind) from public.inbox_secret_hints(tests.inbox_id('Support'))),
  array['3333', '4444'], 'a member reads the last four characters of the secrets');
select throws_ok($$ select * from private.inbox_secrets $$, '42501', null, 'a member cannot reach the secrets table');
select throws_ok(format($$ select private.inbox_secret(%L, 'zapi_client_token') $$, tests.inbox_id('Support')), '42501', null,
  'a member cannot read a secret in plaintext');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.inboxes), 3, 'an analyst reads the company''s inboxes');
select is((select count(*)::int from public.inbox_secret_hints(tests.inbox_id('Sales'))), 3, 'an analyst reads the hints');
select tests.authenticate_as('member_b');
select is((select array_agg(display_name) from public.inboxes), array['B line'], 'a member of B reads only B''s inboxes');
select is(tests.error_code(format($$ select * from public.inbox_secret_hints(%L) $$, tests.inbox_id('Sales'))),
  'inbox_not_found', 'another company''s hints: inbox_not_found');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.inboxes), 0, 'a platform admin reads no company''s inboxes directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.inboxes $$, '42501', null, 'anon reads no inboxes');
select tests.authenticate_as_service_role();
select is(private.inbox_secret(tests.inbox_id('Support'), 'zapi_client_token'), 'zapi-client-4444', 'the service role reads a secret in plaintext');
select is(private.inbox_secret(tests.inbox_id('Support'), 'meta_app_secret'), null, 'a secret the inbox does not have: null');
select throws_ok($$ select * from private.inbox_secrets $$, '42501', null, 'not even the service role reads the ciphertext table');

-- ─── rotating ────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select ok(char_length(public.rotate_inbox_secret(tests.inbox_id('Sales'), 'meta_verify_token')) >= 32,
  'an owner regenerates the verify token and gets it');
select is(public.rotate_inbox_secret(tests.inbox_id('Sales'), 'meta_access_token', 'EAAB-new-token-9999'), null,
  'an owner replaces the access token; nothing is returned');
select is(tests.error_code(format($$ select public.rotate_inbox_secret(%L, 'meta_access_token') $$, tests.inbox_id('Sales'))),
  'inbox_secret_missing', 'only the verify token is generated: another without a value is inbox_secret_missing');
select is(tests.error_code(format($$ select public.rotate_inbox_secret(%L, 'zapi_client_token', 'x-token') $$, tests.inbox_id('Sales'))),
  'inbox_secret_unknown', 'a Z-API secret on a Meta inbox: inbox_secret_unknown');
select tests.authenticate_as('member_a');
select is(tests.error_code(format($$ select public.rotate_inbox_secret(%L, 'zapi_client_token', 'stolen-token') $$, tests.inbox_id('Support'))),
  'forbidden', 'a member cannot rotate a secret');
select tests.authenticate_as('member_b');
select is(tests.error_code(format($$ select public.rotate_inbox_secret(%L, 'zapi_client_token', 'stolen-token') $$, tests.inbox_id('Support'))),
  'inbox_not_found', 'another company''s member: inbox_not_found');
select tests.authenticate_as_service_role();
select is(private.inbox_secret(tests.inbox_id('Sales'), 'meta_access_token'), 'EAAB-new-token-9999', 'the rotated secret is the one read');
select is(private.inbox_secret(tests.inbox_id('Support'), 'zapi_client_token'), 'zapi-client-4444', 'refused rotations changed nothing');
reset role;
select is(
  (select array_agg(after ->> 'kind' order by id) from public.audit_log where table_name = 'inbox_secrets' and action = 'update'),
  array['meta_verify_token', 'meta_access_token'], 'each rotation is audited with its kind');

-- ─── changing and deleting ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
update public.inboxes set display_name = 'Sales BR', status = 'disabled' where id = tests.inbox_id('Sales');
select is((select display_name || '/' || status from public.inboxes where id = tests.inbox_id('Sales BR')), 'Sales BR/disabled',
  'an admin renames and disables an inbox');
select throws_ok(format($$ update public.inboxes set tenant_id = %L where id = %L $$, tests.tenant_id('tenant-b'), tests.inbox_id('Sales BR')),
  '42501', null, 'an inbox cannot be moved to another company');
select throws_ok(format($$ update public.inboxes set zapi_instance_id = 'other' where id = %L $$, tests.inbox_id('Support')),
  '42501', null, 'a provider id is not changed in place');
select tests.authenticate_as('member_a');
update public.inboxes set display_name = 'Hijacked' where id = tests.inbox_id('Support');
delete from public.inboxes where id = tests.inbox_id('Support');
select is((select display_name from public.inboxes where id = tests.inbox_id('Support')), 'Support', 'a member neither renames nor deletes an inbox');
select tests.authenticate_as('analyst_a');
update public.inboxes set display_name = 'Hijacked' where id = tests.inbox_id('Support');
select is((select display_name from public.inboxes where id = tests.inbox_id('Support')), 'Support', 'an analyst cannot rename an inbox');
select tests.authenticate_as('owner_b');
update public.inboxes set display_name = 'Hijacked' where id = tests.inbox_id('Support');
delete from public.inboxes where id = tests.inbox_id('Support');
select tests.authenticate_as('owner_a');
select is((select display_name from public.inboxes where id = tests.inbox_id('Support')), 'Support', 'another company''s owner neither renames nor deletes it');
delete from public.inboxes where id = tests.inbox_id('Evo');
select is((select count(*)::int from public.inboxes where display_name = 'Evo'), 0, 'an owner deletes an inbox');
reset role;
select is((select count(*)::int from private.inbox_secrets where inbox_id not in (select id from public.inboxes)), 0, 'its secrets go with it');

-- ─── a suspended company ─────────────────────────────────────────────────────────────────────
update public.tenants set status = 'suspended' where slug = 'tenant-a';
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select public.rotate_inbox_secret(%L, 'meta_verify_token') $$, tests.inbox_id('Sales BR'))),
  'tenant_read_only', 'a suspended company cannot rotate secrets');
select is(tests.error_code(format($$ update public.inboxes set display_name = 'Late' where id = %L $$, tests.inbox_id('Sales BR'))),
  'tenant_read_only', 'nor change its inboxes');

select * from finish();
rollback;
