-- A session narrowed to one company (renum.tenant_scope, private.tenant_scope): a person who
-- belongs to two companies, acting for one of them (an MCP token of that company, an agent's
-- query_data in that company's run), reads and may do only that company's things; a platform
-- admin narrowed to a company is no platform admin; unset or empty, nothing changes.
begin;
set search_path to public, extensions, tests;
select plan(18);

select tests.create_two_tenants();
reset role;
-- owner_a is also a member of tenant B; each company has one agent.
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-b'), tests.get_supabase_uid('owner_a'), 'member');
insert into public.agents (tenant_id, name, model)
values (tests.tenant_id('tenant-a'), 'Agent of A', 'demo-small'), (tests.tenant_id('tenant-b'), 'Agent of B', 'demo-small');

-- ─── unset: both companies ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.tenants), 2, 'unscoped, a person of two companies reads both');
select is((select count(*)::int from public.agents where name like 'Agent of %'), 2, 'and both companies'' agents');

-- ─── narrowed to A ───────────────────────────────────────────────────────────────────────────
select set_config('renum.tenant_scope', tests.tenant_id('tenant-a')::text, true);
select is((select array_agg(slug::text) from public.tenants), array['tenant-a'], 'narrowed to A, only A is read');
select is((select array_agg(name) from public.agents where name like 'Agent of %'), array['Agent of A'], 'only A''s agents');
select throws_ok(
  format($$insert into public.agents (tenant_id, name, model) values (%L, 'Sneaky', 'demo-small')$$, tests.tenant_id('tenant-b')),
  '42501', null, 'nothing is written in B either');
-- The helpers themselves (policies call them by reference; here as the login, with the same claims and scope).
reset role;
select is(private.tenant_scope(), tests.tenant_id('tenant-a'), 'the scope reads back');
select ok(private.is_member(tests.tenant_id('tenant-a')), 'a member of A');
select ok(not private.is_member(tests.tenant_id('tenant-b')), 'not of B, although the person belongs to B');
select ok(not private.has_role(tests.tenant_id('tenant-b'), array['member']::public.member_role[]), 'no role in B');
select ok(not private.has_capability(tests.tenant_id('tenant-b'), 'build_agents'), 'no capability in B');
select is(public.my_capabilities(tests.tenant_id('tenant-b')), array[]::public.tenant_capability[], 'my_capabilities in B is empty');
select is((select array_agg(t) from private.tenants_of_caller() t), array[tests.tenant_id('tenant-a')], 'tenants_of_caller is A alone');

-- ─── narrowed to B, where the person is a member only ────────────────────────────────────────
select set_config('renum.tenant_scope', tests.tenant_id('tenant-b')::text, true);
select ok(not private.has_capability(tests.tenant_id('tenant-a'), 'change_tenant'), 'the owner of A is no owner of A inside B''s scope');
select tests.authenticate_as('owner_a');
select set_config('renum.tenant_scope', tests.tenant_id('tenant-b')::text, true);
select is((select array_agg(name) from public.agents where name like 'Agent of %'), array['Agent of B'], 'narrowed to B, only B''s agents');

-- ─── narrowed to a company the person does not belong to ─────────────────────────────────────
select tests.authenticate_as('member_b');
select set_config('renum.tenant_scope', tests.tenant_id('tenant-a')::text, true);
select is((select count(*)::int from public.tenants), 0, 'a scope never widens: B''s member narrowed to A reads nothing');

-- ─── a platform admin ────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('platform_admin');
reset role;
select set_config('renum.tenant_scope', '', true);
select ok(private.is_platform_admin(), 'an empty scope is no scope: the platform admin is one');
select set_config('renum.tenant_scope', tests.tenant_id('tenant-a')::text, true);
select ok(not private.is_platform_admin(), 'narrowed to a company, a platform admin is not one');

-- ─── the service role is not narrowed by it (it bypasses RLS) ────────────────────────────────
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.agents where name like 'Agent of %'), 2, 'the service role reads both');

select * from finish();
rollback;
