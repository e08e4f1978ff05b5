-- Provider keys are bound to where they may go, and shared with a company's runs only by its owners
-- and admins. A custom-endpoint key (openai-compatible, suna, agent-api, evolution) is stored with
-- its address and keeps it for good; a first-party key (openai, anthropic, ...) takes none. Only an
-- owner or admin of the key's company marks a company key as shared; never a personal key.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b).

begin;
set search_path to public, extensions, tests;

select plan(37);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
create function pg_temp.is_shared(key uuid) returns boolean
language sql stable security definer set search_path = ''
as $$ select k.is_shared from public.provider_keys k where k.id = key $$;
grant execute on function pg_temp.is_shared(uuid) to anon, authenticated, service_role;

select tests.create_two_tenants();

-- ─── origins ─────────────────────────────────────────────────────────────────────────────────
reset role;
select is(
  (select array_agg(coalesce(private.url_origin(u), '-') order by n)
   from unnest(array['https://LLM.Example.com:443/v1', 'http://127.0.0.1:8080/x?y', 'HTTP://host:0080', 'https://[::1]:8443/',
                     'https://user:pass@evil.test', 'https://evil.test\@good.test', 'ftp://host', 'https://host:99999', 'javascript:alert(1)'])
     with ordinality as t (u, n)),
  array['https://llm.example.com', 'http://127.0.0.1:8080', 'http://host', 'https://[::1]:8443', '-', '-', '-', '-', '-'],
  'url_origin writes scheme://host[:port] as a URL parser does, and nothing for user info or other schemes'
);

-- ─── storing bound keys ──────────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select row(service, endpoint_url, is_shared)::text
   from public.set_provider_key('openai-compatible', 'sk-member-a-compat-0001', tests.tenant_id('tenant-a'), 'https://LLM.example.com/v1')),
  row('openai-compatible', 'https://LLM.example.com/v1', false)::text,
  'a custom-endpoint key is stored with its address, unshared'
);
select is(
  (select endpoint_origin from public.provider_keys where id = tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a')),
  'https://llm.example.com',
  'and bound to the address''s origin'
);
select throws_ok(
  $$ select public.set_provider_key('suna', 'sk-member-a-suna-0002') $$,
  '22023', 'endpoint_url is required for suna keys: the address the key may be sent to',
  'a suna key without its address is refused'
);
select throws_ok(
  $$ select public.set_provider_key('agent-api', 'sk-member-a-agents-0003', tests.tenant_id('tenant-a'), '  ') $$,
  '22023', 'endpoint_url is required for agent-api keys: the address the key may be sent to',
  'an agent-api key with a blank address is refused'
);
select throws_ok(
  $$ select public.set_provider_key('openai', 'sk-member-a-openai-0004', null, 'https://proxy.example.com') $$,
  '22023', 'openai keys are only sent to openai''s own address: leave endpoint_url out',
  'a first-party key takes no address of its own'
);
select throws_ok(
  $$ select public.set_provider_key('suna', 'sk-member-a-suna-0007', null, 'http://127.0.0.1:8080/') $$,
  'P0001', 'endpoint_url: 127.0.0.1 is an internal address; Renum only calls public addresses.',
  'a key bound to a loopback address is refused when stored'
);
select throws_ok(
  $$ select public.set_provider_key('openai-compatible', 'sk-member-a-compat-0008', null, 'http://169.254.169.254/latest') $$,
  'P0001', 'endpoint_url: 169.254.169.254 is an internal address; Renum only calls public addresses.',
  'a key bound to the cloud metadata address is refused when stored'
);
select throws_ok(
  $$ select public.set_provider_key('evolution', 'sk-member-a-evo-0005', null, 'https://user:secret@evolution.example.com') $$,
  '22023', 'endpoint_url must be an http(s) address without a user name or password',
  'an address with user info is refused'
);
select throws_ok(
  $$ select public.set_provider_key('evolution', 'sk-member-a-evo-0006', null, 'file:///etc/passwd') $$,
  '22023', 'endpoint_url must be an http(s) address without a user name or password',
  'an address that is not http(s) is refused'
);
select lives_ok(
  $$ select public.set_provider_key('openai', 'sk-member-a-openai-0007', tests.tenant_id('tenant-a')) $$,
  'a first-party key is stored without an address'
);
select lives_ok(
  $$ select public.set_provider_key('anthropic', 'sk-member-a-personal-0008') $$,
  'a personal first-party key is stored'
);

-- as service role: the binding is part of the key
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.provider_keys set endpoint_url = 'https://elsewhere.test', endpoint_origin = 'https://elsewhere.test'
     where id = tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a') $$,
  '42501', 'provider_keys.endpoint_url cannot be changed',
  'not even the service role moves a key to another address'
);
select throws_ok(
  $$ insert into public.provider_keys (user_id, tenant_id, service, encrypted_key, key_version, key_last_four)
     values (tests.get_supabase_uid('member_a'), null, 'suna', '\x00', 1, '0000') $$,
  '23514', 'new row for relation "provider_keys" violates check constraint "provider_keys_endpoint_matches_service"',
  'a custom-endpoint key row without an address cannot exist'
);

-- ─── sharing with the company's runs ─────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'P0001', 'only owners and admins of the company can share a key with the company''s runs',
  'a member cannot share even their own company key'
);
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'anthropic')),
  '22023', 'a personal key is never shared: store the key for the company to share it with the company''s runs',
  'a personal key is never shared'
);
select throws_ok(
  format('update public.provider_keys set is_shared = true where id = %L', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'permission denied for table provider_keys',
  'nobody sets the flag with a direct update'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'P0001', 'only owners and admins of the company can share a key with the company''s runs',
  'an analyst cannot share a company key'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'P0002', 'provider key not found',
  'someone outside the company does not even find the key'
);
select public.set_provider_key('openai', 'sk-member-b-tenant-0009', tests.tenant_id('tenant-b'));

-- as owner of tenant B: owners and admins share only their own company's keys
select tests.authenticate_as('owner_b');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'P0002', 'provider key not found',
  'the owner of another company cannot share it'
);
select is(
  (select is_shared from public.set_provider_key_sharing(tests.provider_key_id('member_b', 'openai', 'tenant-b'), true)),
  true,
  'the owner of B shares a member''s key for B'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select array_agg(service::text || ':' || key_last_four order by service) from public.provider_keys),
  array['openai:0007', 'openai-compatible:0001'],
  'an admin lists the member''s keys for the company (masked), not their personal one'
);
select is(
  (select row(is_shared, key_last_four)::text from public.set_provider_key_sharing(tests.provider_key_id('member_a', 'openai', 'tenant-a'), true)),
  row(true, '0007')::text,
  'an admin shares a member''s company key with the company''s runs'
);
select is(
  (select is_shared from public.provider_keys where id = tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  true,
  'the admin reads it back as shared'
);

-- as member of tenant A: the member sees that their key is shared, and cannot undo it either
select tests.authenticate_as('member_a');
select is(
  (select is_shared from public.provider_keys where id = tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  true,
  'the key''s owner sees it shared'
);
select throws_ok(
  format('select public.set_provider_key_sharing(%L, false)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'P0001', 'only owners and admins of the company can share a key with the company''s runs',
  'a member cannot unshare it (an owner or admin decides)'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select is_shared from public.set_provider_key_sharing(tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a'), true)),
  true,
  'the owner shares a custom-endpoint company key too'
);
select is(
  (select is_shared from public.set_provider_key_sharing(tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a'), false)),
  false,
  'and stops sharing it'
);
select is(
  (select count(*)::int from public.audit_log
   where table_name = 'provider_keys' and action = 'update' and actor_id = auth.uid()
     and (before ->> 'is_shared')::boolean is distinct from (after ->> 'is_shared')::boolean),
  2,
  'each change of sharing is audited in the name of who made it'
);

select public.set_provider_key('anthropic', 'sk-owner-a-anthropic-0012', tests.tenant_id('tenant-a'));

-- as member of tenant A: someone else's company key is not theirs to share
select tests.authenticate_as('member_a');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('owner_a', 'anthropic', 'tenant-a')),
  'P0001', 'only owners and admins of the company can share a key with the company''s runs',
  'a member cannot share the owner''s company key'
);
select is(pg_temp.is_shared(tests.provider_key_id('owner_a', 'anthropic', 'tenant-a')), false, 'and it stays unshared');

-- as member of tenant A: replacing a shared key stores a new, unshared one
select tests.authenticate_as('member_a');
select is(
  (select is_shared from public.set_provider_key('openai', 'sk-member-a-openai-0010', tests.tenant_id('tenant-a'))),
  false,
  'a replaced key is no longer shared: an owner or admin shares a key, not a slot'
);

-- as member of tenant A, in a suspended company
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');
select tests.authenticate_as('owner_a');
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended company shares nothing'
);
select tests.authenticate_as_service_role();
update public.tenants set status = 'active' where id = tests.tenant_id('tenant-a');

-- as anon
select tests.clear_authentication();
select throws_ok(
  format('select public.set_provider_key_sharing(%L, true)', tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'permission denied for function set_provider_key_sharing',
  'anon cannot share keys'
);

-- as postgres: what really changed
reset role;
select is(
  (select array_agg(p.email || ':' || k.service || ':' || k.is_shared order by p.email, k.service)
   from public.provider_keys k join public.profiles p on p.id = k.user_id
   where k.tenant_id in (tests.tenant_id('tenant-a'), tests.tenant_id('tenant-b'))),
  array['member.a@renum.test:openai:false', 'member.a@renum.test:openai-compatible:false', 'member.b@renum.test:openai:true',
        'owner.a@renum.test:anthropic:false'],
  'only the sharing owners and admins asked for stands'
);
select is(
  (select count(*)::int from public.provider_keys where is_shared and tenant_id is null),
  0,
  'no personal key is shared'
);
select throws_ok(
  $$ update public.provider_keys set is_shared = true where tenant_id is null $$,
  '23514', 'new row for relation "provider_keys" violates check constraint "provider_keys_shared_only_for_a_company"',
  'not even a direct session shares a personal key'
);

select * from finish();
rollback;
