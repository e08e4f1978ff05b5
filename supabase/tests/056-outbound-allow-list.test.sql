-- The local stack's allow-list for outbound URLs: the Vault secret renum_egress_allow_private lets
-- exactly the listed IP address and ports through (the stack's fake servers on 127.0.0.1) and
-- nothing else internal; without it the same address is refused; people cannot read or write it.
--
-- Cast: tenant A (member_a).

begin;
set search_path to public, extensions, tests;

select plan(15);

select tests.create_two_tenants();

-- ─── with an allow-list of two ports ─────────────────────────────────────────────────────────
delete from vault.secrets where name = 'renum_egress_allow_private';
do $$ begin perform vault.create_secret('127.0.0.1:61000-61001', 'renum_egress_allow_private'); end $$;

select is(private.outbound_url_refusal('http://127.0.0.1:61000/v1'), null, 'the first listed port passes');
select is(private.outbound_url_refusal('http://127.0.0.1:61001'), null, 'the last listed port passes');
select isnt(private.outbound_url_refusal('http://127.0.0.1:61002/'), null, 'the next port is refused');
select isnt(private.outbound_url_refusal('http://127.0.0.1/'), null, 'the default port is refused');
select isnt(private.outbound_url_refusal('http://127.0.0.2:61000/'), null, 'another loopback address on a listed port is refused');
select isnt(private.outbound_url_refusal('http://[::1]:61000/'), null, 'IPv6 loopback on a listed port is refused');
select isnt(private.outbound_url_refusal('http://localhost:61000/'), null, 'a name is never allow-listed, only the address');
select isnt(private.outbound_url_refusal('http://10.0.0.1:61000/'), null, 'a private address on a listed port is refused');

-- as member of tenant A
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Fake Backed', 'openai-compatible', 'gpt-4o-mini', '{"base_url": "http://127.0.0.1:61000/v1"}') $$,
  'an agent may name a listed fake'
);
select throws_ok(
  $$ select vault.create_secret('127.0.0.1:1-65535', 'renum_egress_allow_private') $$,
  '42501', null,
  'people cannot add to the allow-list'
);
select throws_ok(
  $$ select decrypted_secret from vault.decrypted_secrets where name = 'renum_egress_allow_private' $$,
  '42501', null,
  'people cannot read the allow-list'
);

-- ─── without it, as in production ────────────────────────────────────────────────────────────
select tests.clear_authentication();
reset role;
delete from vault.secrets where name = 'renum_egress_allow_private';

select isnt(private.outbound_url_refusal('http://127.0.0.1:61000/v1'), null, 'without the allow-list the fake''s address is refused');
select tests.authenticate_as('member_a');
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Fake Backed Too', 'openai-compatible', 'gpt-4o-mini', '{"base_url": "http://127.0.0.1:61000/v1"}') $$,
  'P0001', 'config.base_url: 127.0.0.1 is an internal address; Renum only calls public addresses.',
  'and an agent can no longer name it'
);

-- ─── a malformed allow-list widens nothing ───────────────────────────────────────────────────
select tests.clear_authentication();
reset role;
do $$ begin perform vault.create_secret('127.0.0.0/8:61000, *:*, localhost:61000, ::::::1:61000', 'renum_egress_allow_private'); end $$;
select isnt(private.outbound_url_refusal('http://127.0.0.1:61000/'), null, 'entries that are not an address and port are ignored');
select isnt(private.outbound_url_refusal('http://127.0.0.5:61000/'), null, 'a range of addresses is not an entry');

select * from finish();
rollback;
