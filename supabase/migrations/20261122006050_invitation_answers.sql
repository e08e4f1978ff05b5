-- invitation answers (#18): the invitee sees who invited them by name, and can say no from their
-- list of invitations without digging out the e-mail.
--
-- Accepting still takes the e-mailed token (the proof of owning the address). Declining from the
-- list takes only an account with the invited address, confirmed: it grants nothing, and where Auth
-- does not confirm addresses, the worst a person who signed up with someone else's address can do is
-- turn down an invitation they could already see, which the company answers by inviting again (a
-- declined invitation no longer blocks a new one).

-- Security definer with a reason (as in 000400): the invitee is not a member, so RLS hides the
-- company and the inviter's profile from them. The return type gains the inviter's name, so the
-- functions are dropped and made again (nothing else depends on them).
drop function public.list_my_invitations();
create function public.list_my_invitations()
returns table (
  id uuid,
  tenant_id uuid,
  tenant_name text,
  tenant_slug text,
  role public.member_role,
  invited_by_email text,
  invited_by_name text,
  expires_at timestamptz,
  created_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select i.id, i.tenant_id, t.name, t.slug, i.role, p.email, nullif(btrim(p.full_name), ''), i.expires_at, i.created_at
  from public.invitations i
  join public.tenants t on t.id = i.tenant_id
  left join public.profiles p on p.id = i.invited_by
  where lower(i.email) = lower((select auth.email()))
    and i.accepted_at is null and i.declined_at is null
    and i.expires_at > now()
  order by i.created_at desc, i.id;
$$;
comment on function public.list_my_invitations() is
  'The caller''s pending, unexpired invitations with the company''s name and slug and who invited '
  '(e-mail and name). Authenticated users.';

drop function public.read_invitation(uuid, text);

-- One invitation as its link's page shows it: company, address, role, who invited, state. Internal,
-- called by read_invitation and decline_my_invitation once they have checked the caller's right.
create function private.linked_invitation(target_invitation_id uuid)
returns table (
  id uuid,
  tenant_id uuid,
  tenant_name text,
  email text,
  role public.member_role,
  invited_by_email text,
  invited_by_name text,
  expires_at timestamptz,
  status text
)
language sql
stable
set search_path = ''
as $$
  select i.id, i.tenant_id, t.name, i.email, i.role, p.email, nullif(btrim(p.full_name), ''), i.expires_at,
         case when i.accepted_at is not null then 'accepted'
              when i.declined_at is not null then 'declined'
              when i.expires_at <= now() then 'expired'
              else 'pending' end
  from public.invitations i
  join public.tenants t on t.id = i.tenant_id
  left join public.profiles p on p.id = i.invited_by
  where i.id = target_invitation_id;
$$;
comment on function private.linked_invitation(uuid) is
  'An invitation with company name, inviter and state, unchecked. Internal to read_invitation and decline_my_invitation.';
create function public.read_invitation(invitation_id uuid, token text)
returns table (
  id uuid,
  tenant_id uuid,
  tenant_name text,
  email text,
  role public.member_role,
  invited_by_email text,
  invited_by_name text,
  expires_at timestamptz,
  status text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', constraint = 'sign_in_required', message = 'sign in to answer an invitation';
  end if;
  if not exists (select 1 from public.invitations i where i.id = read_invitation.invitation_id) then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'invitation not found';
  end if;
  if not exists (
    select 1 from private.invitation_tokens t
    where t.invitation_id = read_invitation.invitation_id and t.token_hash = private.invitation_token_hash(read_invitation.token)
  ) then
    raise exception using errcode = 'P0001', constraint = 'invitation_token_invalid',
      message = 'this invitation link is not valid',
      hint = 'Open the link in the invitation e-mail sent to the invited address.';
  end if;
  return query select * from private.linked_invitation(read_invitation.invitation_id);
end;
$$;
comment on function public.read_invitation(uuid, text) is
  'The invitation a link''s token opens, with company name, who invited and state. Authenticated '
  'users with the token; raises 42501, P0002, P0001 invitation_token_invalid.';

-- Security definer with a reason: the invitee may not update invitations (no grant), and the
-- address to compare is the account's in auth.users, out of their reach.
--
-- Declines one of the caller's own pending invitations (the address the account has now, not the
-- access token's) and answers it as read_invitation would. Raises 42501 sign_in_required, P0002 not_found for an invitation to another
-- address (its existence stays hidden), P0001 invitation_already_used or invitation_expired.
create function public.decline_my_invitation(target_invitation_id uuid)
returns table (
  id uuid,
  tenant_id uuid,
  tenant_name text,
  email text,
  role public.member_role,
  invited_by_email text,
  invited_by_name text,
  expires_at timestamptz,
  status text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_email text;
  invitation public.invitations;
begin
  if caller is null then
    raise exception using errcode = '42501', constraint = 'sign_in_required', message = 'sign in to answer an invitation';
  end if;
  -- A confirmed address only: where Auth confirms e-mails, an unconfirmed sign-up proves nothing.
  select lower(u.email) into caller_email from auth.users u where u.id = caller and u.email_confirmed_at is not null;
  select * into invitation from public.invitations i
  where i.id = decline_my_invitation.target_invitation_id and lower(i.email) = caller_email
  for update;
  if invitation.id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'invitation not found';
  end if;
  if invitation.accepted_at is not null or invitation.declined_at is not null then
    raise exception using errcode = 'P0001', constraint = 'invitation_already_used',
      message = 'this invitation was already answered';
  end if;
  if invitation.expires_at <= now() then
    raise exception using errcode = 'P0001', constraint = 'invitation_expired',
      message = 'this invitation has expired', hint = 'Ask for a new invitation.';
  end if;
  update public.invitations i set declined_at = now() where i.id = invitation.id;
  return query select * from private.linked_invitation(invitation.id);
end;
$$;
comment on function public.decline_my_invitation(uuid) is
  'Declines one of the caller''s pending invitations (to the account''s address) without the e-mailed '
  'token. Authenticated users. Raises 42501, P0002 not_found for another address''s, P0001 '
  'invitation_already_used, invitation_expired.';

revoke all on function public.list_my_invitations() from public, anon;
revoke all on function public.read_invitation(uuid, text) from public, anon;
revoke all on function public.decline_my_invitation(uuid) from public, anon;
revoke all on function private.linked_invitation(uuid) from public, anon, authenticated;
grant execute on function public.list_my_invitations() to authenticated;
grant execute on function public.read_invitation(uuid, text) to authenticated;
grant execute on function public.decline_my_invitation(uuid) to authenticated;
