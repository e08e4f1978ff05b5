-- Outbound URLs: an address a user stores for Renum to call (an agent's config.base_url, a
-- company's agents_endpoint_url) is never internal, in any notation a URL parser accepts; the
-- refusal is P0001 address_not_allowed with a message naming the field. Proven on the helper and,
-- as the people who store addresses, through the tables PostgREST exposes.
--
-- Cast: tenant A (owner_a, member_a), tenant B (owner_b).

begin;
set search_path to public, extensions, tests;

select plan(85);

select tests.create_two_tenants();

-- ─── the rule: every notation of an internal address ─────────────────────────────────────────
select ok(private.outbound_url_refusal(u) is not null, 'refuses ' || u)
from unnest(array[
  'http://127.0.0.1/', 'http://127.255.255.254:8080/', 'http://2130706433/', 'http://0x7f000001/', 'http://0x7f.1/',
  'http://017700000001/', 'http://0177.0.0.1/', 'http://127.1/', 'http://%31%32%37.0.0.1/', 'http://１２７.0.0.1/',
  'http://127。0。0。1/', 'http://0/', 'http://0.0.0.0:5432/', 'http://10.0.0.1/', 'http://172.16.5.4/',
  'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/',
  'http://0251.0376.0251.0376/', 'http://100.64.0.1/', 'http://100.100.100.200/', 'http://192.0.0.8/', 'http://192.0.2.1/',
  'http://198.18.0.1/', 'http://198.51.100.7/', 'http://203.0.113.9/', 'http://224.0.0.1/', 'http://240.0.0.1/',
  'http://255.255.255.255/', 'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::]/', 'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:0:a00:1]/', 'http://[::127.0.0.1]/',
  'http://[64:ff9b::7f00:1]/', 'http://[2002:7f00:1::]/', 'http://[fe80::1]/', 'http://[fc00::1]/',
  'http://[fd00:ec2::254]/', 'http://[ff02::1]/', 'http://[2001:db8::1]/', 'http://[2001::1]/',
  'http://localhost/', 'http://LOCALHOST.:3000/', 'http://api.localhost/', 'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/', 'http://instance-data/', 'http://ip-10-0-0-1.ec2.internal/', 'http://printer.local/', 'http://intranet/',
  'ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.com/',
  'http://user:pw@example.com/', 'http://127.0.0.1:80@example.com/', 'http://127.0.0.1\@example.com/',
  'http://1.2.3.4.5/', 'http://256.1.1.1/'
]) u;

select is(private.outbound_url_refusal(u), null, 'lets through ' || u)
from unnest(array[
  'https://api.openai.com/v1', 'https://93.184.216.34/', 'http://8.8.8.8:8080/x', 'https://[2606:4700:4700::1111]/',
  'http://[::ffff:8.8.8.8]/', 'https://ação.com.br/agents', 'https://agents.acme.com.br/v1?x=1#y'
]) u;

select is(private.whatwg_ipv4('0x7f.1'), '127.0.0.1'::inet, 'hex and short forms are read as a URL parser reads them');
select is(private.whatwg_ipv4('0300.0250.1'), '192.168.0.1'::inet, 'octal parts are read as octal');
select is(private.whatwg_ipv4('example.com'), null, 'a name is not an IPv4 address');

-- ─── agents: config.base_url ─────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Inward', 'openai-compatible', 'gpt-4o-mini', '{"base_url": "http://2130706433:6379/"}') $$,
  'P0001', 'config.base_url: 127.0.0.1 is an internal address; Renum only calls public addresses.',
  'an agent cannot point at loopback written as a decimal number'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Inward', 'suna', 'suna', '{"base_url": "http://[::ffff:169.254.169.254]/latest"}') $$,
  'P0001', 'config.base_url: 169.254.169.254 is an internal address; Renum only calls public addresses.',
  'an agent cannot point at the metadata service written as IPv4-mapped IPv6'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Inward', 'anthropic', 'claude', '{"base_url": "http://metadata.google.internal/"}') $$,
  'P0001', 'config.base_url: metadata.google.internal is an internal name; Renum only calls public addresses.',
  'an agent cannot point at an internal name'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Inward', 'openai-compatible', 'gpt-4o-mini', '{"base_url": "https://me:secret@llm.example.com/"}') $$,
  'P0001', 'config.base_url: the address carries a user name or password; give keys separately.',
  'an agent address cannot carry credentials'
);
select lives_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Outward', 'openai-compatible', 'gpt-4o-mini', '{"base_url": "https://llm.example.com/v1"}') $$,
  'an agent may point at a public address'
);
select throws_ok(
  $$ update public.agents set config = '{"base_url": "http://0x7f.1:5432/#"}' where id = tests.agent_id('Outward') $$,
  'P0001', 'config.base_url: 127.0.0.1 is an internal address; Renum only calls public addresses.',
  'an agent cannot be changed to point inward'
);
select is(
  (select config ->> 'base_url' from public.agents where id = tests.agent_id('Outward')),
  'https://llm.example.com/v1',
  'the refused change left the agent as it was'
);

-- ─── companies: agents_endpoint_url ──────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ update public.tenants set agents_endpoint_url = 'http://10.0.0.8/agents' where id = tests.tenant_id('tenant-a') $$,
  'P0001', 'agents_endpoint_url: 10.0.0.8 is an internal address; Renum only calls public addresses.',
  'a company endpoint cannot be a private address'
);
select throws_ok(
  $$ update public.tenants set agents_endpoint_url = 'http://[fd00:ec2::254]/' where id = tests.tenant_id('tenant-a') $$,
  'P0001', 'agents_endpoint_url: fd00:ec2::254 is an internal address; Renum only calls public addresses.',
  'a company endpoint cannot be the IPv6 metadata address'
);
select lives_ok(
  $$ update public.tenants set agents_endpoint_url = 'https://agents.acme.com.br/v1' where id = tests.tenant_id('tenant-a') $$,
  'a company endpoint may be a public address'
);
select throws_ok(
  $$ select public.create_tenant('Inward Co', 'inward-co', null, 'http://localhost:8000/agents') $$,
  'P0001', 'agents_endpoint_url: localhost is an internal name; Renum only calls public addresses.',
  'a new company cannot start with an internal endpoint'
);

select * from finish();
rollback;
