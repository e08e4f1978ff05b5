-- api functions: the SQL the `api` edge function needs beyond what the domain migrations give,
-- for the few answers a caller may have but cannot read under RLS: who an agent may be shared with
-- (a person or a company the caller does not belong to), who a share went to, and the invitations
-- addressed to the caller (with the inviting company's name, which an invitee cannot read yet).
-- Everything else the API does is plain selects and writes as the caller, decided by the policies
-- of the domain migrations.

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- Finding a person by email to share an agent with them (resolve_share_grantee).
create index profiles_email_lower_idx on public.profiles (lower(email));

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: the grantee of a share is, by definition, someone the caller
-- cannot see under RLS (a person outside the agent's company, or another company).
--
-- Resolves the grantee of a share of an agent to a user id or a tenant id, from exactly one of an
-- email, a company slug or a company id. Callable by authenticated users who are owners or admins
-- of the agent's company: for anyone else, and for an agent that does not exist, it raises P0002
-- 'agent not found', so it tells nothing about agents the caller may not share. It reveals only
-- whether the one email, slug or id asked about exists, which sharing needs. Raises 22023 unless
-- exactly one grantee is named, P0002 'no user with that email' / 'no company with that slug' /
-- 'no company with that id' when there is none.
create or replace function public.resolve_share_grantee(
  target_agent_id uuid,
  grantee_email text default null,
  grantee_tenant_slug text default null,
  grantee_tenant_id uuid default null
)
returns table (user_id uuid, tenant_id uuid)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  agent_tenant_id uuid;
  found_id uuid;
begin
  if pg_catalog.num_nonnulls(grantee_email, grantee_tenant_slug, grantee_tenant_id) <> 1 then
    raise exception using
      errcode = '22023', constraint = 'share_grantee_required',
      message = 'name exactly one grantee: grantee_email, grantee_tenant_slug or grantee_tenant_id';
  end if;
  select a.tenant_id into agent_tenant_id from public.agents a where a.id = target_agent_id;
  if agent_tenant_id is null
     or not private.has_capability(agent_tenant_id, 'share_agents') then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'agent not found';
  end if;

  if grantee_email is not null then
    select p.id into found_id from public.profiles p
    where lower(p.email) = lower(btrim(grantee_email))
    limit 1;
    if found_id is null then
      raise exception using errcode = 'P0002', constraint = 'share_grantee_not_found', message = 'no user with that email',
        detail = '{"field": "grantee_email"}',
        hint = 'They need to sign up to Renum first; you can also invite them to your company.';
    end if;
    return query select found_id, null::uuid;
  elsif grantee_tenant_slug is not null then
    select t.id into found_id from public.tenants t where t.slug = lower(btrim(grantee_tenant_slug));
    if found_id is null then
      raise exception using errcode = 'P0002', constraint = 'share_grantee_not_found', message = 'no company with that slug',
        detail = '{"field": "grantee_tenant_slug"}';
    end if;
    return query select null::uuid, found_id;
  else
    select t.id into found_id from public.tenants t where t.id = grantee_tenant_id;
    if found_id is null then
      raise exception using errcode = 'P0002', constraint = 'share_grantee_not_found', message = 'no company with that id',
        detail = '{"field": "grantee_tenant_id"}';
    end if;
    return query select null::uuid, found_id;
  end if;
end;
$$;
comment on function public.resolve_share_grantee(uuid, text, text, uuid) is
  'The user or tenant a share of the agent would go to, from one of email, tenant slug, tenant id. '
  'Owners and admins of the agent''s tenant only. Raises P0002 (agent not found: also when the caller '
  'may not share it; no user with that email; no company with that slug/id), 22023 unless exactly one '
  'grantee is named.';

-- Security definer with a reason: the grantee of a share is outside the agent's company, so RLS
-- hides their profile (or their company) from the company that shared the agent.
--
-- Who a share goes to, as people recognise them: the grantee's email, or the grantee company's
-- name and slug. Callable by authenticated users; answers a row only to members of the agent's
-- company (who may read its shares) and to the grantee, nothing to anyone else. Raises nothing.
create or replace function public.share_grantee(share_id uuid)
returns table (email text, tenant_name text, tenant_slug text)
language sql
stable
security definer
set search_path = ''
as $$
  select p.email, t.name, t.slug
  from public.agent_shares s
  left join public.profiles p on p.id = s.grantee_user_id
  left join public.tenants t on t.id = s.grantee_tenant_id
  where s.id = share_id
    and (s.tenant_id in (select private.tenants_of_caller())
         or s.grantee_user_id = (select auth.uid())
         or s.grantee_tenant_id in (select private.tenants_of_caller()));
$$;
comment on function public.share_grantee(uuid) is
  'The email, or the company name and slug, a share goes to; for members of the sharing company and '
  'the grantee only (no row otherwise). Authenticated users.';

-- Security definer with a reason: an invitee is not yet a member, so RLS hides the company's
-- name and the inviter's profile from them.
--
-- The caller's pending, unexpired invitations (addressed to the email in their access token),
-- newest first, with the inviting company's name and slug and who invited (e-mail and name).
-- Callable by authenticated users; answers nothing for a token without an email. Raises nothing.
create or replace function public.list_my_invitations()
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

-- Invitations an invitee can answer (#18): accepting takes the e-mailed token (the proof of owning
-- the address); declining from the list takes only an account with the invited address, confirmed:
-- it grants nothing, and where Auth does not confirm addresses, the worst a person who signed up
-- with someone else's address can do is turn down an invitation they could already see, which the
-- company answers by inviting again (a declined invitation no longer blocks a new one).

-- One invitation as its link's page shows it: company, address, role, who invited, state. Internal,
-- called by read_invitation and decline_my_invitation once they have checked the caller's right.
create or replace function private.linked_invitation(target_invitation_id uuid)
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
-- Security definer with a reason: the person opening an invitation link is not a member yet (and
-- may be signed in with another address), so RLS hides the invitation and the company from them.
--
-- The invitation an e-mailed link points at, for the page that offers to accept or decline it:
-- the company's name, the role, the invited address, who invited, and its state ('pending',
-- 'accepted', 'declined' or 'expired'). Callable by authenticated users holding the link's token;
-- raises 42501 signed out, P0002 for an unknown id, P0001 invitation_token_invalid for a wrong token.
create or replace function public.read_invitation(invitation_id uuid, token text)
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
create or replace function public.decline_my_invitation(target_invitation_id uuid)
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

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function public.resolve_share_grantee(uuid, text, text, uuid) to authenticated;
grant execute on function public.share_grantee(uuid) to authenticated;
grant execute on function public.list_my_invitations() to authenticated;
grant execute on function public.read_invitation(uuid, text) to authenticated;
revoke all on function public.decline_my_invitation(uuid) from public, anon;
revoke all on function private.linked_invitation(uuid) from public, anon, authenticated;
grant execute on function public.decline_my_invitation(uuid) to authenticated;
