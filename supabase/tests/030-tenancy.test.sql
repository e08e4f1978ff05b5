-- Tenancy: tenants, profiles, memberships and invitations are isolated per tenant and per role,
-- platform admins read other tenants only through the audited admin_* functions, and a suspended
-- tenant can read but not change anything.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), a platform
-- admin in no tenant, an invitee and an outsider in no tenant, anon and the service role.

begin;
set search_path to public, extensions, tests;

select plan(155);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
-- Row ids that every actor can name, whatever RLS lets them see (transaction-local helpers).
create function pg_temp.invitation_id(wanted_email text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.invitations i where i.email = wanted_email $$;
grant execute on function pg_temp.invitation_id(text) to anon, authenticated, service_role;
-- The tokens the invitation e-mails carried (issued as postgres, read by the invitees).
create table pg_temp.emailed_tokens (email text primary key, token text not null);
create function pg_temp.emailed_token(wanted_email text) returns text
language sql stable security definer set search_path = ''
as $$ select t.token from pg_temp.emailed_tokens t where t.email = wanted_email $$;
grant execute on function pg_temp.emailed_token(text) to anon, authenticated, service_role;

select tests.create_supabase_user('owner_a', 'owner.a@renum.test', null, '{"full_name": "Olga Owner", "locale": "en"}');
select tests.create_supabase_user('admin_a', 'admin.a@renum.test', null, '{"full_name": "Adam Admin"}');
select tests.create_supabase_user('member_a', 'member.a@renum.test');
select tests.create_supabase_user('analyst_a', 'analyst.a@renum.test');
select tests.create_supabase_user('owner_b', 'owner.b@renum.test');
select tests.create_supabase_user('member_b', 'member.b@renum.test', null, '{"full_name": "Bia Member"}');
select tests.create_supabase_user('platform_admin', 'staff@renum.test');
select tests.create_supabase_user('invitee', 'invitee@renum.test');
select tests.create_supabase_user('outsider', 'outsider@renum.test');

select tests.authenticate_as('owner_a');
select public.create_tenant('Tenant A', 'tenant-a', '11.222.333/0001-81');
select tests.authenticate_as('owner_b');
select public.create_tenant('Tenant B', 'tenant-b', '11.444.777/0001-61');
insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-b'), 'someone.for.b@renum.test', 'member');

select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('admin_a'), 'admin'),
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('member_a'), 'member'),
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('analyst_a'), 'analyst'),
  (tests.tenant_id('tenant-b'), tests.get_supabase_uid('member_b'), 'member');
update public.profiles set is_platform_admin = true where id = tests.get_supabase_uid('platform_admin');

-- ─── row level security everywhere ───────────────────────────────────────────────────────────
reset role;
select tests.rls_enabled('public');
select tests.rls_enabled('private');
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
     and (has_table_privilege('anon', c.oid, 'select,insert,update,delete,truncate,references,trigger')
          or has_any_column_privilege('anon', c.oid, 'select,insert,update,references'))),
  null,
  'anon holds no privilege on any table in public'
);
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
     and has_table_privilege('authenticated', c.oid, 'truncate,references,trigger')),
  null,
  'authenticated cannot truncate (which skips RLS), reference or trigger any table in public'
);

-- ─── tenants ─────────────────────────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is((select array_agg(slug) from public.tenants), array['tenant-a'], 'owner of A sees tenant A and only tenant A');
select is(
  (select tax_id from public.tenants where slug = 'tenant-a'),
  '11222333000181',
  'a formatted CNPJ is stored as its 14 digits'
);
select is(
  (select created_by from public.tenants where slug = 'tenant-a'),
  tests.get_supabase_uid('owner_a'),
  'create_tenant records its caller as created_by'
);
select is(
  (select role::text from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = auth.uid()),
  'owner',
  'create_tenant makes its caller the owner'
);
select throws_ok(
  $$ select public.create_tenant('Bad CNPJ', 'bad-cnpj', '11.222.333/0001-82') $$,
  '23514',
  'new row for relation "tenants" violates check constraint "tenants_tax_id_valid_cnpj"',
  'a CNPJ with a wrong check digit is refused'
);
select throws_ok(
  $$ select public.create_tenant('All ones', 'all-ones', '11111111111111') $$,
  '23514',
  'new row for relation "tenants" violates check constraint "tenants_tax_id_valid_cnpj"',
  'a CNPJ of repeated digits is refused'
);
select throws_ok(
  $$ select public.create_tenant('Copy of B', 'tenant-b') $$,
  '23505',
  'duplicate key value violates unique constraint "tenants_slug_unique"',
  'a slug taken by another tenant is refused'
);
select throws_ok(
  $$ insert into public.tenants (name, slug) values ('Direct', 'direct-insert') $$,
  '42501',
  'permission denied for table tenants',
  'tenants are created only through create_tenant'
);
select is(
  (select rag_top_k from public.tenants where id = tests.tenant_id('tenant-a')),
  5,
  'rag_top_k starts at its default'
);
update public.tenants set rag_enabled = true, rag_top_k = 8 where id = tests.tenant_id('tenant-a');
select is(
  (select rag_top_k from public.tenants where id = tests.tenant_id('tenant-a')),
  8,
  'the owner updates the tenant''s settings'
);
select throws_ok(
  $$ update public.tenants set plan = 'enterprise' where id = tests.tenant_id('tenant-a') $$,
  '42501',
  'permission denied for table tenants',
  'the owner cannot change the plan'
);
select throws_ok(
  $$ update public.tenants set status = 'active' where id = tests.tenant_id('tenant-a') $$,
  '42501',
  'permission denied for table tenants',
  'the owner cannot change the status'
);
select is_empty(
  $$ update public.tenants set name = 'Taken over' where id = tests.tenant_id('tenant-b') returning id $$,
  'owner of A cannot update tenant B'
);
select is_empty(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-b') returning id $$,
  'owner of A cannot delete tenant B'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select name from public.tenants where id = tests.tenant_id('tenant-a')),
  'Tenant A',
  'admin of A reads tenant A'
);
update public.tenants set name = '  Tenant A Ltda  ', agents_timeout_ms = 60000 where id = tests.tenant_id('tenant-a');
select is(
  (select name || ' ' || agents_timeout_ms from public.tenants where id = tests.tenant_id('tenant-a')),
  'Tenant A Ltda 60000',
  'the admin updates the tenant''s settings (the name is trimmed)'
);
select is_empty(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-a') returning id $$,
  'an admin cannot delete the tenant'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select is((select array_agg(slug) from public.tenants), array['tenant-a'], 'member of A sees tenant A and only tenant A');
select is_empty(
  $$ update public.tenants set rag_top_k = 1 where id = tests.tenant_id('tenant-a') returning id $$,
  'a member cannot change the tenant''s settings'
);
select is_empty(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-a') returning id $$,
  'a member cannot delete the tenant'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is((select array_agg(slug) from public.tenants), array['tenant-a'], 'analyst of A sees tenant A and only tenant A');
select is_empty(
  $$ update public.tenants set rag_top_k = 1 where id = tests.tenant_id('tenant-a') returning id $$,
  'an analyst cannot change the tenant''s settings'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is((select array_agg(slug) from public.tenants), array['tenant-b'], 'member of B sees tenant B and only tenant B');
select is_empty(
  $$ update public.tenants set name = 'Taken over' where id = tests.tenant_id('tenant-a') returning id $$,
  'member of B cannot update tenant A'
);
select is_empty(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-a') returning id $$,
  'member of B cannot delete tenant A'
);

-- as outsider (signed in, in no tenant)
select tests.authenticate_as('outsider');
select is_empty($$ select id from public.tenants $$, 'a user in no tenant sees no tenant');

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.tenants $$, '42501', 'permission denied for table tenants', 'anon cannot read tenants');
select throws_ok(
  $$ insert into public.tenants (name, slug) values ('Anon', 'anon-tenant') $$,
  '42501', 'permission denied for table tenants', 'anon cannot insert tenants'
);
select throws_ok(
  $$ update public.tenants set name = 'x' $$,
  '42501', 'permission denied for table tenants', 'anon cannot update tenants'
);
select throws_ok($$ delete from public.tenants $$, '42501', 'permission denied for table tenants', 'anon cannot delete tenants');
select throws_ok(
  $$ select public.create_tenant('Anon', 'anon-tenant') $$,
  '42501', 'permission denied for function create_tenant', 'anon cannot call create_tenant'
);

-- as service role
select tests.authenticate_as_service_role();
select is(
  (select array_agg(slug order by slug) from public.tenants where slug like 'tenant-_'),
  array['tenant-a', 'tenant-b'],
  'the service role reads every tenant'
);
select throws_ok(
  $$ select public.create_tenant('Service', 'service-tenant') $$,
  '42501', 'sign in to create a company', 'create_tenant needs a signed-in user'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select row(name, tax_id, status::text)::text from public.tenants where id = tests.tenant_id('tenant-b')),
  row('Tenant B', '11444777000161', 'active')::text,
  'tenant B is untouched by the other tenant''s attempts'
);
select is(
  (select row(name, rag_enabled, rag_top_k, plan::text)::text from public.tenants where id = tests.tenant_id('tenant-a')),
  row('Tenant A Ltda', true, 8, 'basic')::text,
  'tenant A has the owner''s and admin''s changes and nothing else'
);

-- as owner of tenant A: deleting a tenant (a throwaway one with two owners)
select tests.authenticate_as('owner_a');
select public.create_tenant('Tenant C', 'tenant-c');
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-c'), tests.get_supabase_uid('admin_a'), 'owner');
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-c') $$,
  'an owner deletes their tenant, even with another owner in it'
);
select tests.clear_authentication(); reset role;
select ok(
  not exists (select from public.tenants where slug = 'tenant-c')
    and not exists (select from public.memberships m where m.tenant_id not in (select id from public.tenants)),
  'the deleted tenant and its memberships are gone'
);

-- ─── profiles ────────────────────────────────────────────────────────────────────────────────
-- as postgres: the trigger on auth.users
select is(
  (select row(email, full_name, locale)::text from public.profiles where id = tests.get_supabase_uid('owner_a')),
  row('owner.a@renum.test', 'Olga Owner', 'en')::text,
  'a profile is created with the user, from its email and metadata'
);
select is(
  (select locale from public.profiles where id = tests.get_supabase_uid('member_a')),
  'pt-BR',
  'a profile without a locale in the metadata gets pt-BR'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select array_agg(email order by email) from public.profiles),
  array['admin.a@renum.test', 'analyst.a@renum.test', 'member.a@renum.test', 'owner.a@renum.test'],
  'owner of A reads their own profile and those of the people in tenant A, and no one else''s'
);
update public.profiles set full_name = 'Olga O.', avatar_url = 'https://cdn.renum.test/olga.png', locale = 'pt-BR' where id = auth.uid();
select is(
  (select row(full_name, avatar_url, locale)::text from public.profiles where id = auth.uid()),
  row('Olga O.', 'https://cdn.renum.test/olga.png', 'pt-BR')::text,
  'a user updates their own full_name, avatar_url and locale'
);
select is_empty(
  $$ update public.profiles set full_name = 'Renamed by my owner' where id = tests.get_supabase_uid('member_a') returning id $$,
  'an owner cannot update the profile of a member of their tenant'
);
select is_empty(
  $$ update public.profiles set full_name = 'Renamed' where id = tests.get_supabase_uid('member_b') returning id $$,
  'owner of A cannot update the profile of a member of B'
);
select throws_ok(
  $$ update public.profiles set email = 'stolen@renum.test' where id = auth.uid() $$,
  '42501', 'permission denied for table profiles', 'a user cannot change their profile email'
);
select throws_ok(
  $$ update public.profiles set is_platform_admin = true where id = auth.uid() $$,
  '42501', 'permission denied for table profiles', 'a user cannot make themselves a platform admin'
);
select throws_ok(
  $$ insert into public.profiles (id, email) values (gen_random_uuid(), 'ghost@renum.test') $$,
  '42501', 'permission denied for table profiles', 'a user cannot insert profiles'
);
select throws_ok(
  $$ delete from public.profiles where id = auth.uid() $$,
  '42501', 'permission denied for table profiles', 'a user cannot delete profiles'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select array_agg(email order by email) from public.profiles),
  array['member.b@renum.test', 'owner.b@renum.test'],
  'member of B reads the profiles of tenant B only'
);

-- as outsider
select tests.authenticate_as('outsider');
select is(
  (select array_agg(email) from public.profiles),
  array['outsider@renum.test'],
  'a user in no tenant reads only their own profile'
);
-- A security-definer path that forgets to check (defence in depth): the trigger still refuses.
reset role;
create function pg_temp.promote_caller() returns void language sql security definer set search_path = ''
as $$ update public.profiles set is_platform_admin = true where id = (select auth.uid()) $$;
grant execute on function pg_temp.promote_caller() to authenticated;
select tests.authenticate_as('outsider');
select throws_ok(
  $$ select pg_temp.promote_caller() $$,
  '42501', 'only the service role can grant or revoke platform admin',
  'only the service role can grant platform admin, even through a security-definer function'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.profiles $$, '42501', 'permission denied for table profiles', 'anon cannot read profiles');
select throws_ok(
  $$ update public.profiles set full_name = 'x' $$,
  '42501', 'permission denied for table profiles', 'anon cannot update profiles'
);

-- as service role
select tests.authenticate_as_service_role();
update public.profiles set is_platform_admin = true where id = tests.get_supabase_uid('outsider');
select ok(
  (select is_platform_admin from public.profiles where id = tests.get_supabase_uid('outsider')),
  'the service role grants platform admin'
);
update public.profiles set is_platform_admin = false where id = tests.get_supabase_uid('outsider');
select ok(
  not (select is_platform_admin from public.profiles where id = tests.get_supabase_uid('outsider')),
  'the service role revokes platform admin'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(coalesce(full_name, '-') order by email) from public.profiles
   where id in (tests.get_supabase_uid('member_a'), tests.get_supabase_uid('member_b'))),
  array['-', 'Bia Member'],
  'other people''s profiles are untouched'
);

-- ─── memberships ─────────────────────────────────────────────────────────────────────────────
-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select array_agg(role::text order by role) from public.memberships),
  array['owner', 'admin', 'member', 'analyst'],
  'owner of A reads the four memberships of tenant A and none of B'
);

-- as admin of tenant A
select tests.authenticate_as('admin_a');
select is(
  (select role::text from public.memberships
   where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a')),
  'analyst',
  'admin of A reads the analyst''s membership'
);
update public.memberships set role = 'member'
where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a');
select is(
  (select role::text from public.memberships
   where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a')),
  'member',
  'an admin changes a member''s role'
);
update public.memberships set role = 'analyst'
where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a');
select throws_ok(
  $$ update public.memberships set role = 'owner'
     where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('member_a') $$,
  '42501', 'only an owner can add, change or remove an owner',
  'an admin cannot make someone an owner'
);
select throws_ok(
  $$ update public.memberships set role = 'member'
     where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('owner_a') $$,
  '42501', 'only an owner can add, change or remove an owner',
  'an admin cannot demote an owner'
);
select throws_ok(
  $$ delete from public.memberships
     where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('owner_a') $$,
  '42501', 'only an owner can add, change or remove an owner',
  'an admin cannot remove an owner'
);
select throws_ok(
  $$ update public.memberships set user_id = tests.get_supabase_uid('admin_a')
     where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('member_a') $$,
  '42501', 'permission denied for table memberships',
  'an admin cannot hand a membership to another user'
);
select throws_ok(
  $$ update public.memberships set tenant_id = tests.tenant_id('tenant-b')
     where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('member_a') $$,
  '42501', 'permission denied for table memberships',
  'an admin cannot move a membership to another tenant'
);
select throws_ok(
  $$ insert into public.memberships (tenant_id, user_id, role)
     values (tests.tenant_id('tenant-a'), tests.get_supabase_uid('outsider'), 'member') $$,
  '42501', 'permission denied for table memberships',
  'memberships are not inserted directly (people join through invitations)'
);
select is_empty(
  $$ update public.memberships set role = 'analyst' where tenant_id = tests.tenant_id('tenant-b') returning id $$,
  'admin of A cannot change roles in tenant B'
);
select is_empty(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-b') returning id $$,
  'admin of A cannot remove members of tenant B'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select is(
  (select count(*)::int from public.memberships where tenant_id = tests.tenant_id('tenant-a')),
  4,
  'a member reads the memberships of their tenant'
);
select is_empty(
  $$ update public.memberships set role = 'admin' where user_id = auth.uid() returning id $$,
  'a member cannot promote themselves'
);
select is_empty(
  $$ update public.memberships set role = 'member' where user_id = tests.get_supabase_uid('analyst_a') returning id $$,
  'a member cannot change another member''s role'
);
select is_empty(
  $$ delete from public.memberships where user_id = tests.get_supabase_uid('analyst_a') returning id $$,
  'a member cannot remove another member'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select is_empty(
  $$ update public.memberships set role = 'owner' where user_id = auth.uid() returning id $$,
  'an analyst cannot promote themselves'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is(
  (select array_agg(user_id order by role) from public.memberships),
  array[tests.get_supabase_uid('owner_b'), tests.get_supabase_uid('member_b')],
  'member of B reads the memberships of tenant B only'
);
select is_empty(
  $$ update public.memberships set role = 'analyst' where tenant_id = tests.tenant_id('tenant-a') returning id $$,
  'member of B cannot change roles in tenant A'
);
select is_empty(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') returning id $$,
  'member of B cannot remove members of tenant A'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.memberships $$, '42501', 'permission denied for table memberships', 'anon cannot read memberships');
select throws_ok(
  $$ delete from public.memberships $$, '42501', 'permission denied for table memberships', 'anon cannot delete memberships'
);

-- as service role
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.memberships set user_id = tests.get_supabase_uid('outsider') where user_id = tests.get_supabase_uid('member_a') $$,
  '42501', 'memberships.user_id cannot be changed',
  'not even the service role can hand a membership to another user'
);
select throws_ok(
  $$ update public.memberships set tenant_id = tests.tenant_id('tenant-b') where user_id = tests.get_supabase_uid('member_a') $$,
  '42501', 'memberships.tenant_id cannot be changed',
  'not even the service role can move a membership to another tenant'
);

-- as postgres: what really changed
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(p.email || ':' || m.role order by p.email) from public.memberships m join public.profiles p on p.id = m.user_id
   where m.tenant_id in (tests.tenant_id('tenant-a'), tests.tenant_id('tenant-b'))),
  array['admin.a@renum.test:admin', 'analyst.a@renum.test:analyst', 'member.a@renum.test:member',
        'member.b@renum.test:member', 'owner.a@renum.test:owner', 'owner.b@renum.test:owner'],
  'every membership is as it was, apart from the admin''s round trip'
);

-- ─── invitations ─────────────────────────────────────────────────────────────────────────────
-- as admin of tenant A
select tests.authenticate_as('admin_a');
select lives_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), ' Invitee@Renum.test ', 'member') $$,
  'an admin invites a person'
);
select is(
  (select row(email, role::text, invited_by = auth.uid(), expires_at > now() + interval '6 days')::text
   from public.invitations where tenant_id = tests.tenant_id('tenant-a')),
  row('invitee@renum.test', 'member', true, true)::text,
  'the invitation is stored lower-cased, from the admin, expiring in a week'
);
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'boss@renum.test', 'owner') $$,
  '42501', 'only an owner can invite another owner',
  'an admin cannot invite an owner'
);
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role, invited_by)
     values (tests.tenant_id('tenant-a'), 'forged@renum.test', 'member', tests.get_supabase_uid('owner_a')) $$,
  '42501', 'new row violates row-level security policy for table "invitations"',
  'an admin cannot invite in someone else''s name'
);
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-b'), 'spy@renum.test', 'admin') $$,
  '42501', 'new row violates row-level security policy for table "invitations"',
  'admin of A cannot invite people into tenant B'
);
select throws_ok(
  $$ update public.invitations set role = 'admin' where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'permission denied for table invitations',
  'invitations cannot be edited'
);
select is(
  (select array_agg(email) from public.invitations),
  array['invitee@renum.test'],
  'admin of A reads the invitations of tenant A and none of B'
);
insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'mistake@renum.test', 'member');
delete from public.invitations where email = 'mistake@renum.test';
select is_empty($$ select id from public.invitations where email = 'mistake@renum.test' $$, 'an admin revokes an invitation');
select is_empty(
  $$ delete from public.invitations where tenant_id = tests.tenant_id('tenant-b') returning id $$,
  'admin of A cannot revoke the invitations of tenant B'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'outsider@renum.test', 'owner') $$,
  'an owner invites another owner'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select is_empty($$ select id from public.invitations $$, 'a member does not read the tenant''s invitations');
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'friend@renum.test', 'member') $$,
  '42501', 'new row violates row-level security policy for table "invitations"',
  'a member cannot invite people'
);
select is_empty(
  $$ delete from public.invitations where tenant_id = tests.tenant_id('tenant-a') returning id $$,
  'a member cannot revoke invitations'
);

-- as analyst of tenant A
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'friend@renum.test', 'analyst') $$,
  '42501', 'new row violates row-level security policy for table "invitations"',
  'an analyst cannot invite people'
);

-- as member of tenant B
select tests.authenticate_as('member_b');
select is_empty($$ select id from public.invitations $$, 'member of B reads no invitations (of A or of B)');

-- as postgres: the invitation e-mails go out
reset role;
insert into pg_temp.emailed_tokens (email, token)
select i.email, public.issue_invitation_token(i.id) from public.invitations i where i.tenant_id = tests.tenant_id('tenant-a');

-- as invitee (in no tenant yet)
select tests.authenticate_as('invitee');
select is(
  (select array_agg(email || ':' || role) from public.invitations),
  array['invitee@renum.test:member'],
  'the invitee reads the invitation to their email, and no other'
);
select is_empty(
  $$ delete from public.invitations where id = pg_temp.invitation_id('invitee@renum.test') returning id $$,
  'the invitee cannot delete the invitation'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('outsider@renum.test'), pg_temp.emailed_token('invitee@renum.test')) $$,
  'P0001', 'this invitation link is not valid',
  'accepting someone else''s invitation with one''s own token is refused'
);
select throws_ok(
  $$ select public.accept_invitation(gen_random_uuid(), pg_temp.emailed_token('invitee@renum.test')) $$,
  'P0002', 'invitation not found',
  'accepting an invitation that does not exist is refused'
);
select is(
  (select (public.accept_invitation(pg_temp.invitation_id('invitee@renum.test'), pg_temp.emailed_token('invitee@renum.test'))).role::text),
  'member',
  'the invitee accepts and becomes a member with the invited role'
);
select is(
  (select array_agg(slug) from public.tenants),
  array['tenant-a'],
  'the new member reads tenant A'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('invitee@renum.test'), pg_temp.emailed_token('invitee@renum.test')) $$,
  'P0001', 'this invitation was already answered',
  'an invitation is accepted once'
);

-- as outsider (invited as an owner)
select tests.authenticate_as('outsider');
select is(
  (select (public.accept_invitation(pg_temp.invitation_id('outsider@renum.test'), pg_temp.emailed_token('outsider@renum.test'))).role::text),
  'owner',
  'a person invited as an owner by an owner becomes an owner'
);

-- as postgres: an expired invitation, and invitations never accepted by signing in
select tests.clear_authentication(); reset role;
select tests.create_supabase_user('late', 'late@renum.test');
insert into public.invitations (tenant_id, email, role, invited_by, expires_at) values
  (tests.tenant_id('tenant-b'), 'invitee@renum.test', 'member', tests.get_supabase_uid('owner_b'), now() - interval '1 minute'),
  (tests.tenant_id('tenant-a'), 'Late@Renum.test', 'analyst', tests.get_supabase_uid('owner_a'), now() + interval '1 day'),
  (tests.tenant_id('tenant-b'), 'late@renum.test', 'admin', tests.get_supabase_uid('owner_b'), now() + interval '1 day');
insert into pg_temp.emailed_tokens (email, token)
values ('invitee@renum.test/b', public.issue_invitation_token(
  (select id from public.invitations where tenant_id = tests.tenant_id('tenant-b') and email = 'invitee@renum.test')));
update public.invitations set expires_at = now() - interval '1 minute'
where tenant_id = tests.tenant_id('tenant-b') and email = 'invitee@renum.test';

select tests.authenticate_as('invitee');
select throws_ok(
  $$ select public.accept_invitation((select id from public.invitations where tenant_id = tests.tenant_id('tenant-b')), pg_temp.emailed_token('invitee@renum.test/b')) $$,
  'P0001', 'this invitation has expired',
  'an expired invitation cannot be accepted'
);

select tests.authenticate_as('late');
select is_empty($$ select id from public.memberships $$, 'before signing in, the invited person has no membership');
reset role;
insert into auth.sessions (id, user_id, aal, created_at) values (gen_random_uuid(), tests.get_supabase_uid('late'), 'aal1', now());
select tests.authenticate_as('late');
select is(
  (select array_agg(t.slug || ':' || m.role order by t.slug) from public.memberships m join public.tenants t on t.id = m.tenant_id
   where m.user_id = auth.uid()),
  null::text[],
  'signing in does not turn pending invitations into memberships'
);
reset role;
select is(
  (select count(*)::int from public.invitations where email = 'late@renum.test' and accepted_at is null),
  2,
  'the invitations stay pending after a sign-in'
);
insert into pg_temp.emailed_tokens (email, token)
select 'late@' || t.slug, public.issue_invitation_token(i.id)
from public.invitations i join public.tenants t on t.id = i.tenant_id where i.email = 'late@renum.test';
select tests.authenticate_as('late');
select is(
  (select array_agg(t.slug || ':' || (public.accept_invitation(i.id, pg_temp.emailed_token('late@' || t.slug))).role order by t.slug)
   from public.list_my_invitations() i join lateral (select i.tenant_slug as slug) t on true),
  array['tenant-a:analyst', 'tenant-b:admin'],
  'with the e-mailed tokens, the invited person joins with the invited roles'
);
reset role;
insert into auth.sessions (id, user_id, aal, created_at) values (gen_random_uuid(), tests.get_supabase_uid('invitee'), 'aal1', now());
select is(
  (select array_agg(t.slug) from public.memberships m join public.tenants t on t.id = m.tenant_id
   where m.user_id = tests.get_supabase_uid('invitee')),
  array['tenant-a'],
  'signing in does not accept an expired invitation'
);

-- as anon
select tests.clear_authentication();
select throws_ok($$ select id from public.invitations $$, '42501', 'permission denied for table invitations', 'anon cannot read invitations');
select throws_ok(
  $$ insert into public.invitations (tenant_id, email) values (tests.tenant_id('tenant-a'), 'anon@renum.test') $$,
  '42501', 'permission denied for table invitations', 'anon cannot invite'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('invitee@renum.test'), 'x') $$,
  '42501', 'permission denied for function accept_invitation', 'anon cannot accept invitations'
);

-- as postgres: what really changed
reset role;
select is(
  (select array_agg(email order by email) from public.invitations where tenant_id = tests.tenant_id('tenant-b')),
  array['invitee@renum.test', 'late@renum.test', 'someone.for.b@renum.test'],
  'tenant B''s invitations are untouched by tenant A'
);

-- ─── platform admins ─────────────────────────────────────────────────────────────────────────
-- as platform admin
select tests.authenticate_as('platform_admin');
select is_empty($$ select id from public.tenants $$, 'a platform admin does not read tenants through plain selects');
select is_empty($$ select id from public.memberships $$, 'a platform admin does not read memberships through plain selects');
select is_empty($$ select id from public.invitations $$, 'a platform admin does not read invitations through plain selects');
select is_empty(
  $$ update public.tenants set name = 'Staff was here' returning id $$,
  'a platform admin does not update tenants through plain updates'
);
select is(
  (select array_agg(slug order by slug) from public.admin_list_tenants() where slug like 'tenant-_'),
  array['tenant-a', 'tenant-b'],
  'a platform admin lists every tenant through admin_list_tenants()'
);
select is(
  (select row(slug, member_count, total_count)::text from public.admin_list_tenants('tenant-b')),
  row('tenant-b', 3, 1)::text,
  'admin_list_tenants() searches and counts members'
);
select is(
  (select public.admin_get_tenant(tests.tenant_id('tenant-a')) ->> 'slug'),
  'tenant-a',
  'a platform admin reads a tenant through admin_get_tenant()'
);
select is(
  (select jsonb_array_length(public.admin_get_tenant(tests.tenant_id('tenant-a')) -> 'members')),
  7,
  'admin_get_tenant() includes the tenant''s members'
);
select throws_ok(
  $$ select public.admin_get_tenant(gen_random_uuid()) $$,
  'P0002', 'tenant not found',
  'admin_get_tenant() of an unknown tenant is not found'
);

-- as postgres: every admin read is audited
reset role;
select is(
  (select array_agg(coalesce((select t.slug from public.tenants t where t.id = l.tenant_id), 'all') || ':' || l.table_name order by l.id)
   from public.audit_log l
   where l.actor_id = tests.get_supabase_uid('platform_admin') and l.actor_role = 'platform_admin' and l.action = 'read'),
  array['all:tenants', 'all:tenants', 'tenant-a:tenants', 'tenant-a:tenants'],
  'each admin_list_tenants() and admin_get_tenant() call writes a platform_admin read to the audit log'
);

-- as owner of tenant A (not a platform admin)
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ select * from public.admin_list_tenants() $$,
  '42501', 'only platform admins can use the admin panel', 'a tenant owner cannot list tenants'
);
select throws_ok(
  $$ select public.admin_get_tenant(tests.tenant_id('tenant-b')) $$,
  '42501', 'only platform admins can use the admin panel', 'a tenant owner cannot read another tenant through the admin panel'
);
select throws_ok(
  $$ select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'active') $$,
  '42501', 'only platform admins can use the admin panel', 'a tenant owner cannot change a tenant''s status'
);

-- as anon
select tests.clear_authentication();
select throws_ok(
  $$ select * from public.admin_list_tenants() $$,
  '42501', 'permission denied for function admin_list_tenants', 'anon cannot call the admin panel'
);

-- ─── leaving a tenant and handing over ownership ─────────────────────────────────────────────
-- as member of tenant A
select tests.authenticate_as('invitee');
select lives_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = auth.uid() $$,
  'a member leaves a tenant'
);
select is_empty($$ select id from public.tenants $$, 'after leaving, the tenant is no longer visible');

-- as owner of tenant B (its only owner)
select tests.authenticate_as('owner_b');
select throws_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-b') and user_id = auth.uid() $$,
  'P0001', 'a company must keep at least one owner',
  'the last owner cannot leave'
);
select throws_ok(
  $$ update public.memberships set role = 'admin' where tenant_id = tests.tenant_id('tenant-b') and user_id = auth.uid() $$,
  'P0001', 'a company must keep at least one owner',
  'the last owner cannot step down'
);
update public.memberships set role = 'owner' where tenant_id = tests.tenant_id('tenant-b') and user_id = tests.get_supabase_uid('member_b');
select is(
  (select role::text from public.memberships where tenant_id = tests.tenant_id('tenant-b') and user_id = tests.get_supabase_uid('member_b')),
  'owner',
  'an owner makes another member an owner'
);
select lives_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-b') and user_id = auth.uid() $$,
  'with another owner in place, the former owner leaves'
);
reset role;
select is(
  (select array_agg(user_id) from public.memberships where tenant_id = tests.tenant_id('tenant-b') and role = 'owner'),
  array[tests.get_supabase_uid('member_b')],
  'tenant B is left with its new owner'
);

-- ─── a suspended tenant reads but does not change ────────────────────────────────────────────
-- as platform admin
select tests.authenticate_as('platform_admin');
select is(
  (select (public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'suspended')).status::text),
  'suspended',
  'a platform admin suspends tenant A'
);
reset role;
select is(
  (select row(actor_role, action, after ->> 'status')::text from public.audit_log
   where table_name = 'tenants' and tenant_id = tests.tenant_id('tenant-a') and action = 'update' order by id desc limit 1),
  row('platform_admin', 'update', 'suspended')::text,
  'the suspension is audited as the platform admin''s'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select is(
  (select status::text from public.tenants where id = tests.tenant_id('tenant-a')),
  'suspended',
  'the owner still reads the suspended tenant'
);
select is(
  (select count(*)::int from public.memberships where tenant_id = tests.tenant_id('tenant-a')),
  6,
  'the owner still reads the suspended tenant''s memberships'
);
select throws_ok(
  $$ update public.tenants set rag_top_k = 3 where id = tests.tenant_id('tenant-a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant''s settings cannot be changed'
);
select throws_ok(
  $$ delete from public.tenants where id = tests.tenant_id('tenant-a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot be deleted by its owner'
);
select throws_ok(
  $$ update public.memberships set role = 'member' where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'roles in a suspended tenant cannot be changed'
);
select throws_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('analyst_a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'members of a suspended tenant cannot be removed'
);
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'new@renum.test', 'member') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot invite'
);
select throws_ok(
  $$ delete from public.invitations where tenant_id = tests.tenant_id('tenant-a') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a suspended tenant cannot revoke invitations'
);

-- as member of tenant A
select tests.authenticate_as('member_a');
select throws_ok(
  $$ delete from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = auth.uid() $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'a member cannot leave a suspended tenant'
);

-- as an invitee of the suspended tenant
reset role;
insert into public.invitations (tenant_id, email, role, invited_by)
values (tests.tenant_id('tenant-a'), 'member.b@renum.test', 'member', tests.get_supabase_uid('owner_a'));
update public.invitations set expires_at = now() + interval '1 day' where email = 'member.b@renum.test';
insert into private.invitation_tokens (invitation_id, token_hash)
values (pg_temp.invitation_id('member.b@renum.test'), private.invitation_token_hash('token-for-member-b'));
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('member.b@renum.test'), 'token-for-member-b') $$,
  '42501', 'this company is suspended: it can read its data but not change anything',
  'an invitation to a suspended tenant cannot be accepted'
);
reset role;
insert into auth.sessions (id, user_id, aal, created_at) values (gen_random_uuid(), tests.get_supabase_uid('member_b'), 'aal1', now());
select ok(
  not exists (select from public.memberships where tenant_id = tests.tenant_id('tenant-a') and user_id = tests.get_supabase_uid('member_b')),
  'signing in does not accept an invitation to a suspended tenant'
);

-- as service role
select tests.authenticate_as_service_role();
select lives_ok(
  $$ update public.tenants set plan = 'pro' where id = tests.tenant_id('tenant-a') $$,
  'the service role still changes a suspended tenant'
);

-- as platform admin
select tests.authenticate_as('platform_admin');
select is(
  (select (public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'active')).status::text),
  'active',
  'a platform admin reactivates tenant A'
);

-- as owner of tenant A
select tests.authenticate_as('owner_a');
select lives_ok(
  $$ update public.tenants set rag_top_k = 3 where id = tests.tenant_id('tenant-a') $$,
  'once reactivated, the owner changes the settings again'
);

-- as postgres: what really changed
reset role;
select is(
  (select row(status::text, plan::text, rag_top_k)::text from public.tenants where id = tests.tenant_id('tenant-a')),
  row('active', 'pro', 3)::text,
  'tenant A: only the service role''s and the reactivated owner''s changes landed'
);
select is(
  (select count(*)::int from public.memberships where tenant_id = tests.tenant_id('tenant-a')),
  6,
  'no membership of tenant A changed while it was suspended'
);

select * from finish();
rollback;
