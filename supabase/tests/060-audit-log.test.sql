-- Audit log: every change to tenants, memberships, invitations, agents, agent shares and provider
-- keys is written by a trigger with who, what, before and after; a tenant's owners and admins read
-- their tenant's entries, platform admins read all, and nobody can change or delete an entry.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(35);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();

-- Changes in tenant A, each by the person allowed to make it.
select tests.authenticate_as('owner_a');
update public.tenants set name = 'Tenant A Ltda' where id = tests.tenant_id('tenant-a');
update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('analyst_a');
delete from public.memberships where user_id = tests.get_supabase_uid('analyst_a');
insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'new.hire@renum.test', 'member');
delete from public.invitations where email = 'new.hire@renum.test';
select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, system_prompt) values (tests.tenant_id('tenant-a'), 'Agent A1', 'demo-small', 'v1');
update public.agents set system_prompt = 'v2' where id = tests.agent_id('Agent A1');
select public.set_provider_key('openai', 'sk-audit-member-a-1234', tests.tenant_id('tenant-a'));
select tests.authenticate_as('admin_a');
insert into public.agent_shares (agent_id, grantee_tenant_id) values (tests.agent_id('Agent A1'), tests.tenant_id('tenant-b'));
delete from public.agent_shares where agent_id = tests.agent_id('Agent A1');
insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-a'), 'Scratch', 'demo-small');
delete from public.agents where id = tests.agent_id('Scratch');

-- A change in tenant B.
select tests.authenticate_as('owner_b');
insert into public.agents (tenant_id, name, model) values (tests.tenant_id('tenant-b'), 'Agent B1', 'demo-small');

-- A platform admin reads tenant A through the admin panel.
select tests.authenticate_as('platform_admin');
select public.admin_get_tenant(tests.tenant_id('tenant-a')) ->> 'slug';

-- ─── row level security ──────────────────────────────────────────────────────────────────────
select tests.clear_authentication(); reset role;
select tests.rls_enabled('public', 'audit_log');

-- ─── what the triggers wrote ─────────────────────────────────────────────────────────────────
-- as postgres
select is(
  (select array_agg(row(action, table_name)::text order by id) from public.audit_log
   where tenant_id = tests.tenant_id('tenant-a') and actor_id = tests.get_supabase_uid('owner_a')),
  array[row('insert', 'tenants')::text, row('insert', 'memberships')::text, row('update', 'tenants')::text,
        row('update', 'memberships')::text, row('delete', 'memberships')::text,
        row('insert', 'invitations')::text, row('delete', 'invitations')::text],
  'the owner''s changes to tenants, memberships and invitations are audited in order'
);
select is(
  (select row(actor_role, record_id, before ->> 'name', after ->> 'name')::text from public.audit_log
   where table_name = 'tenants' and action = 'update' and tenant_id = tests.tenant_id('tenant-a')),
  row('authenticated', tests.tenant_id('tenant-a')::text, 'Tenant A', 'Tenant A Ltda')::text,
  'an update is audited with the row before and after'
);
select is(
  (select row(before ->> 'role', after ->> 'role')::text from public.audit_log
   where table_name = 'memberships' and action = 'update' and tenant_id = tests.tenant_id('tenant-a')),
  row('analyst', 'admin')::text,
  'a role change is audited with the old and new role'
);
select is(
  (select row(before ->> 'user_id', after)::text from public.audit_log
   where table_name = 'memberships' and action = 'delete' and tenant_id = tests.tenant_id('tenant-a')),
  row(tests.get_supabase_uid('analyst_a')::text, null::jsonb)::text,
  'a removal is audited with the row as it was'
);
select is(
  (select array_agg(row(action, before ->> 'system_prompt', after ->> 'system_prompt')::text order by id) from public.audit_log
   where table_name = 'agents' and record_id = tests.agent_id('Agent A1')::text and actor_id = tests.get_supabase_uid('member_a')),
  array[row('insert', null, 'v1')::text, row('update', 'v1', 'v2')::text],
  'creating and changing an agent is audited'
);
select is(
  (select array_agg(action order by id) from public.audit_log
   where table_name = 'agents' and coalesce(after, before) ->> 'name' = 'Scratch'),
  array['insert', 'delete'],
  'deleting an agent is audited'
);
select is(
  (select array_agg(row(action, actor_id = tests.get_supabase_uid('admin_a'), coalesce(after, before) ->> 'grantee_tenant_id')::text order by id)
   from public.audit_log where table_name = 'agent_shares'),
  array[row('insert', true, tests.tenant_id('tenant-b'))::text, row('delete', true, tests.tenant_id('tenant-b'))::text],
  'sharing and revoking are audited under the agent''s tenant'
);
select is(
  (select row(action, tenant_id = tests.tenant_id('tenant-a'), after ->> 'key_last_four', after ->> 'encrypted_key')::text
   from public.audit_log where table_name = 'provider_keys' and actor_id = tests.get_supabase_uid('member_a')),
  row('insert', true, '1234', '[redacted]')::text,
  'storing a provider key is audited with the ciphertext redacted'
);
select is(
  (select array_agg(distinct actor_role) from public.audit_log
   where table_name = 'memberships' and tenant_id = tests.tenant_id('tenant-a') and action = 'insert'),
  array['authenticated', 'service_role'],
  'the actor role tells a signed-in person from the service role'
);
select is(
  (select row(actor_role, action, table_name, record_id)::text from public.audit_log
   where actor_id = tests.get_supabase_uid('platform_admin')),
  row('platform_admin', 'read', 'tenants', tests.tenant_id('tenant-a')::text)::text,
  'a platform admin''s read is audited as such'
);

-- ─── who reads the audit log ─────────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select count(*)::int from public.audit_log where tenant_id = tests.tenant_id('tenant-a')),
  -- 2 from create_tenant, 3 memberships by the service role, 5 by the owner, 2 agent writes and
  -- 1 key by the member, 4 by the admin, 1 platform admin read
  18,
  'the owner of A reads every audit entry of tenant A'
);
select is(
  (select count(*)::int from public.audit_log),
  (select count(*)::int from public.audit_log where tenant_id = tests.tenant_id('tenant-a')),
  'nothing of tenant B reaches the owner of A'
);
select set_config('renum.audit_entries_of_a', (select count(*)::text from public.audit_log), true);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select count(*)::text from public.audit_log where tenant_id = tests.tenant_id('tenant-a')),
  current_setting('renum.audit_entries_of_a'),
  'an admin of A reads the same entries as the owner'
);
select is_empty(
  $$ select id from public.audit_log where tenant_id <> tests.tenant_id('tenant-a') or tenant_id is null $$,
  'an admin of A reads no entries of other tenants'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select is_empty($$ select id from public.audit_log $$, 'a member does not read the audit log, not even their own entries');

-- as analyst of tenant A (re-added after the removal above)
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-a'), tests.get_supabase_uid('analyst_a'), 'analyst');
select tests.authenticate_as('analyst_a');
select is_empty($$ select id from public.audit_log $$, 'an analyst does not read the audit log');

-- as owner of tenant B
select tests.authenticate_as('owner_b');
select ok(
  (select count(*) > 0 and bool_and(tenant_id = tests.tenant_id('tenant-b')) from public.audit_log),
  'the owner of B reads tenant B''s entries only'
);
select is_empty(
  $$ select id from public.audit_log where tenant_id = tests.tenant_id('tenant-a') $$,
  'the owner of B reads nothing of tenant A, not even the share made to B'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is_empty($$ select id from public.audit_log $$, 'a member of B does not read the audit log');

-- as platform admin
select tests.authenticate_as('platform_admin');
select is(
  (select count(distinct tenant_id)::int from public.audit_log
   where tenant_id in (tests.tenant_id('tenant-a'), tests.tenant_id('tenant-b'))),
  2,
  'a platform admin reads the audit log of every tenant'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.audit_log $$, '42501', 'permission denied for table audit_log', 'anon cannot read the audit log');

-- ─── nobody changes the audit log ────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ update public.audit_log set actor_id = null where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'permission denied for table audit_log', 'an owner cannot change audit entries'
);
select throws_ok(
  $$ delete from public.audit_log where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'permission denied for table audit_log', 'an owner cannot delete audit entries'
);
select throws_ok(
  $$ insert into public.audit_log (tenant_id, actor_role, action, table_name) values (tests.tenant_id('tenant-a'), 'authenticated', 'read', 'agents') $$,
  '42501', 'permission denied for table audit_log', 'an owner cannot write audit entries'
);

-- as platform admin
select tests.authenticate_as('platform_admin');
select throws_ok(
  $$ delete from public.audit_log where actor_id = auth.uid() $$,
  '42501', 'permission denied for table audit_log', 'a platform admin cannot delete audit entries, even their own'
);

-- as service role (insert, update, delete and truncate are revoked from it by the migration)
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.audit_log set before = null $$,
  '42501', 'permission denied for table audit_log', 'the service role cannot change audit entries'
);
select throws_ok(
  $$ delete from public.audit_log $$,
  '42501', 'permission denied for table audit_log', 'the service role cannot delete audit entries'
);
select throws_ok(
  $$ truncate public.audit_log $$,
  '42501', 'permission denied for table audit_log', 'the service role cannot truncate the audit log'
);
select throws_ok(
  $$ insert into public.audit_log (actor_role, action, table_name) values ('service_role', 'insert', 'forged') $$,
  '42501', 'permission denied for table audit_log', 'the service role cannot write audit entries directly'
);

-- as postgres (the table owner: only the trigger stands in the way)
select tests.clear_authentication(); reset role;
select throws_ok(
  $$ update public.audit_log set before = null where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'the audit log is append-only: entries cannot be changed or deleted', 'not even postgres can change audit entries'
);
select throws_ok(
  $$ delete from public.audit_log where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'the audit log is append-only: entries cannot be changed or deleted', 'not even postgres can delete audit entries'
);
select throws_ok(
  $$ truncate public.audit_log $$,
  '42501', 'the audit log is append-only: entries cannot be changed or deleted', 'not even postgres can truncate the audit log'
);

-- Entries outlive what they describe: deleting a tenant keeps its trail.
select tests.authenticate_as('owner_b');
delete from public.tenants where id = tests.tenant_id('tenant-b');
reset role;
select ok(
  not exists (select from public.tenants where slug = 'tenant-b')
    and exists (select from public.audit_log where table_name = 'tenants' and action = 'delete' and before ->> 'slug' = 'tenant-b')
    and exists (select from public.audit_log where table_name = 'agents' and action = 'delete' and before ->> 'name' = 'Agent B1'),
  'deleting a tenant is audited, with the rows it took with it, and the earlier entries stay'
);
select is(
  (select count(*)::int from public.audit_log where tenant_id = tests.tenant_id('tenant-a')),
  current_setting('renum.audit_entries_of_a')::int + 1,
  'every entry of tenant A is still there (plus the analyst''s return)'
);

select * from finish();
rollback;
