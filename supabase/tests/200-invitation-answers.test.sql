-- Invitation answers (#18): the invitee's list names who invited them, and they can decline one of
-- their own invitations from that list without the e-mailed token — only their own, only while it
-- is open. Everyone else (a member of the company, another company's member, anon) gets nothing.
--
-- Cast: tests.create_two_tenants(); admin_a (named "Ana Admin") invites invitee and other.

begin;
set search_path to public, extensions, tests;

select plan(14);

select tests.create_two_tenants();
select tests.create_supabase_user('invitee', 'invitee@renum.test');
select tests.create_supabase_user('other', 'other@renum.test');
update public.profiles set full_name = 'Ana Admin' where id = tests.get_supabase_uid('admin_a');

create function pg_temp.invitation_to(wanted_email text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.invitations i where i.email = wanted_email and i.tenant_id = tests.tenant_id('tenant-a') $$;
grant execute on function pg_temp.invitation_to(text) to anon, authenticated;

select tests.authenticate_as('admin_a');
insert into public.invitations (tenant_id, email, role) values
  (tests.tenant_id('tenant-a'), 'invitee@renum.test', 'member'),
  (tests.tenant_id('tenant-a'), 'other@renum.test', 'analyst'),
  (tests.tenant_id('tenant-a'), 'late@renum.test', 'member');
reset role;
update public.invitations set expires_at = now() - interval '1 minute' where email = 'late@renum.test';
select tests.create_supabase_user('late', 'late@renum.test');

-- ─── list_my_invitations: the inviter by name ────────────────────────────────────────────────
select tests.authenticate_as('invitee');
select results_eq(
  $$ select tenant_name, invited_by_email, invited_by_name from public.list_my_invitations() $$,
  $$ values ('Tenant A'::text, 'admin.a@renum.test'::text, 'Ana Admin'::text) $$,
  'list_my_invitations names the inviter by e-mail and name'
);

-- ─── decline_my_invitation: only one's own, only while open ─────────────────────────────────
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('other@renum.test')) $$) ->> 'code',
  'not_found',
  'the invitee cannot decline an invitation to another address (not found, existence hidden)'
);
select tests.authenticate_as('member_b');
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$) ->> 'code',
  'not_found',
  'another company''s member cannot decline it'
);
select tests.authenticate_as('owner_a');
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$) ->> 'code',
  'not_found',
  'the inviting company''s owner cannot decline it for the invitee (they revoke instead)'
);
select tests.authenticate_as('platform_admin');
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$) ->> 'code',
  'not_found',
  'a platform admin cannot decline it either'
);
select tests.clear_authentication();
set local role anon;
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$) ->> 'state',
  '42501',
  'anon may not call decline_my_invitation'
);
reset role;
select tests.authenticate_as('late');
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('late@renum.test')) $$) ->> 'code',
  'invitation_expired',
  'an expired invitation cannot be declined (it is over already)'
);

select tests.authenticate_as('invitee');
select lives_ok(
  $$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$,
  'the invitee declines their own invitation without the token'
);
select is(
  (select count(*)::int from public.list_my_invitations()),
  0,
  'a declined invitation leaves the invitee''s list'
);
select is(
  tests.raised($$ select public.decline_my_invitation(pg_temp.invitation_to('invitee@renum.test')) $$) ->> 'code',
  'invitation_already_used',
  'declining twice says it was already answered'
);
reset role;
select ok(
  (select declined_at is not null and accepted_at is null from public.invitations where email = 'invitee@renum.test'),
  'the invitation is recorded as declined, not accepted'
);
select is(
  (select count(*)::int from public.memberships where user_id = tests.get_supabase_uid('invitee')),
  0,
  'declining joins nothing'
);

-- The company may invite the same address again once it was declined.
select tests.authenticate_as('admin_a');
select lives_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'invitee@renum.test', 'member') $$,
  'after a decline, the company can invite the address again'
);
select tests.authenticate_as('other');
select is(
  (select count(*)::int from public.list_my_invitations() where invited_by_name = 'Ana Admin'),
  1,
  'the other invitee still sees their own invitation'
);

select * from finish();
rollback;
