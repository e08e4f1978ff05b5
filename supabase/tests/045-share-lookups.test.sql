-- The two security-definer lookups sharing needs: resolve_share_grantee (who a share of an agent
-- would go to) answers only owners and admins of the agent's company and tells nothing about
-- agents the caller may not share; share_grantee (who a share went to) answers only the sharing
-- company's members and the grantee.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(24);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.create_supabase_user('outsider', 'outsider@renum.test');

select tests.authenticate_as('owner_a');
insert into public.agents (tenant_id, name, provider, model) values (tests.tenant_id('tenant-a'), 'Shared A', 'demo', 'demo-small');
insert into public.agent_shares (agent_id, grantee_tenant_id, permission)
values (tests.agent_id('Shared A'), tests.tenant_id('tenant-b'), 'use');
insert into public.agent_shares (agent_id, grantee_user_id, permission)
values (tests.agent_id('Shared A'), tests.get_supabase_uid('outsider'), 'use');
select tests.authenticate_as('owner_b');
insert into public.agents (tenant_id, name, provider, model) values (tests.tenant_id('tenant-b'), 'Agent B', 'demo', 'demo-small');

select tests.authenticate_as_service_role();
create temporary table share_ids as
  select s.id, coalesce(s.grantee_tenant_id::text, 'user') as kind from public.agent_shares s;
grant select on share_ids to authenticated;

-- ─── resolve_share_grantee ────────────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select user_id from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_email => '  Outsider@Renum.test ')),
  tests.get_supabase_uid('outsider'),
  'an owner resolves a person by email, ignoring case and spaces'
);
select is(
  (select tenant_id from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_tenant_slug => 'TENANT-B')),
  tests.tenant_id('tenant-b'),
  'an owner resolves a company by slug'
);
select is(
  (select tenant_id from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_tenant_id => tests.tenant_id('tenant-b'))),
  tests.tenant_id('tenant-b'),
  'an owner resolves a company by id'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_email => 'x@renum.test', grantee_tenant_slug => 'tenant-b') $$,
  '22023', 'name exactly one grantee: grantee_email, grantee_tenant_slug or grantee_tenant_id',
  'naming two grantees is refused'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A')) $$,
  '22023', 'name exactly one grantee: grantee_email, grantee_tenant_slug or grantee_tenant_id',
  'naming no grantee is refused'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_email => 'nobody@renum.test') $$,
  'P0002', 'no user with that email', 'an unknown email says so'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_tenant_slug => 'no-such-company') $$,
  'P0002', 'no company with that slug', 'an unknown slug says so'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_tenant_id => gen_random_uuid()) $$,
  'P0002', 'no company with that id', 'an unknown company id says so'
);
select throws_ok(
  $$ select * from public.resolve_share_grantee(gen_random_uuid(), grantee_email => 'outsider@renum.test') $$,
  'P0002', 'agent not found', 'an agent that does not exist is not found'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select tenant_id from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_tenant_slug => 'tenant-b')),
  tests.tenant_id('tenant-b'),
  'an admin resolves a grantee'
);

-- as member and analyst of tenant A: the same answer as for an agent that does not exist
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_email => 'outsider@renum.test') $$,
  'P0002', 'agent not found', 'a member may not share, and learns nothing'
);
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ select * from public.resolve_share_grantee(tests.agent_id('Shared A'), grantee_email => 'outsider@renum.test') $$,
  'P0002', 'agent not found', 'an analyst may not share, and learns nothing'
);

-- as owner of tenant B: someone else's agent, and one shared with them
select tests.authenticate_as('owner_b');
select throws_ok(
  format($$ select * from public.resolve_share_grantee(%L, grantee_email => 'outsider@renum.test') $$, tests.agent_id('Shared A')),
  'P0002', 'agent not found', 'a grantee company''s owner may not reshare the agent'
);

-- as the platform admin in no tenant
select tests.authenticate_as('platform_admin');
select throws_ok(
  format($$ select * from public.resolve_share_grantee(%L, grantee_email => 'outsider@renum.test') $$, tests.agent_id('Shared A')),
  'P0002', 'agent not found', 'a platform admin does not share companies'' agents'
);

-- as anon
select tests.clear_authentication();
select throws_ok(
  format($$ select * from public.resolve_share_grantee(%L, grantee_email => 'outsider@renum.test') $$, tests.agent_id('Shared A')),
  '42501', 'permission denied for function resolve_share_grantee', 'anon cannot call it'
);

-- ─── share_grantee ────────────────────────────────────────────────────────────────────────────
-- as analyst of tenant A (members of the sharing company read its shares)
select tests.authenticate_as('analyst_a');
select is(
  (select email from public.share_grantee((select id from share_ids where kind = 'user'))),
  'outsider@renum.test',
  'a member of the sharing company sees which person a share went to'
);
select results_eq(
  format($$ select tenant_name, tenant_slug from public.share_grantee((select id from share_ids where kind = %L)) $$, tests.tenant_id('tenant-b')),
  $$ values ('Tenant B'::text, 'tenant-b'::text) $$,
  'a member of the sharing company sees which company a share went to'
);

-- as member of tenant B (the grantee company)
select tests.authenticate_as('member_b');
select results_eq(
  format($$ select tenant_name, tenant_slug from public.share_grantee((select id from share_ids where kind = %L)) $$, tests.tenant_id('tenant-b')),
  $$ values ('Tenant B'::text, 'tenant-b'::text) $$,
  'the grantee company sees its own share'
);
select is_empty(
  $$ select * from public.share_grantee((select id from share_ids where kind = 'user')) $$,
  'the grantee company does not see who else the agent was shared with'
);

-- as the grantee person
select tests.authenticate_as('outsider');
select is(
  (select email from public.share_grantee((select id from share_ids where kind = 'user'))),
  'outsider@renum.test',
  'the grantee person sees their own share'
);
select is_empty(
  format($$ select * from public.share_grantee((select id from share_ids where kind = %L)) $$, tests.tenant_id('tenant-b')),
  'the grantee person does not see the share to another company'
);

-- as the platform admin, and for a share that does not exist
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ select * from public.share_grantee((select id from share_ids where kind = 'user')) $$,
  'a platform admin in no tenant sees no share through it'
);
select tests.authenticate_as('owner_a');
select is_empty(
  $$ select * from public.share_grantee(gen_random_uuid()) $$,
  'a share that does not exist answers nothing'
);

-- as anon
select tests.clear_authentication();
select throws_ok(
  $$ select * from public.share_grantee(gen_random_uuid()) $$,
  '42501', 'permission denied for function share_grantee', 'anon cannot call it'
);

select * from finish();
rollback;
