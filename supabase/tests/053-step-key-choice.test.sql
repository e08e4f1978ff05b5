-- Which key pays for a step, and where it may go (private.provider_key_for_step), and the audited
-- decryption of that key for the step (private.decrypt_provider_key_for_step).
--   order: the run starter's key for the run's company, the starter's personal key, a company key an
--          owner or admin shared with the company's runs (its owner still a member); never another
--          member's personal or unshared key
--   where: first-party keys (openai, anthropic) only when the agent has no base_url (the platform's
--          address); custom-endpoint keys only when the call's origin is the one they were stored for
--          (config.base_url, or the company's agents_endpoint_url for agent-api)
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a, and member_c who stores no key), tenant B
-- (owner_b, member_b); the service role as the engine.

begin;
set search_path to public, extensions, tests;

select plan(33);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- The key chosen for a step as "<owner>:<service>:<last four>", or "none"; and the unusable one.
create function pg_temp.key_for(prompt text, agent_name text) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce(split_part(p.email, '@', 1) || ':' || k.service || ':' || k.key_last_four, 'none')
  from private.provider_key_for_step(tests.step_id(prompt, agent_name)) c
  left join public.provider_keys k on k.id = c.key_id left join public.profiles p on p.id = k.user_id
$$;
create function pg_temp.unusable_for(prompt text, agent_name text) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce(c.unusable_key_service || '@' || coalesce(c.unusable_key_origin, 'its provider'), 'none')
  from private.provider_key_for_step(tests.step_id(prompt, agent_name)) c
$$;
grant execute on function pg_temp.key_for(text, text), pg_temp.unusable_for(text, text) to service_role;

select tests.create_two_tenants();
select tests.create_supabase_user('member_c', 'member.c@renum.test');
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-a'), tests.get_supabase_uid('member_c'), 'member');
update public.tenants set plan = 'enterprise', agents_endpoint_url = 'https://agents.tenant-a.test/api' where id = tests.tenant_id('tenant-a');

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, provider, model, config, status) values
  (tests.tenant_id('tenant-a'), 'OpenAI', 'openai-compatible', 'gpt-4o-mini', '{}', 'active'),
  (tests.tenant_id('tenant-a'), 'Compat X', 'openai-compatible', 'llama', '{"base_url": "https://X.test:443/other/v1"}', 'active'),
  (tests.tenant_id('tenant-a'), 'Compat capture', 'openai-compatible', 'llama', '{"base_url": "https://capture.example.net:9999/v1"}', 'active'),
  (tests.tenant_id('tenant-a'), 'Anthropic', 'anthropic', 'claude', '{}', 'active'),
  (tests.tenant_id('tenant-a'), 'Anthropic proxied', 'anthropic', 'claude', '{"base_url": "https://proxy.test"}', 'active'),
  (tests.tenant_id('tenant-a'), 'Suna', 'suna', 'suna', '{"base_url": "https://suna.test/api"}', 'active'),
  (tests.tenant_id('tenant-a'), 'Agents', 'agent-api', 'sdr', '{}', 'active'),
  (tests.tenant_id('tenant-a'), 'Demo', 'demo', 'demo-small', '{}', 'active');
insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, continue_on_error, timeout_seconds)
values (tests.tenant_id('tenant-a'), 'Everyone', 'sequential', 5, true, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
select tests.team_id('Everyone'), a.id, 'member', row_number() over (order by a.name), '{"source": "initial_prompt"}', '[]'
from public.agents a where a.tenant_id = tests.tenant_id('tenant-a');

-- member_a's keys: openai for A and personal, anthropic personal, bound keys for X, suna and the agents endpoint.
select public.set_provider_key('openai', 'sk-member-a-openai-company-0001', tests.tenant_id('tenant-a'));
select public.set_provider_key('openai', 'sk-member-a-openai-personal-0002');
select public.set_provider_key('anthropic', 'sk-member-a-anthropic-personal-0003');
select public.set_provider_key('openai-compatible', 'sk-member-a-compat-x-0004', tests.tenant_id('tenant-a'), 'https://x.test/v1');
select public.set_provider_key('suna', 'sk-member-a-suna-0005', null, 'https://suna.test');
select public.set_provider_key('agent-api', 'sk-member-a-agents-0006', tests.tenant_id('tenant-a'), 'https://agents.tenant-a.test/api');
select public.start_execution(tests.team_id('Everyone'), 'run by member_a');

-- owner_a: an openai key for A (shared below) and an unshared openai-compatible key for X.
select tests.authenticate_as('owner_a');
select public.set_provider_key('openai', 'sk-owner-a-openai-company-0011', tests.tenant_id('tenant-a'));
select public.set_provider_key('openai-compatible', 'sk-owner-a-compat-x-0012', tests.tenant_id('tenant-a'), 'https://x.test');
-- admin_a: an anthropic key for A (shared below) and a personal suna key for X's suna.
select tests.authenticate_as('admin_a');
select public.set_provider_key('anthropic', 'sk-admin-a-anthropic-company-0021', tests.tenant_id('tenant-a'));
select public.set_provider_key('suna', 'sk-admin-a-suna-personal-0022', null, 'https://suna.test');
select public.set_provider_key_sharing(tests.provider_key_id('owner_a', 'openai', 'tenant-a'), true);
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'anthropic', 'tenant-a'), true);
-- member_b: a personal openai key (another company's member).
select tests.authenticate_as('member_b');
select public.set_provider_key('openai', 'sk-member-b-openai-personal-0031');

select tests.authenticate_as('member_c');
select public.start_execution(tests.team_id('Everyone'), 'run by member_c');

-- ─── the starter's own keys come first ───────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(pg_temp.key_for('run by member_a', 'OpenAI'), 'member.a:openai:0001',
  'the starter''s key for the run''s company comes before their personal key');
select is(pg_temp.key_for('run by member_a', 'Anthropic'), 'member.a:anthropic:0003',
  'the starter''s personal key comes before a key shared with the company');
select is(pg_temp.key_for('run by member_a', 'Compat X'), 'member.a:openai-compatible:0004',
  'a custom key is used for its own origin, whatever the path and however the origin is spelled');
select is(pg_temp.key_for('run by member_a', 'Suna'), 'member.a:suna:0005',
  'a personal suna key bound to the agent''s origin');
select is(pg_temp.key_for('run by member_a', 'Agents'), 'member.a:agent-api:0006',
  'an agent-api key bound to the company''s agents endpoint');
select is(pg_temp.key_for('run by member_a', 'Demo'), 'none', 'the demo needs no key');

-- ─── no key goes to an address it was not stored for ─────────────────────────────────────────
select is(pg_temp.key_for('run by member_a', 'Compat capture'), 'none',
  'an agent pointed at another address gets no key');
select is(pg_temp.unusable_for('run by member_a', 'Compat capture'), 'openai-compatible@https://x.test',
  'and the step learns which address the starter''s key was stored for');
select is(pg_temp.key_for('run by member_a', 'Anthropic proxied'), 'none',
  'a first-party key never goes to an agent''s base_url');
select is(pg_temp.unusable_for('run by member_a', 'Anthropic proxied'), 'anthropic@its provider',
  'and the step learns that the anthropic key goes only to Anthropic');

-- ─── a plain member without keys: shared company keys only, never a colleague's ──────────────
select is(pg_temp.key_for('run by member_c', 'OpenAI'), 'owner.a:openai:0011',
  'a member without keys uses the company key an owner or admin shared');
select is(pg_temp.key_for('run by member_c', 'Anthropic'), 'admin.a:anthropic:0021',
  'any company key shared by an owner or admin, whoever stored it');
select is(pg_temp.key_for('run by member_c', 'Compat X'), 'none',
  'never a colleague''s unshared company key (owner''s and member''s keys for X stay theirs)');
select is(pg_temp.key_for('run by member_c', 'Suna'), 'none',
  'never a colleague''s personal key');
select is(pg_temp.key_for('run by member_c', 'Agents'), 'none',
  'never a colleague''s agent-api key');
select is(pg_temp.key_for('run by member_c', 'Compat capture'), 'none',
  'pointing an agent at one''s own server gets no one''s key');
select is(pg_temp.unusable_for('run by member_c', 'Compat capture'), 'none',
  'nor is the shared openai key named: the call goes without a key');
select is(pg_temp.unusable_for('run by member_c', 'Compat X'), 'none',
  'a colleague''s unshared key is not even named');

-- ─── the company's agents endpoint changes: the agent-api key stays behind ───────────────────
select tests.authenticate_as('owner_a');
update public.tenants set agents_endpoint_url = 'https://collector.test/api' where id = tests.tenant_id('tenant-a');
select tests.authenticate_as_service_role();
select is(pg_temp.key_for('run by member_a', 'Agents'), 'none',
  'after an admin re-points the agents endpoint, the member''s agent-api key is not sent there');
select is(pg_temp.unusable_for('run by member_a', 'Agents'), 'agent-api@https://agents.tenant-a.test',
  'and the step learns where that key belongs');

-- ─── sharing ends, or its owner leaves: the key is no longer the company's ───────────────────
select tests.authenticate_as('owner_a');
select public.set_provider_key_sharing(tests.provider_key_id('owner_a', 'openai', 'tenant-a'), false);
delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('admin_a');
select tests.authenticate_as_service_role();
select is(pg_temp.key_for('run by member_c', 'OpenAI'), 'none', 'an unshared key is no longer used for others'' runs');
select is(pg_temp.key_for('run by member_c', 'Anthropic'), 'none', 'a shared key of someone who left the company is not used');
select is(pg_temp.key_for('run by member_a', 'OpenAI'), 'member.a:openai:0001', 'the starter''s own key is unaffected');

-- ─── decrypting the step's key: only that key, audited in the starter's name ─────────────────
select is(
  private.decrypt_provider_key_for_step(tests.step_id('run by member_a', 'Compat X'), tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a')),
  'sk-member-a-compat-x-0004',
  'the engine decrypts the key chosen for the step'
);
select is(
  (select row(actor_id = tests.get_supabase_uid('member_a'), after ->> 'key_owner_id' = tests.get_supabase_uid('member_a')::text,
              after ->> 'purpose' like 'execution % step %')::text
   from public.audit_log where action = 'decrypt' and record_id = tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a')::text),
  row(true, true, true)::text,
  'the decrypt entry names the run''s starter, the key''s owner and the step'
);
select throws_ok(
  format('select private.decrypt_provider_key_for_step(%L, %L)', tests.step_id('run by member_a', 'Compat capture'),
         tests.provider_key_id('member_a', 'openai-compatible', 'tenant-a')),
  '42501', 'this key is not the one this step may use',
  'the key is not decrypted for a step whose call goes elsewhere'
);
select throws_ok(
  format('select private.decrypt_provider_key_for_step(%L, %L)', tests.step_id('run by member_c', 'OpenAI'),
         tests.provider_key_id('member_b', 'openai')),
  '42501', 'this key is not the one this step may use',
  'nor another company''s member''s key'
);
select throws_ok(
  format('select private.decrypt_provider_key_for_step(%L, %L)', gen_random_uuid(), tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'this key is not the one this step may use',
  'nor for a step that does not exist'
);

-- The starter's key shared by an owner, used for a colleague's run: the actor is the colleague.
select tests.authenticate_as('owner_a');
select public.set_provider_key_sharing(tests.provider_key_id('member_a', 'openai', 'tenant-a'), true);
select tests.authenticate_as_service_role();
select is(
  private.decrypt_provider_key_for_step(tests.step_id('run by member_c', 'OpenAI'), tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  'sk-member-a-openai-company-0001',
  'a colleague''s run decrypts a key an owner shared'
);
select is(
  (select row(actor_id = tests.get_supabase_uid('member_c'), after ->> 'key_owner_id' = tests.get_supabase_uid('member_a')::text, after ->> 'shared')::text
   from public.audit_log where action = 'decrypt' and record_id = tests.provider_key_id('member_a', 'openai', 'tenant-a')::text),
  row(true, true, 'true')::text,
  'the decrypt entry names the colleague who started the run as its actor, and the key''s owner in its details'
);

-- as member of tenant A: nobody decrypts for a step but the engine
select tests.authenticate_as('member_a');
select throws_ok(
  format('select private.decrypt_provider_key_for_step(%L, %L)', tests.step_id('run by member_a', 'OpenAI'), tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'permission denied for schema private',
  'a user cannot decrypt a step''s key'
);
select throws_ok(
  format('select * from private.provider_key_for_step(%L)', tests.step_id('run by member_a', 'OpenAI')),
  '42501', 'permission denied for schema private',
  'nor ask which key a step uses'
);

-- A security-definer path that forgets to check (defence in depth): still refused.
reset role;
create function pg_temp.decrypt_step_key(step uuid, key uuid) returns text language sql security definer set search_path = ''
as $$ select private.decrypt_provider_key_for_step(step, key) $$;
grant execute on function pg_temp.decrypt_step_key(uuid, uuid) to authenticated;
select tests.authenticate_as('member_c');
select throws_ok(
  format('select pg_temp.decrypt_step_key(%L, %L)', tests.step_id('run by member_c', 'OpenAI'), tests.provider_key_id('member_a', 'openai', 'tenant-a')),
  '42501', 'only the service role can decrypt provider keys',
  'a signed-in user is refused even through a security-definer function'
);

select * from finish();
rollback;
