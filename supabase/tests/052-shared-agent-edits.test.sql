-- What a grantee may change on a shared agent: its wording and tuning, never where its data goes.
-- Tenant A shares an OpenAI-compatible agent (its own base_url), a Suna agent and an agent-api agent
-- with tenant B at 'edit', and one with a person outside both companies. Members of B (and the
-- person) may rename it, rewrite its prompt, change its model and tune it; nobody through a share
-- may change its provider, type, base_url, path, agent_type, organization, agent_id, thread_id,
-- tools, knowledge bases or status; analysts (of B, or of A who are also in B) change nothing.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b, analyst_b,
-- and analyst_a also as a member of B), a person in no company (outsider).

begin;
set search_path to public, extensions, tests;

select plan(31);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
create function pg_temp.agent(wanted_name text) returns public.agents
language sql stable security definer set search_path = ''
as $$ select a from public.agents a where a.name = wanted_name $$;
grant execute on function pg_temp.agent(text) to anon, authenticated, service_role;

select tests.create_two_tenants();
select tests.create_supabase_user('analyst_b', 'analyst.b@renum.test');
select tests.create_supabase_user('outsider', 'outsider@renum.test');
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-b'), tests.get_supabase_uid('analyst_b'), 'analyst'),
  (tests.tenant_id('tenant-b'), tests.get_supabase_uid('analyst_a'), 'member');

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, provider, model, system_prompt, config, status) values
  (tests.tenant_id('tenant-a'), 'Shared LLM', 'openai-compatible', 'gpt-4o-mini', 'You answer for A.',
   '{"base_url": "https://llm.tenant-a.test/v1", "organization": "org-a", "top_p": 0.5}', 'active'),
  (tests.tenant_id('tenant-a'), 'Shared Suna', 'suna', 'suna-default', '',
   '{"base_url": "https://suna.tenant-a.test", "agent_id": "agent-a", "thread_id": "thread-a"}', 'active'),
  (tests.tenant_id('tenant-a'), 'Shared Agents API', 'agent-api', 'sdr-v1', '', '{"path": "sdr", "timeout_ms": 5000}', 'active'),
  (tests.tenant_id('tenant-a'), 'Personal share', 'openai-compatible', 'gpt-4o-mini', '', '{"base_url": "https://llm.tenant-a.test"}', 'active');

select tests.authenticate_as('owner_a');
insert into public.agent_shares (agent_id, grantee_tenant_id, permission) values
  (tests.agent_id('Shared LLM'), tests.tenant_id('tenant-b'), 'edit'),
  (tests.agent_id('Shared Suna'), tests.tenant_id('tenant-b'), 'edit'),
  (tests.agent_id('Shared Agents API'), tests.tenant_id('tenant-b'), 'edit');
insert into public.agent_shares (agent_id, grantee_user_id, permission) values
  (tests.agent_id('Personal share'), tests.get_supabase_uid('outsider'), 'edit');

-- ─── as member of tenant B (grantee, 'edit') ─────────────────────────────────────────────────
select tests.authenticate_as('member_b');
select lives_ok(
  $$ update public.agents set name = 'Shared LLM', description = 'Tuned by B', system_prompt = 'You answer for A, politely.',
       model = 'gpt-4o', temperature = 0.2, max_tokens = 512, config = config || '{"top_p": 0.9, "stop": ["END"]}'
     where id = tests.agent_id('Shared LLM') $$,
  'a grantee member changes the wording, model and tuning of a shared agent'
);
select is(
  (select row(description, system_prompt, model, temperature, max_tokens, config)::text from public.agents where id = tests.agent_id('Shared LLM')),
  row('Tuned by B', 'You answer for A, politely.', 'gpt-4o', 0.20::numeric(3, 2), 512,
      '{"stop": ["END"], "top_p": 0.9, "base_url": "https://llm.tenant-a.test/v1", "organization": "org-a"}'::jsonb)::text,
  'the tuning is kept'
);
select throws_ok(
  $$ update public.agents set config = config || '{"base_url": "https://attacker.test/v1"}' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'config.base_url of a shared agent can only be changed by the company that owns it',
  'a grantee cannot re-point the agent''s base_url'
);
select throws_ok(
  $$ update public.agents set config = config - 'base_url' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'config.base_url of a shared agent can only be changed by the company that owns it',
  'nor remove it (which sends the call to the platform''s OpenAI address with another key)'
);
select throws_ok(
  $$ update public.agents set provider = 'anthropic', config = '{}' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'provider of a shared agent can only be changed by the company that owns it',
  'a grantee cannot change the provider'
);
select throws_ok(
  $$ update public.agents set provider = 'demo', config = '{}' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'provider of a shared agent can only be changed by the company that owns it',
  'not even to the demo provider'
);
select throws_ok(
  $$ update public.agents set config = config || '{"organization": "org-attacker"}' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'config.organization of a shared agent can only be changed by the company that owns it',
  'a grantee cannot change the organization the key is billed to'
);
select throws_ok(
  $$ update public.agents set tools = array['http_request'] where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'tools of a shared agent can only be changed by the company that owns it',
  'a grantee cannot give the agent tools'
);
select throws_ok(
  $$ update public.agents set knowledge_base_ids = array[gen_random_uuid()] where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'knowledge_base_ids of a shared agent can only be changed by the company that owns it',
  'a grantee cannot attach knowledge bases'
);
select throws_ok(
  $$ update public.agents set status = 'archived' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'status of a shared agent can only be changed by the company that owns it',
  'a grantee cannot archive the agent'
);
select throws_ok(
  $$ update public.agents set config = config || '{"base_url": "https://attacker.test"}' where id = tests.agent_id('Shared Suna') $$,
  'P0001', 'config.base_url of a shared agent can only be changed by the company that owns it',
  'a grantee cannot re-point a Suna agent'
);
select throws_ok(
  $$ update public.agents set config = config || '{"thread_id": "someone-elses-thread"}' where id = tests.agent_id('Shared Suna') $$,
  'P0001', 'config.thread_id of a shared agent can only be changed by the company that owns it',
  'nor move it to another Suna thread'
);
select throws_ok(
  $$ update public.agents set config = config || '{"agent_id": "agent-b"}' where id = tests.agent_id('Shared Suna') $$,
  'P0001', 'config.agent_id of a shared agent can only be changed by the company that owns it',
  'nor to another Suna agent'
);
select throws_ok(
  $$ update public.agents set config = config || '{"path": "../../collect"}' where id = tests.agent_id('Shared Agents API') $$,
  'P0001', 'config.path of a shared agent can only be changed by the company that owns it',
  'a grantee cannot change the agents endpoint path'
);
select throws_ok(
  $$ update public.agents set config = config || '{"agent_type": "copilot"}' where id = tests.agent_id('Shared Agents API') $$,
  'P0001', 'config.agent_type of a shared agent can only be changed by the company that owns it',
  'nor the agent type that picks the route'
);
select throws_ok(
  $$ update public.agents set type = 'copilot' where id = tests.agent_id('Shared Agents API') $$,
  'P0001', 'type of a shared agent can only be changed by the company that owns it',
  'nor the agent''s type (the route when no path is set)'
);
select lives_ok(
  $$ update public.agents set config = config || '{"timeout_ms": 8000}' where id = tests.agent_id('Shared Agents API') $$,
  'a grantee may tune the timeout'
);

-- ─── as a person the agent is shared with ('edit') ───────────────────────────────────────────
select tests.authenticate_as('outsider');
select lives_ok(
  $$ update public.agents set system_prompt = 'Tuned by a person' where id = tests.agent_id('Personal share') $$,
  'a person with an edit share rewrites the prompt'
);
select throws_ok(
  $$ update public.agents set config = '{"base_url": "http://127.0.0.1:9/"}' where id = tests.agent_id('Personal share') $$,
  'P0001', 'config.base_url of a shared agent can only be changed by the company that owns it',
  'a person with an edit share cannot re-point the agent at a loopback address'
);

-- ─── as analyst of tenant B (grantee company) ────────────────────────────────────────────────
select tests.authenticate_as('analyst_b');
select ok(
  exists (select 1 from public.agents where id = tests.agent_id('Shared LLM')),
  'an analyst of the grantee company reads the shared agent'
);
select is_empty(
  $$ update public.agents set system_prompt = 'analyst was here' where id = tests.agent_id('Shared LLM') returning id $$,
  'an analyst of the grantee company changes nothing, not even the prompt'
);
select is_empty(
  $$ update public.agents set config = config || '{"base_url": "https://attacker.test"}' where id = tests.agent_id('Shared LLM') returning id $$,
  'nor the address'
);

-- ─── as analyst of tenant A who is also a member of tenant B ─────────────────────────────────
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ update public.agents set system_prompt = 'analyst of A via B' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'analysts can read agents but not change them',
  'an analyst of the owning company cannot edit through a share to another company they belong to'
);

-- ─── as owner of tenant B: the grantee company's owner is a grantee like its members ─────────
select tests.authenticate_as('owner_b');
select throws_ok(
  $$ update public.agents set config = config || '{"base_url": "https://b.test/v1"}' where id = tests.agent_id('Shared LLM') $$,
  'P0001', 'config.base_url of a shared agent can only be changed by the company that owns it',
  'the grantee company''s owner cannot re-point it either'
);
select is(
  (select count(*)::int from public.agents where id = tests.agent_id('Shared LLM') and name = 'Shared LLM'),
  1,
  'the grantee owner still reads it'
);

-- ─── as member of tenant A (the agent's company) ─────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(
  $$ update public.agents set config = config || '{"base_url": "https://llm2.tenant-a.test/v1"}' where id = tests.agent_id('Shared LLM') $$,
  'the agent''s own company changes its address'
);
select lives_ok(
  $$ update public.agents set provider = 'anthropic', config = '{}' where id = tests.agent_id('Personal share') $$,
  'and its provider'
);

-- ─── as postgres: what really changed ────────────────────────────────────────────────────────
reset role;
select is(
  (select config from public.agents where name = 'Shared LLM'),
  '{"stop": ["END"], "top_p": 0.9, "base_url": "https://llm2.tenant-a.test/v1", "organization": "org-a"}'::jsonb,
  'the shared agent''s address is the one its company set'
);
select is(
  (select config from public.agents where name = 'Shared Suna'),
  '{"base_url": "https://suna.tenant-a.test", "agent_id": "agent-a", "thread_id": "thread-a"}'::jsonb,
  'the Suna agent is untouched'
);
select is(
  (select row(type, config)::text from public.agents where name = 'Shared Agents API'),
  row('custom'::public.agent_type, '{"path": "sdr", "timeout_ms": 8000}'::jsonb)::text,
  'the agents-endpoint agent keeps its route, with the grantee''s timeout'
);
select is(
  (select system_prompt from public.agents where name = 'Shared LLM'),
  'You answer for A, politely.',
  'no analyst''s words reached the prompt'
);

select * from finish();
rollback;
