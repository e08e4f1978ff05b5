-- Invitations belong to whoever owns the invited address: accepting takes the one-time token that
-- was e-mailed to it (stored hashed, expiring, good once) and an account with that address. An
-- address squatter, someone who changed their e-mail, a member of another tenant and a reused or
-- expired token are all refused with their own code; the invitee can decline.
--
-- Cast: tenant A (owner_a, admin_a, ...) and tenant B (owner_b, member_b) from
-- tests.create_two_tenants(); invitee (owns new.hire@renum.test), squatter (signed up with
-- squat@renum.test before its owner), changer (changed their e-mail to late.hire@renum.test after
-- the invitation went out), decliner.

begin;
set search_path to public, extensions, tests;

select plan(24);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.create_supabase_user('invitee', 'new.hire@renum.test');
select tests.create_supabase_user('squatter', 'squat@renum.test');
select tests.create_supabase_user('changer', 'changer@renum.test');
select tests.create_supabase_user('decliner', 'decliner@renum.test');

create function pg_temp.invitation_id(wanted_email text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.invitations i where i.email = wanted_email and i.tenant_id = tests.tenant_id('tenant-a') $$;
grant execute on function pg_temp.invitation_id(text) to authenticated;

-- The tokens as the invitation e-mails carried them (a real inbox would hold them).
create table pg_temp.inbox (email text primary key, token text not null);
create function pg_temp.emailed_token(wanted_email text) returns text
language sql stable security definer set search_path = ''
as $$ select m.token from pg_temp.inbox m where m.email = wanted_email $$;
grant execute on function pg_temp.emailed_token(text) to authenticated;

-- ─── as admin of tenant A: invitations go out ────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
insert into public.invitations (tenant_id, email, role) values
  (tests.tenant_id('tenant-a'), 'new.hire@renum.test', 'member'),
  (tests.tenant_id('tenant-a'), 'squat@renum.test', 'admin'),
  (tests.tenant_id('tenant-a'), 'late.hire@renum.test', 'member'),
  (tests.tenant_id('tenant-a'), 'decliner@renum.test', 'member'),
  (tests.tenant_id('tenant-a'), 'old.link@renum.test', 'member'),
  (tests.tenant_id('tenant-a'), 'member.b@renum.test', 'analyst');
select is(
  length(public.issue_invitation_token(pg_temp.invitation_id('old.link@renum.test'))),
  64,
  'an admin gets a 256-bit token to e-mail'
);
reset role;
insert into pg_temp.inbox (email, token)
select i.email, public.issue_invitation_token(i.id) from public.invitations i where i.tenant_id = tests.tenant_id('tenant-a');
select is(
  (select count(*)::int from pg_temp.inbox m join private.invitation_tokens t on t.token_hash = extensions.digest(m.token, 'sha256')),
  6,
  'tokens are stored as their SHA-256, never as sent'
);

select tests.authenticate_as('member_a');
select throws_ok(
  $$ select public.issue_invitation_token(pg_temp.invitation_id('new.hire@renum.test')) $$,
  'P0002', 'invitation not found',
  'a plain member cannot issue invitation tokens'
);
select throws_ok(
  $$ select * from private.invitation_tokens $$,
  '42501', 'permission denied for schema private',
  'no signed-in user reads the token table'
);

-- ─── as the address squatter (signed up with the invited address, never got the e-mail) ──────
select tests.authenticate_as('squatter');
select is(
  (select count(*)::int from public.list_my_invitations()),
  1,
  'the squatter sees that an invitation exists for the address'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('squat@renum.test'), null) $$,
  'P0001', 'this invitation link is not valid',
  'the squatter cannot accept without the token'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('squat@renum.test'), repeat('0', 64)) $$,
  'P0001', 'this invitation link is not valid',
  'the squatter cannot accept with a guessed token'
);
select throws_ok(
  $$ select public.decline_invitation(pg_temp.invitation_id('squat@renum.test'), null) $$,
  'P0001', 'this invitation link is not valid',
  'the squatter cannot decline it for its owner either'
);
select is_empty($$ select 1 from public.memberships where user_id = auth.uid() $$, 'the squatter joined nothing');

-- ─── as the invitee (owns new.hire@renum.test, holds the e-mailed token) ─────────────────────
select tests.authenticate_as('invitee');
select is(
  (public.accept_invitation(pg_temp.invitation_id('new.hire@renum.test'), pg_temp.emailed_token('new.hire@renum.test'))).role::text,
  'member',
  'the invitee accepts with the e-mailed token and joins with the invited role'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('new.hire@renum.test'), pg_temp.emailed_token('new.hire@renum.test')) $$,
  'P0001', 'this invitation was already answered',
  'the token works once'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('squat@renum.test'), pg_temp.emailed_token('new.hire@renum.test')) $$,
  'P0001', 'this invitation link is not valid',
  'one invitation''s token opens no other invitation'
);

-- ─── as the e-mail changer (moved to the invited address after the invitation went out) ──────
reset role;
update auth.users set email = 'late.hire@renum.test' where id = tests.get_supabase_uid('changer');
select tests.authenticate_as('changer');
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('late.hire@renum.test'), null) $$,
  'P0001', 'this invitation link is not valid',
  'changing one''s address to the invited one gives no token'
);
-- The changer's access token still names the old address; the account now has the new one.
reset role;
update auth.users set email = 'changer@renum.test' where id = tests.get_supabase_uid('changer');
select tests.authenticate_as('changer');
select set_config('request.jwt.claims', (current_setting('request.jwt.claims')::jsonb || '{"email": "late.hire@renum.test"}')::text, true);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('late.hire@renum.test'), pg_temp.emailed_token('late.hire@renum.test')) $$,
  'P0001', 'this invitation is for another e-mail address',
  'a token for an address the account does not have (even if an access token says so) is refused'
);

-- ─── as a member of tenant B holding a link sent to someone else ─────────────────────────────
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('new.hire@renum.test'), pg_temp.emailed_token('new.hire@renum.test')) $$,
  'P0001', 'this invitation was already answered',
  'a member of another tenant cannot reuse someone''s spent link'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('decliner@renum.test'), pg_temp.emailed_token('decliner@renum.test')) $$,
  'P0001', 'this invitation is for another e-mail address',
  'a member of another tenant cannot accept a forwarded link for another address'
);

-- ─── a resent invitation: the old link stops working ─────────────────────────────────────────
reset role;
insert into pg_temp.inbox (email, token) values ('member.b@renum.test/first', pg_temp.emailed_token('member.b@renum.test'));
update pg_temp.inbox set token = public.issue_invitation_token(pg_temp.invitation_id('member.b@renum.test'))
where email = 'member.b@renum.test';
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('member.b@renum.test'), pg_temp.emailed_token('member.b@renum.test/first')) $$,
  'P0001', 'this invitation link is not valid',
  'once the invitation is sent again, the first link no longer works'
);

-- ─── as the decliner ─────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('decliner');
select lives_ok(
  $$ select public.decline_invitation(pg_temp.invitation_id('decliner@renum.test'), pg_temp.emailed_token('decliner@renum.test')) $$,
  'the invitee declines with the e-mailed token'
);
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('decliner@renum.test'), pg_temp.emailed_token('decliner@renum.test')) $$,
  'P0001', 'this invitation was already answered',
  'a declined invitation cannot be accepted afterwards'
);
select is(
  (select count(*)::int from public.list_my_invitations()),
  0,
  'a declined invitation is no longer listed as pending'
);

-- ─── an expired token ────────────────────────────────────────────────────────────────────────
reset role;
update public.invitations set expires_at = now() - interval '1 second' where id = pg_temp.invitation_id('member.b@renum.test');
select tests.authenticate_as('member_b');
select throws_ok(
  $$ select public.accept_invitation(pg_temp.invitation_id('member.b@renum.test'), pg_temp.emailed_token('member.b@renum.test')) $$,
  'P0001', 'this invitation has expired',
  'an expired token is refused'
);

-- ─── as postgres: what really changed ────────────────────────────────────────────────────────
reset role;
select is(
  (select array_agg(p.email || ':' || m.role order by p.email) from public.memberships m join public.profiles p on p.id = m.user_id
   where m.tenant_id = tests.tenant_id('tenant-a') and m.user_id in (
     tests.get_supabase_uid('invitee'), tests.get_supabase_uid('squatter'), tests.get_supabase_uid('changer'),
     tests.get_supabase_uid('decliner'), tests.get_supabase_uid('member_b'))),
  array['new.hire@renum.test:member'],
  'only the invitee who held the token joined tenant A'
);
select is(
  (select array_agg(email || ':' || (accepted_at is not null) || ':' || (declined_at is not null) order by email)
   from public.invitations where email in ('new.hire@renum.test', 'decliner@renum.test', 'squat@renum.test')),
  array['decliner@renum.test:false:true', 'new.hire@renum.test:true:false', 'squat@renum.test:false:false'],
  'accepted, declined and still pending invitations are recorded as such'
);
select is(
  (select count(*)::int from public.invitations i
   where i.tenant_id = tests.tenant_id('tenant-a') and i.accepted_at is null and i.declined_at is null),
  4,
  'the squatter''s, the changer''s, the old link''s and member B''s invitations stay pending'
);

select * from finish();
rollback;
