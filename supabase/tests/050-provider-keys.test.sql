-- Provider keys: personal, encrypted, masked. Each person sees and removes only their own keys
-- (never the ciphertext); owners and admins also see, masked, the keys stored for their company
-- (to share them with its runs: 051); only the service role decrypts (and every decrypt is audited
-- in the name of whoever caused it), and rotating the encryption key re-encrypts every row.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(61);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- Row ids that every actor can name, whatever RLS lets them see (transaction-local helpers).

select tests.create_two_tenants();

select tests.authenticate_as('owner_b');
select public.set_provider_key('anthropic', 'sk-ant-owner-b-secret-9999', tests.tenant_id('tenant-b'));

-- ─── row level security ──────────────────────────────────────────────────────────────────────
reset role;
select tests.rls_enabled('public', 'provider_keys');
select tests.rls_enabled('private', 'provider_key_encryption_keys');

-- ─── storing keys ────────────────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select row(service, tenant_id, key_last_four, is_active)::text from public.set_provider_key('openai', '  sk-member-a-personal-0001  ')),
  row('openai', null::uuid, '0001', true)::text,
  'a member stores a personal key and gets it back masked'
);
select is(
  (select row(service, tenant_id = tests.tenant_id('tenant-a'), key_last_four)::text
   from public.set_provider_key('openai', 'sk-member-a-tenant-0002', tests.tenant_id('tenant-a'))),
  row('openai', true, '0002')::text,
  'a member stores a key for their tenant'
);
select set_config('renum.first_personal_key', tests.provider_key_id('member_a', 'openai')::text, true);
select is(
  (select key_last_four from public.set_provider_key('openai', 'sk-member-a-personal-0003')),
  '0003',
  'storing a key for the same service and scope replaces the old one'
);
select is(
  (select array_agg(coalesce(tenant_id::text, 'personal') || ':' || service || ':' || key_last_four order by key_last_four)
   from public.provider_keys),
  array[tests.tenant_id('tenant-a') || ':openai:0002', 'personal:openai:0003'],
  'the member reads their own keys, one active per service and scope'
);
select is_empty(
  $$ select id from public.provider_keys where id = current_setting('renum.first_personal_key')::uuid $$,
  'the replaced key is gone'
);
select throws_ok(
  $$ select encrypted_key from public.provider_keys $$,
  '42501', 'permission denied for table provider_keys',
  'the owner of a key cannot read its ciphertext'
);
select throws_ok(
  $$ select * from public.provider_keys $$,
  '42501', 'permission denied for table provider_keys',
  'select * is refused, because it includes the ciphertext'
);
select throws_ok(
  $$ select public.set_provider_key('openai', 'sk-member-a-planted-0004', tests.tenant_id('tenant-b')) $$,
  '42501', 'new row violates row-level security policy for table "provider_keys"',
  'member of A cannot store a key for tenant B'
);
select throws_ok(
  $$ select public.set_provider_key('openai', 'short') $$,
  '22023', 'api_key must be between 8 and 4096 characters',
  'a key that is too short is refused'
);
select throws_ok(
  $$ select public.set_provider_key('myspace', 'sk-member-a-unknown-0005') $$,
  '22P02', 'invalid input value for enum public.provider_key_service: "myspace"',
  'a key for an unknown service is refused'
);
select throws_ok(
  $$ insert into public.provider_keys (service, encrypted_key, key_version, key_last_four) values ('openai', '\x00', 1, '0000') $$,
  '42501', 'permission denied for table provider_keys',
  'keys are not inserted directly (only through set_provider_key, which encrypts)'
);
select throws_ok(
  $$ update public.provider_keys set is_active = false $$,
  '42501', 'permission denied for table provider_keys',
  'keys are not updated directly'
);
select throws_ok(
  $$ select private.decrypt_provider_key(tests.provider_key_id('member_a', 'openai'), 'curious', auth.uid()) $$,
  '42501', 'permission denied for schema private',
  'a user cannot decrypt even their own key'
);
select throws_ok(
  $$ select private.rotate_provider_key_encryption_key() $$,
  '42501', 'permission denied for schema private',
  'a user cannot rotate the encryption key'
);
select throws_ok(
  $$ select version from private.provider_key_encryption_keys $$,
  '42501', 'permission denied for schema private',
  'a user cannot read the encryption key generations'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is_empty($$ select id from public.provider_keys $$, 'an analyst sees none of the member''s keys');

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select array_agg(key_last_four) from public.provider_keys),
  array['0002'],
  'an admin sees the member''s key for the company (masked), never their personal one'
);
select is_empty(
  $$ delete from public.provider_keys where id = tests.provider_key_id('member_a', 'openai', 'tenant-a') returning id $$,
  'an admin cannot delete a member''s key'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select key_last_four from public.set_provider_key('openai', 'sk-owner-a-tenant-7777', tests.tenant_id('tenant-a'))),
  '7777',
  'the owner stores their own key for the same service and tenant as the member'
);
select is(
  (select array_agg(key_last_four order by key_last_four) from public.provider_keys),
  array['0002', '7777'],
  'the owner reads their own key and the member''s key for the company, not the member''s personal one'
);
select is_empty(
  $$ delete from public.provider_keys where user_id = tests.get_supabase_uid('member_a') returning id $$,
  'the owner cannot delete the member''s keys'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is_empty($$ select id from public.provider_keys $$, 'member of B sees no keys of tenant A, nor their owner''s');
select is_empty(
  $$ delete from public.provider_keys where id = tests.provider_key_id('member_a', 'openai') returning id $$,
  'member of B cannot delete tenant A''s keys'
);

-- as platform admin
select tests.authenticate_as('platform_admin');
select is_empty($$ select id from public.provider_keys $$, 'a platform admin sees no one''s keys');

-- as anon
select tests.clear_authentication();
select throws_ok(
  $$ select id from public.provider_keys $$, '42501', 'permission denied for table provider_keys', 'anon cannot read keys'
);
select throws_ok(
  $$ delete from public.provider_keys $$, '42501', 'permission denied for table provider_keys', 'anon cannot delete keys'
);
select throws_ok(
  $$ select public.set_provider_key('openai', 'sk-anon-key-0000') $$,
  '42501', 'permission denied for function set_provider_key', 'anon cannot store keys'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(p.email || ':' || coalesce(t.slug, 'personal') || ':' || k.service || ':' || k.key_last_four
                    order by p.email, k.key_last_four)
   from public.provider_keys k join public.profiles p on p.id = k.user_id left join public.tenants t on t.id = k.tenant_id),
  array['member.a@renum.test:tenant-a:openai:0002', 'member.a@renum.test:personal:openai:0003',
        'owner.a@renum.test:tenant-a:openai:7777', 'owner.b@renum.test:tenant-b:anthropic:9999'],
  'exactly the keys each person stored are there'
);

-- ─── encryption ──────────────────────────────────────────────────────────────────────────────
-- as service role
select tests.authenticate_as_service_role();
select is(
  (select array_agg(position(convert_to(stored.plaintext, 'utf8') in k.encrypted_key))
   from (values ('member_a', 'openai', null, 'sk-member-a-personal-0003'),
                ('member_a', 'openai', 'tenant-a', 'sk-member-a-tenant-0002'),
                ('owner_a', 'openai', 'tenant-a', 'sk-owner-a-tenant-7777'),
                ('owner_b', 'anthropic', 'tenant-b', 'sk-ant-owner-b-secret-9999')) as stored (identifier, service, slug, plaintext)
   join public.provider_keys k on k.id = tests.provider_key_id(stored.identifier, stored.service, stored.slug)),
  array[0, 0, 0, 0],
  'no ciphertext contains its plaintext'
);
select is(
  private.decrypt_provider_key(tests.provider_key_id('member_a', 'openai'), 'run agent A1', tests.get_supabase_uid('owner_a')),
  'sk-member-a-personal-0003',
  'the service role decrypts a key'
);
select is(
  (select array_agg(row(actor_id = tests.get_supabase_uid('owner_a'), actor_role, action, table_name, after ->> 'service', after ->> 'purpose',
                        after ->> 'key_owner_id' = tests.get_supabase_uid('member_a')::text)::text)
   from public.audit_log where action = 'decrypt' and record_id = tests.provider_key_id('member_a', 'openai')::text),
  array[row(true, 'service_role', 'decrypt', 'provider_keys', 'openai', 'run agent A1', true)::text],
  'the decrypt writes an audit entry naming who caused it, with its purpose and the key''s owner'
);
select ok(
  (select last_used_at is not null from public.provider_keys where id = tests.provider_key_id('member_a', 'openai')),
  'the decrypt marks the key as used'
);
select is(
  private.decrypt_provider_key(tests.provider_key_id('owner_b', 'anthropic', 'tenant-b'), 'run agent B1', tests.get_supabase_uid('owner_b')),
  'sk-ant-owner-b-secret-9999',
  'the service role decrypts a tenant-scoped key'
);
select throws_ok(
  $$ select vault_secret_id from private.provider_key_encryption_keys $$,
  '42501', 'permission denied for table provider_key_encryption_keys',
  'not even the service role reads where the encryption key lives'
);
select throws_ok(
  $$ select private.decrypt_provider_key(gen_random_uuid(), 'guess', null) $$,
  'P0002', 'provider key not found',
  'decrypting an unknown key is not found'
);
select throws_ok(
  $$ select private.decrypt_provider_key(current_setting('renum.first_personal_key')::uuid, 'old key', null) $$,
  'P0002', 'provider key not found',
  'a replaced key can no longer be decrypted'
);
select throws_ok(
  $$ update public.provider_keys set tenant_id = tests.tenant_id('tenant-b') where id = tests.provider_key_id('member_a', 'openai', 'tenant-a') $$,
  '42501', 'provider_keys.tenant_id cannot be changed',
  'not even the service role can move a key to another tenant'
);
select throws_ok(
  $$ update public.provider_keys set user_id = tests.get_supabase_uid('member_b') where id = tests.provider_key_id('member_a', 'openai', 'tenant-a') $$,
  '42501', 'provider_keys.user_id cannot be changed',
  'not even the service role can hand a key to another person'
);
select throws_ok(
  $$ insert into public.provider_keys (user_id, tenant_id, service, encrypted_key, key_version, key_last_four)
     values (tests.get_supabase_uid('member_a'), null, 'openai', '\x00', 1, '0000') $$,
  '23505', 'duplicate key value violates unique constraint "provider_keys_one_active_per_service"',
  'there is one active key per person, service and scope'
);

-- A security-definer path that forgets to check (defence in depth): decrypt still refuses.
reset role;
create function pg_temp.decrypt_for_caller(key_id uuid) returns text language sql security definer set search_path = ''
as $$ select private.decrypt_provider_key(key_id, 'through a wrapper', auth.uid()) $$;
grant execute on function pg_temp.decrypt_for_caller(uuid) to authenticated;
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select pg_temp.decrypt_for_caller(tests.provider_key_id('member_a', 'openai')) $$,
  '42501', 'only the service role can decrypt provider keys',
  'decrypt refuses a signed-in user even through a security-definer function'
);

-- ─── rotating the encryption key ─────────────────────────────────────────────────────────────
-- as postgres: the ciphertexts before rotation
select tests.clear_authentication(); reset role;
create temporary table keys_before_rotation on commit drop as
  select id, encrypted_key, key_version from public.provider_keys;
select is(
  (select array_agg(distinct key_version) from keys_before_rotation),
  array[1],
  'before rotation every key is encrypted with generation 1'
);

-- as service role
select tests.authenticate_as_service_role();
select is(
  private.rotate_provider_key_encryption_key(),
  (select count(*)::int from public.provider_keys),
  'rotation re-encrypts every key'
);
select is(
  private.decrypt_provider_key(tests.provider_key_id('member_a', 'openai', 'tenant-a'), 'after rotation', tests.get_supabase_uid('member_a')),
  'sk-member-a-tenant-0002',
  'after rotation the key decrypts to the same plaintext'
);
select is(
  private.decrypt_provider_key(tests.provider_key_id('owner_b', 'anthropic', 'tenant-b'), 'after rotation', tests.get_supabase_uid('owner_b')),
  'sk-ant-owner-b-secret-9999',
  'after rotation another tenant''s key decrypts to the same plaintext'
);

-- as postgres
select tests.clear_authentication(); reset role;
select ok(
  (select bool_and(k.encrypted_key <> b.encrypted_key and k.key_version = b.key_version + 1)
   from public.provider_keys k join keys_before_rotation b on b.id = k.id)
    and (select count(*) from public.provider_keys) = (select count(*) from keys_before_rotation),
  'every ciphertext changed and every key_version moved to the next generation'
);
select is(
  (select array_agg(version order by version) from private.provider_key_encryption_keys),
  array[1, 2],
  'the new generation is recorded'
);
select ok(
  (select count(*) = 2 from vault.secrets where name in ('renum_provider_keys_v1', 'renum_provider_keys_v2')),
  'each generation of the encryption key lives in Vault'
);
select ok(
  not exists (
    select from private.provider_key_encryption_keys k join vault.decrypted_secrets s on s.id = k.vault_secret_id
    join public.provider_keys p on position(convert_to(s.decrypted_secret, 'utf8') in p.encrypted_key) > 0
  ),
  'no encryption key is stored beside the data'
);

-- ─── the audit trail never holds a key ───────────────────────────────────────────────────────
select ok(
  (select bool_and(coalesce(before ->> 'encrypted_key', '[redacted]') = '[redacted]'
                   and coalesce(after ->> 'encrypted_key', '[redacted]') = '[redacted]')
   from public.audit_log where table_name = 'provider_keys' and action in ('insert', 'update', 'delete')),
  'audit entries for provider_keys have encrypted_key [redacted]'
);
select is(
  (select array_agg(action || ':' || n order by action)
   from (select action, count(*) as n from public.audit_log where table_name = 'provider_keys' group by action) as per_action),
  -- 5 keys stored, 1 replaced, 4 decrypts (each also an update of last_used_at), 4 rows rotated
  array['decrypt:4', 'delete:1', 'insert:5', 'update:8'],
  'storing, replacing, using and rotating keys are all audited'
);
select ok(
  not exists (
    select from public.audit_log
    where table_name = 'provider_keys' and (coalesce(before::text, '') || coalesce(after::text, '')) ~ 'sk-(member|owner|ant)'
  ),
  'no audit entry contains a plaintext key'
);

-- ─── removing keys ───────────────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select lives_ok(
  $$ delete from public.provider_keys where id = tests.provider_key_id('member_a', 'openai') $$,
  'a person deletes their own key'
);
select is(
  (select array_agg(key_last_four) from public.provider_keys),
  array['0002'],
  'the deleted key is gone and the other one stays'
);

-- ─── a suspended tenant keeps its keys but cannot change them ────────────────────────────────
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select count(*)::int from public.provider_keys where tenant_id = tests.tenant_id('tenant-a')),
  1,
  'a member of a suspended tenant still reads their key for it'
);
select throws_ok(
  $$ select public.set_provider_key('openai', 'sk-member-a-tenant-0006', tests.tenant_id('tenant-a')) $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a key for a suspended tenant cannot be replaced'
);
select throws_ok(
  $$ delete from public.provider_keys where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a key for a suspended tenant cannot be deleted'
);
select is(
  (select key_last_four from public.set_provider_key('anthropic', 'sk-member-a-personal-0008')),
  '0008',
  'personal keys are not tied to the suspended tenant'
);

-- as service role
select tests.authenticate_as_service_role();
select is(
  private.decrypt_provider_key(tests.provider_key_id('member_a', 'openai', 'tenant-a'), 'while suspended', tests.get_supabase_uid('member_a')),
  'sk-member-a-tenant-0002',
  'the service role still decrypts a suspended tenant''s key'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(key_last_four order by key_last_four) from public.provider_keys where user_id = tests.get_supabase_uid('member_a')),
  array['0002', '0008'],
  'the member keeps the tenant key stored before the suspension and the new personal key'
);

select * from finish();
rollback;
