-- What an invitation link opens and who may send one: public.read_invitation shows the invitation
-- and its state only to the holder of its token; public.issue_invitation_token (sending or resending
-- the e-mail) is for the tenant's owners and admins while the invitation is open and the tenant
-- active; and no sign-in ever accepts an invitation by itself.
--
-- Cast: tenant A (owner_a, admin_a, member_a) and tenant B (owner_b, member_b) from
-- tests.create_two_tenants(); holder (owns link.holder@renum.test).

begin;
set search_path to public, extensions, tests;

select plan(14);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.create_supabase_user('holder', 'link.holder@renum.test');

create table pg_temp.inbox (email text primary key, token text not null);
create function pg_temp.emailed_token(wanted_email text) returns text
language sql stable security definer set search_path = ''
as $$ select m.token from pg_temp.inbox m where m.email = wanted_email $$;
grant execute on function pg_temp.emailed_token(text) to authenticated;
create function pg_temp.invitation_id(wanted_email text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.invitations i where i.email = wanted_email $$;
grant execute on function pg_temp.invitation_id(text) to authenticated;

select tests.authenticate_as('owner_a');
insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'link.holder@renum.test', 'admin');
reset role;
insert into pg_temp.inbox values ('link.holder@renum.test', public.issue_invitation_token(pg_temp.invitation_id('link.holder@renum.test')));

-- ─── who may send the e-mail ─────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select throws_ok(
  $$ select public.issue_invitation_token(pg_temp.invitation_id('link.holder@renum.test')) $$,
  'P0002', 'invitation not found',
  'an owner of another tenant cannot send (or learn) a token for it'
);
select tests.authenticate_as('admin_a');
select lives_ok(
  $$ select public.issue_invitation_token(pg_temp.invitation_id('link.holder@renum.test')) $$,
  'an admin of the tenant can send it again'
);
select throws_ok(
  $$ select public.read_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test')) $$,
  'P0001', 'this invitation link is not valid',
  'sending again makes the first e-mail''s link useless'
);
reset role;
update pg_temp.inbox set token = public.issue_invitation_token(pg_temp.invitation_id('link.holder@renum.test'));

-- ─── as the holder of the link ───────────────────────────────────────────────────────────────
select tests.authenticate_as('holder');
select is(
  (select row(tenant_name, email, role::text, status)::text
   from public.read_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test'))),
  row('Tenant A', 'link.holder@renum.test', 'admin', 'pending')::text,
  'the link shows the company, the address, the role and that it is pending'
);
select throws_ok(
  $$ select public.read_invitation(pg_temp.invitation_id('link.holder@renum.test'), 'guess') $$,
  'P0001', 'this invitation link is not valid',
  'a wrong token shows nothing'
);
select throws_ok(
  $$ select public.read_invitation(gen_random_uuid(), pg_temp.emailed_token('link.holder@renum.test')) $$,
  'P0002', 'invitation not found',
  'an unknown invitation is not found'
);

-- ─── as member B, holding the same link (forwarded) ──────────────────────────────────────────
select tests.authenticate_as('member_b');
select is(
  (select status from public.read_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test'))),
  'pending',
  'the link shows the invitation to whoever holds it'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test')) $$,
  'P0001', 'this invitation is for another e-mail address',
  'but accepting takes an account with the invited address'
);

-- ─── no sign-in accepts anything ─────────────────────────────────────────────────────────────
reset role;
insert into auth.sessions (id, user_id, aal, created_at) values (gen_random_uuid(), tests.get_supabase_uid('holder'), 'aal1', now());
select is_empty(
  $$ select 1 from public.memberships where user_id = tests.get_supabase_uid('holder') $$,
  'a new session of the invited address joins nothing'
);
select is_empty(
  $$ select 1 from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'auth' and c.relname = 'sessions' and not t.tgisinternal $$,
  'no trigger on auth.sessions acts on sign-in'
);

-- ─── states the link shows ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('holder');
select lives_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test')) $$,
  'the holder signed in with the invited address accepts'
);
select is(
  (select status from public.read_invitation(pg_temp.invitation_id('link.holder@renum.test'), pg_temp.emailed_token('link.holder@renum.test'))),
  'accepted',
  'afterwards the link says it was accepted'
);
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ select public.issue_invitation_token(pg_temp.invitation_id('link.holder@renum.test')) $$,
  'P0001', 'this invitation was already answered',
  'an answered invitation cannot be sent again'
);

-- ─── as anon ─────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok(
  $$ select public.read_invitation(gen_random_uuid(), 'x') $$,
  '42501', 'permission denied for function read_invitation',
  'anon reads no invitation link'
);

select * from finish();
rollback;
