-- Agents: each tenant builds and reads only its own agents (by role), every change leaves an
-- immutable version, and sharing with a person or a tenant opens exactly what it says ('use'
-- reads, 'edit' also updates the definition) until it is revoked.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(104);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();

select tests.authenticate_as('owner_a');
insert into public.agents (tenant_id, name, provider, model, system_prompt, config, tools)
values (tests.tenant_id('tenant-a'), 'Agent A2', 'demo', 'demo-small', 'Be brief.', '{"reply": "hi"}', '{}');
select tests.authenticate_as('owner_b');
insert into public.agents (tenant_id, name, provider, model, system_prompt)
values (tests.tenant_id('tenant-b'), 'Agent B1', 'demo', 'demo-small', 'Secret prompt of B');

-- ─── row level security ──────────────────────────────────────────────────────────────────────
reset role;
select tests.rls_enabled('public', 'tools');
select tests.rls_enabled('public', 'agents');
select tests.rls_enabled('public', 'agent_versions');
select tests.rls_enabled('public', 'agent_shares');

-- ─── tools registry ──────────────────────────────────────────────────────────────────────────
-- as analyst of tenant A (any signed-in user)
select tests.authenticate_as('analyst_a');
select is(
  (select array_agg(id order by id) from public.tools),
  array['calculator', 'current_time', 'http_request', 'knowledge_search', 'query_data', 'record_interview_answer', 'request_qualification', 'web_search', 'whatsapp_send'],
  'signed-in users read the tools registry'
);
select throws_ok(
  $$ insert into public.tools (id, name) values ('teleport', 'Teleport') $$,
  '42501', 'permission denied for table tools', 'users cannot add tools'
);
select throws_ok(
  $$ update public.tools set description = 'changed' $$,
  '42501', 'permission denied for table tools', 'users cannot change tools'
);
select throws_ok(
  $$ delete from public.tools $$,
  '42501', 'permission denied for table tools', 'users cannot delete tools'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.tools $$, '42501', 'permission denied for table tools', 'anon cannot read the tools registry');

-- ─── agents: building by role ────────────────────────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('member_a');
select lives_ok(
  $$ insert into public.agents (tenant_id, name, type, provider, model, system_prompt, config, tools)
     values (tests.tenant_id('tenant-a'), '  Agent A1 ', 'sdr', 'anthropic', 'claude-sonnet', 'Qualify leads.',
             '{"top_p": 0.9, "stop_sequences": ["END"]}', '{web_search,knowledge_search}') $$,
  'a member creates an agent in their tenant'
);
select is(
  (select row(name, created_by = auth.uid(), version, status::text)::text from public.agents where id = tests.agent_id('Agent A1')),
  row('Agent A1', true, 1, 'draft')::text,
  'the new agent is trimmed, authored by its creator, a draft at version 1'
);
select is(
  (select array_agg(version) from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  array[1],
  'creating an agent records version 1'
);
update public.agents set system_prompt = 'Qualify leads politely.', temperature = 0.3 where id = tests.agent_id('Agent A1');
select is(
  (select version from public.agents where id = tests.agent_id('Agent A1')),
  2,
  'a member updates an agent and its version increments'
);
select is(
  (select array_agg(definition ->> 'system_prompt' order by version) from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  array['Qualify leads.', 'Qualify leads politely.'],
  'every change leaves a snapshot; the earlier one keeps the earlier definition'
);
update public.agents set system_prompt = 'Qualify leads politely.' where id = tests.agent_id('Agent A1');
select is(
  (select count(*)::int from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  2,
  'an update that changes nothing records no new version'
);
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A1', 'Agent A2'],
  'member of A reads the agents of tenant A and none of B'
);
select is(
  (select count(*)::int from public.agent_versions where tenant_id <> tests.tenant_id('tenant-a')),
  0,
  'member of A reads no versions of other tenants'' agents'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, provider, model, config)
     values (tests.tenant_id('tenant-a'), 'Bad config', 'anthropic', 'claude-sonnet', '{"nope": 1}') $$,
  '22023', 'config.nope is not a setting of the anthropic provider',
  'a config setting the provider does not have is refused, naming it'
);
select throws_ok(
  $$ update public.agents set config = '{"base_url": "ftp://example.test"}' where id = tests.agent_id('Agent A1') $$,
  '22023', 'config.base_url must be an http(s) URL',
  'a config value of the wrong shape is refused, naming it'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, tools)
     values (tests.tenant_id('tenant-a'), 'Bad tool', 'demo-small', '{web_search,teleport}') $$,
  '22023', 'tools: "teleport" is not in the tools registry',
  'a tool that is not in the registry is refused'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-b'), 'Planted', 'demo-small') $$,
  '42501', 'new row violates row-level security policy for table "agents"',
  'member of A cannot create an agent in tenant B'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, created_by)
     values (tests.tenant_id('tenant-a'), 'Forged', 'demo-small', tests.get_supabase_uid('owner_a')) $$,
  '42501', 'new row violates row-level security policy for table "agents"',
  'a member cannot create an agent in someone else''s name'
);
select throws_ok(
  $$ update public.agents set tenant_id = tests.tenant_id('tenant-b') where id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agents',
  'a member cannot move an agent to another tenant'
);
select throws_ok(
  $$ update public.agents set created_by = tests.get_supabase_uid('owner_a') where id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agents',
  'a member cannot change an agent''s author'
);
select throws_ok(
  $$ update public.agents set version = 1 where id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agents',
  'a member cannot set an agent''s version'
);
select is_empty(
  $$ delete from public.agents where id = tests.agent_id('Agent A1') returning id $$,
  'a member cannot delete an agent'
);
select is_empty(
  $$ update public.agents set system_prompt = 'Hijacked' where id = tests.agent_id('Agent B1') returning id $$,
  'member of A cannot update tenant B''s agent'
);
select is_empty(
  $$ delete from public.agents where id = tests.agent_id('Agent B1') returning id $$,
  'member of A cannot delete tenant B''s agent'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A1', 'Agent A2'],
  'an analyst reads the tenant''s agents'
);
select is(
  (select count(*)::int from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  2,
  'an analyst reads the tenant''s agent versions'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'Analyst agent', 'demo-small') $$,
  '42501', 'new row violates row-level security policy for table "agents"',
  'an analyst cannot create agents'
);
select is_empty(
  $$ update public.agents set system_prompt = 'Analyst was here' where id = tests.agent_id('Agent A1') returning id $$,
  'an analyst cannot update agents'
);
select is_empty(
  $$ delete from public.agents where id = tests.agent_id('Agent A1') returning id $$,
  'an analyst cannot delete agents'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'Scratch', 'demo-small');
update public.agents set status = 'archived' where name = 'Scratch';
select lives_ok(
  $$ delete from public.agents where id = tests.agent_id('Scratch') $$,
  'an admin deletes an agent'
);
reset role;
select ok(
  not exists (select from public.agents where name = 'Scratch')
    and not exists (select from public.agent_versions where tenant_id = tests.tenant_id('tenant-a') and definition ->> 'name' = 'Scratch'),
  'deleting an agent removes it and its versions'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select array_agg(name) from public.agents),
  array['Agent B1'],
  'member of B reads only tenant B''s agents (nothing is shared yet)'
);
select is(
  (select array_agg(distinct tenant_id) from public.agent_versions),
  array[tests.tenant_id('tenant-b')],
  'member of B reads only tenant B''s agent versions'
);
select is_empty(
  $$ update public.agents set name = 'Stolen' where id = tests.agent_id('Agent A1') returning id $$,
  'member of B cannot update tenant A''s agent'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select row(system_prompt, version, tenant_id = tests.tenant_id('tenant-a'))::text from public.agents where name = 'Agent A1'),
  row('Qualify leads politely.', 2, true)::text,
  'Agent A1 holds its member''s change and nothing else'
);
select is(
  (select row(system_prompt, version)::text from public.agents where name = 'Agent B1'),
  row('Secret prompt of B', 1)::text,
  'Agent B1 is untouched by tenant A'
);

-- ─── sharing ─────────────────────────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id, permission)
     values (tests.agent_id('Agent A1'), tests.get_supabase_uid('member_b'), 'use') $$,
  'an owner shares an agent with a person of another tenant to use'
);
select lives_ok(
  $$ insert into public.agent_shares (agent_id, grantee_tenant_id, permission)
     values (tests.agent_id('Agent A2'), tests.tenant_id('tenant-b'), 'edit') $$,
  'an owner shares an agent with a whole tenant to edit'
);
select is(
  (select array_agg(distinct tenant_id) from public.agent_shares),
  array[tests.tenant_id('tenant-a')],
  'a share carries the agent''s tenant, filled in by the database'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id) values (tests.agent_id('Agent A2'), tests.get_supabase_uid('member_a')) $$,
  'P0001', 'this person already belongs to the agent''s company',
  'an agent is not shared with someone of its own tenant'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_tenant_id) values (tests.agent_id('Agent A2'), tests.tenant_id('tenant-a')) $$,
  '23514', 'new row for relation "agent_shares" violates check constraint "agent_shares_not_to_own_tenant"',
  'an agent is not shared with its own tenant'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id) values (tests.agent_id('Agent B1'), tests.get_supabase_uid('admin_a')) $$,
  '42501', 'new row violates row-level security policy for table "agent_shares"',
  'owner of A cannot share tenant B''s agent'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id, created_by)
     values (tests.agent_id('Agent A2'), tests.get_supabase_uid('owner_b'), tests.get_supabase_uid('owner_a')) $$,
  '42501', 'new row violates row-level security policy for table "agent_shares"',
  'an admin cannot share in someone else''s name'
);
select throws_ok(
  $$ update public.agent_shares set grantee_user_id = tests.get_supabase_uid('owner_b') where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agent_shares',
  'a share cannot be handed to another grantee'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select count(*)::int from public.agent_shares),
  2,
  'a member reads the shares of their tenant''s agents'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id) values (tests.agent_id('Agent A1'), tests.get_supabase_uid('owner_b')) $$,
  '42501', 'new row violates row-level security policy for table "agent_shares"',
  'a member cannot share agents'
);
select is_empty(
  $$ update public.agent_shares set permission = 'edit' where agent_id = tests.agent_id('Agent A1') returning id $$,
  'a member cannot change a share''s permission'
);
select is_empty(
  $$ delete from public.agent_shares returning id $$,
  'a member cannot revoke shares'
);

-- as member of tenant B (a 'use' grantee of A1, and in tenant B, an 'edit' grantee of A2)
select tests.authenticate_as('member_b');
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A1', 'Agent A2', 'Agent B1'],
  'member of B reads their tenant''s agent and the two shared agents'
);
select is(
  (select count(*)::int from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  2,
  'a grantee reads the versions of an agent shared with them'
);
select is(
  (select count(*)::int from public.agent_shares),
  2,
  'a grantee reads the shares made to them (personally and to their tenant)'
);
select is_empty(
  $$ update public.agents set system_prompt = 'Used, not edited' where id = tests.agent_id('Agent A1') returning id $$,
  'a ''use'' grantee cannot update the agent'
);
select is(
  (select version from public.agents where id = tests.agent_id('Agent A2')),
  1,
  'Agent A2 is at version 1 before the edit grantee changes it'
);
update public.agents set system_prompt = 'Be brief and kind.' where id = tests.agent_id('Agent A2');
select is(
  (select row(system_prompt, version)::text from public.agents where id = tests.agent_id('Agent A2')),
  row('Be brief and kind.', 2)::text,
  'an ''edit'' grantee updates the definition, and a version is recorded'
);
select is(
  (select created_by from public.agent_versions where agent_id = tests.agent_id('Agent A2') and version = 2),
  tests.get_supabase_uid('member_b'),
  'the version records the grantee who made the change'
);
select throws_ok(
  $$ update public.agents set tenant_id = tests.tenant_id('tenant-b') where id = tests.agent_id('Agent A2') $$,
  '42501', 'permission denied for table agents',
  'an ''edit'' grantee cannot move the agent to their tenant'
);
select is_empty(
  $$ delete from public.agents where id = tests.agent_id('Agent A2') returning id $$,
  'an ''edit'' grantee cannot delete the agent'
);
select is_empty(
  $$ delete from public.agent_shares returning id $$,
  'a grantee cannot revoke or widen a share'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id) values (tests.agent_id('Agent A2'), tests.get_supabase_uid('member_b')) $$,
  '42501', 'new row violates row-level security policy for table "agent_shares"',
  'a grantee cannot share the agent further'
);

-- as owner of tenant B (in tenant B, not a personal grantee)
select tests.authenticate_as('owner_b');
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A2', 'Agent B1'],
  'a share to a tenant reaches every member of it; a personal share reaches only its person'
);

-- as analyst of tenant A: shares do not leak across grantees
select tests.authenticate_as('analyst_a');
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A1', 'Agent A2'],
  'sharing an agent does not show tenant B''s agents to tenant A'
);

-- as owner of tenant A: revoking and narrowing
select tests.authenticate_as('owner_a');
delete from public.agent_shares where agent_id = tests.agent_id('Agent A1');
update public.agent_shares set permission = 'use' where agent_id = tests.agent_id('Agent A2');

-- as member of tenant B
select tests.authenticate_as('member_b');
select is_empty(
  $$ select id from public.agents where id = tests.agent_id('Agent A1') $$,
  'once the share is revoked, the agent disappears at once'
);
select is_empty(
  $$ select id from public.agent_versions where agent_id = tests.agent_id('Agent A1') $$,
  'once the share is revoked, so do its versions'
);
select is_empty(
  $$ update public.agents set system_prompt = 'Edit again' where id = tests.agent_id('Agent A2') returning id $$,
  'once narrowed to ''use'', the grantee can no longer update the agent'
);

-- as service role
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.agent_shares set grantee_tenant_id = gen_random_uuid() where agent_id = tests.agent_id('Agent A2') $$,
  '42501', 'agent_shares.grantee_tenant_id cannot be changed',
  'not even the service role can hand a share to another grantee'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(row(a.name, s.permission)::text) from public.agent_shares s join public.agents a on a.id = s.agent_id),
  array[row('Agent A2', 'use')::text],
  'one share is left, narrowed to use'
);
select is(
  (select row(system_prompt, version)::text from public.agents where name = 'Agent A2'),
  row('Be brief and kind.', 2)::text,
  'Agent A2 holds only the edit made while the grantee could edit'
);

-- ─── agent versions are immutable ────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ update public.agent_versions set definition = '{}' where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agent_versions', 'an owner cannot update agent versions'
);
select throws_ok(
  $$ delete from public.agent_versions where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'permission denied for table agent_versions', 'an owner cannot delete agent versions'
);
select throws_ok(
  $$ insert into public.agent_versions (agent_id, tenant_id, version, definition)
     values (tests.agent_id('Agent A1'), tests.tenant_id('tenant-a'), 99, '{}') $$,
  '42501', 'permission denied for table agent_versions', 'an owner cannot forge agent versions'
);

-- as service role
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.agent_versions set definition = '{}' where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'agent versions are immutable', 'not even the service role can update agent versions'
);
select throws_ok(
  $$ delete from public.agent_versions where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'agent versions are immutable', 'not even the service role can delete agent versions'
);

-- as postgres
select tests.clear_authentication(); reset role;
select throws_ok(
  $$ delete from public.agent_versions where agent_id = tests.agent_id('Agent A1') $$,
  '42501', 'agent versions are immutable', 'not even postgres can delete agent versions'
);

-- as service role: moving and re-authoring agents
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.agents set tenant_id = tests.tenant_id('tenant-b') where id = tests.agent_id('Agent A1') $$,
  '42501', 'agents.tenant_id cannot be changed', 'not even the service role can move an agent to another tenant'
);
select throws_ok(
  $$ update public.agents set created_by = tests.get_supabase_uid('owner_b') where id = tests.agent_id('Agent A1') $$,
  '42501', 'agents.created_by cannot be changed', 'not even the service role can change an agent''s author'
);
select is(
  (select count(*)::int from public.agents where name in ('Agent A1', 'Agent A2', 'Agent B1')),
  3,
  'the service role reads every tenant''s agents'
);

-- ─── platform admin ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
select is_empty($$ select id from public.agents $$, 'a platform admin does not read agents through plain selects');
select is_empty($$ select id from public.agent_versions $$, 'a platform admin does not read agent versions through plain selects');
select is_empty($$ select id from public.agent_shares $$, 'a platform admin does not read shares through plain selects');
select is_empty(
  $$ update public.agents set name = 'Staff edit' returning id $$,
  'a platform admin does not update agents through plain updates'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'Staff agent', 'demo-small') $$,
  '42501', 'new row violates row-level security policy for table "agents"',
  'a platform admin does not create agents in tenants'
);

-- ─── anon ────────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok($$ select id from public.agents $$, '42501', 'permission denied for table agents', 'anon cannot read agents');
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'Anon', 'demo-small') $$,
  '42501', 'permission denied for table agents', 'anon cannot create agents'
);
select throws_ok(
  $$ update public.agents set name = 'Anon' $$, '42501', 'permission denied for table agents', 'anon cannot update agents'
);
select throws_ok($$ delete from public.agents $$, '42501', 'permission denied for table agents', 'anon cannot delete agents');
select throws_ok(
  $$ select id from public.agent_versions $$, '42501', 'permission denied for table agent_versions', 'anon cannot read agent versions'
);
select throws_ok(
  $$ select id from public.agent_shares $$, '42501', 'permission denied for table agent_shares', 'anon cannot read shares'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_tenant_id) values (tests.agent_id('Agent A1'), tests.tenant_id('tenant-b')) $$,
  '42501', 'permission denied for table agent_shares', 'anon cannot share agents'
);

-- ─── a suspended tenant reads its agents but does not change them ────────────────────────────
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where id = tests.tenant_id('tenant-a');

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select array_agg(name order by name) from public.agents),
  array['Agent A1', 'Agent A2'],
  'a member of a suspended tenant still reads its agents'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'While suspended', 'demo-small') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot create agents'
);
select throws_ok(
  $$ update public.agents set system_prompt = 'While suspended' where id = tests.agent_id('Agent A1') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot update agents'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ delete from public.agents where id = tests.agent_id('Agent A1') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot delete agents'
);
select throws_ok(
  $$ insert into public.agent_shares (agent_id, grantee_user_id) values (tests.agent_id('Agent A1'), tests.get_supabase_uid('owner_b')) $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot share agents'
);
select throws_ok(
  $$ update public.agent_shares set permission = 'edit' where agent_id = tests.agent_id('Agent A2') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot change shares'
);
select throws_ok(
  $$ delete from public.agent_shares where agent_id = tests.agent_id('Agent A2') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot revoke shares'
);

-- as member of tenant B (an 'edit' grantee again, of a suspended tenant's agent)
reset role;
update public.agent_shares set permission = 'edit' where agent_id = tests.agent_id('Agent A2');
select tests.authenticate_as('member_b');
select throws_ok(
  $$ update public.agents set system_prompt = 'Edit while suspended' where id = tests.agent_id('Agent A2') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'an edit grantee cannot change a suspended tenant''s agent'
);
select lives_ok(
  $$ update public.agents set system_prompt = 'B is still active' where id = tests.agent_id('Agent B1') $$,
  'another tenant keeps working while tenant A is suspended'
);

-- as service role
select tests.authenticate_as_service_role();
select lives_ok(
  $$ update public.agents set status = 'archived' where id = tests.agent_id('Agent A1') $$,
  'the service role still changes a suspended tenant''s agents'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(row(name, system_prompt, status, version)::text order by name) from public.agents
   where tenant_id = tests.tenant_id('tenant-a')),
  array[row('Agent A1', 'Qualify leads politely.', 'archived', 3)::text, row('Agent A2', 'Be brief and kind.', 'draft', 2)::text],
  'tenant A''s agents hold only the service role''s change made while suspended'
);
select is(
  (select array_agg(version order by version) from public.agent_versions where agent_id = tests.agent_id('Agent A1')),
  array[1, 2, 3],
  'Agent A1''s history is complete and in order'
);

select * from finish();
rollback;
