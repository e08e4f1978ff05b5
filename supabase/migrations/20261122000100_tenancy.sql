-- tenancy: companies (tenants) and the people in them (profiles, memberships, invitations). The
-- audit log they write to is the next migration; the platform admins' panel the one after it.
--
-- Who may do what (RLS decides, the API only forwards the caller's claims):
--   owner    everything in the tenant, including making and removing owners and deleting it
--   admin    settings, members (not owners), invitations, agents, keys
--   member   agents and their own keys; reads the tenant
--   analyst  reads the tenant
--   platform admin (profiles.is_platform_admin, set only by the service role): reads any tenant
--            through the audited admin_* functions of the platform admin migration, never through
--            plain selects
-- The role → capability list is private.role_capabilities; policies ask private.has_capability and
-- clients ask public.my_capabilities, so no one keeps a copy.
--
-- Who writes each table (PostgREST serves `public` to every signed-in user, so "direct" is a real path
-- and every rule below holds on it):
--   tenants      create_tenant() (API or direct); settings columns and delete: API or direct; status: admin_set_tenant_status()
--   profiles     the auth.users triggers; full_name, avatar_url, locale by their person: API or direct
--   memberships  create_tenant(), accept_invitation(), sign-in acceptance; role change and removal: API or direct
--   invitations  insert and delete: API or direct; accepted only through accept_invitation() or sign-in

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.tenant_plan as enum ('basic', 'pro', 'enterprise');
create type public.tenant_status as enum ('active', 'inactive', 'suspended');
create type public.member_role as enum ('owner', 'admin', 'member', 'analyst');
-- What a role lets its holder do in a tenant (private.role_capabilities): the one list that
-- policies, the API and the web app all read.
create type public.tenant_capability as enum (
  'change_tenant', 'delete_tenant', 'manage_members', 'manage_owners', 'read_audit_log',
  'build_agents', 'delete_agents', 'share_agents', 'share_keys', 'build_teams', 'delete_teams', 'run_teams',
  -- WhatsApp inboxes and their secrets; answering and assigning conversations and contacts.
  'manage_inboxes', 'handle_conversations',
  -- Knowledge bases and their documents; the company's own tools, their secrets and MCP tokens;
  -- SQL logins for analysts.
  'manage_knowledge', 'manage_tools', 'manage_analytics'
);

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null constraint tenants_name_length check (char_length(btrim(name)) between 1 and 200),
  slug text not null constraint tenants_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) between 3 and 63),
  plan public.tenant_plan not null default 'basic',
  status public.tenant_status not null default 'active',
  -- CNPJ, stored as its 14 digits (formatting is stripped on write).
  tax_id text,
  agents_endpoint_url text constraint tenants_agents_endpoint_url_format check (agents_endpoint_url ~ '^https?://[^\s/$.?#][^\s]*$' and char_length(agents_endpoint_url) <= 2048)
    -- Never an internal address (20261122000060_outbound_urls.sql): raises address_not_allowed.
    constraint tenants_agents_endpoint_url_public check (private.assert_outbound_url(agents_endpoint_url, 'agents_endpoint_url')),
  agents_timeout_ms integer not null default 30000 constraint tenants_agents_timeout_ms_range check (agents_timeout_ms between 1000 and 300000),
  default_agent_type text not null default 'sdr' constraint tenants_default_agent_type_values check (default_agent_type in ('sdr', 'copilot', 'custom')),
  rag_enabled boolean not null default false,
  rag_top_k integer not null default 5 constraint tenants_rag_top_k_range check (rag_top_k between 1 and 50),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenants_slug_unique unique (slug)
);

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  full_name text constraint profiles_full_name_length check (char_length(full_name) <= 200),
  avatar_url text constraint profiles_avatar_url_format check (avatar_url ~ '^https?://' and char_length(avatar_url) <= 2048),
  locale text not null default 'pt-BR' constraint profiles_locale_values check (locale in ('pt-BR', 'en')),
  is_platform_admin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.memberships (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.member_role not null default 'member',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint memberships_one_per_user unique (tenant_id, user_id)
);

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  email text not null constraint invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  role public.member_role not null default 'member',
  invited_by uuid references auth.users (id) on delete set null default auth.uid(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  declined_at timestamptz,
  created_at timestamptz not null default now()
);

-- The one-time token an invitation's e-mail carries, kept apart from the invitation so no policy or
-- column grant can ever show it: only its SHA-256 is stored, a new one replaces the old when the
-- e-mail is sent again, and it is good until the invitation's expires_at, for one accept or decline.
create table private.invitation_tokens (
  invitation_id uuid primary key references public.invitations (id) on delete cascade,
  token_hash bytea not null,
  issued_at timestamptz not null default now()
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index memberships_user_id_idx on public.memberships (user_id, tenant_id, role);
create index memberships_tenant_id_role_idx on public.memberships (tenant_id, role);
create index invitations_tenant_id_idx on public.invitations (tenant_id);
create index invitations_email_pending_idx on public.invitations (lower(email)) where accepted_at is null and declined_at is null;
create unique index invitations_one_pending_per_email on public.invitations (tenant_id, lower(email)) where accepted_at is null and declined_at is null;
create index tenants_created_by_idx on public.tenants (created_by);

-- ─── helper functions (private; called from policies as `(select private.fn(...))`) ──────────
create or replace function private.is_valid_cnpj(cnpj text)
returns boolean
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  digits int[];
  weights_first int[] := array[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  weights_second int[] := array[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  total int;
  check_digit int;
begin
  if cnpj !~ '^\d{14}$' or cnpj ~ '^(\d)\1{13}$' then
    return false;
  end if;
  digits := pg_catalog.string_to_array(cnpj, null)::int[];
  total := 0;
  for i in 1..12 loop total := total + digits[i] * weights_first[i]; end loop;
  check_digit := case when total % 11 < 2 then 0 else 11 - total % 11 end;
  if check_digit <> digits[13] then return false; end if;
  total := 0;
  for i in 1..13 loop total := total + digits[i] * weights_second[i]; end loop;
  check_digit := case when total % 11 < 2 then 0 else 11 - total % 11 end;
  return check_digit = digits[14];
end;
$$;
comment on function private.is_valid_cnpj(text) is
  'True when the 14 digits form a valid CNPJ (both check digits match, not all digits equal).';

alter table public.tenants add constraint tenants_tax_id_valid_cnpj check (tax_id is null or private.is_valid_cnpj(tax_id));

-- A session may be narrowed to one company: `renum.tenant_scope` (a transaction-local setting the
-- functions set for an MCP token of one company and for an agent's query_data in a run) makes the
-- caller a member of that company only, and never a platform admin. Unset — every request of the
-- API and the Data API — it changes nothing. It only ever narrows: a session that cleared it would
-- be back to what its claims allow, no more.
create or replace function private.tenant_scope()
returns uuid
language sql
stable
set search_path = ''
as $$
  select nullif(pg_catalog.current_setting('renum.tenant_scope', true), '')::uuid;
$$;
comment on function private.tenant_scope() is
  'The one company this session is narrowed to (renum.tenant_scope), or null for all the caller''s companies.';

create or replace function private.is_member(target_tenant_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.memberships m
    where m.tenant_id = target_tenant_id and m.user_id = (select auth.uid())
      and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()))
  );
$$;
comment on function private.is_member(uuid) is
  'True when the caller belongs to the tenant (any role). Security definer so policies on memberships do not recurse.';

create or replace function private.has_role(target_tenant_id uuid, allowed public.member_role[])
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.memberships m
    where m.tenant_id = target_tenant_id and m.user_id = (select auth.uid()) and m.role = any (allowed)
      and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()))
  );
$$;
comment on function private.has_role(uuid, public.member_role[]) is
  'True when the caller belongs to the tenant with one of the given roles.';

-- Roles → capabilities, the one list (see the role matrix at the top of this file).
create or replace function private.role_capabilities(role public.member_role)
returns public.tenant_capability[]
language sql
immutable
set search_path = ''
as $$
  select case role
    when 'owner' then array['change_tenant', 'delete_tenant', 'manage_members', 'manage_owners', 'read_audit_log',
                            'build_agents', 'delete_agents', 'share_agents', 'share_keys', 'build_teams', 'delete_teams', 'run_teams',
                            'manage_inboxes', 'handle_conversations', 'manage_knowledge', 'manage_tools', 'manage_analytics']
    when 'admin' then array['change_tenant', 'manage_members', 'read_audit_log',
                            'build_agents', 'delete_agents', 'share_agents', 'share_keys', 'build_teams', 'delete_teams', 'run_teams',
                            'manage_inboxes', 'handle_conversations', 'manage_knowledge', 'manage_tools', 'manage_analytics']
    when 'member' then array['build_agents', 'build_teams', 'run_teams', 'handle_conversations', 'manage_knowledge']
    else array[]::text[]
  end::public.tenant_capability[];
$$;
comment on function private.role_capabilities(public.member_role) is
  'What each role may do in its tenant; policies ask private.has_capability, people ask public.my_capabilities.';

create or replace function private.has_capability(target_tenant_id uuid, wanted public.tenant_capability)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.memberships m
    where m.tenant_id = target_tenant_id and m.user_id = (select auth.uid())
      and wanted = any (private.role_capabilities(m.role))
      and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()))
  );
$$;
comment on function private.has_capability(uuid, public.tenant_capability) is
  'True when the caller''s role in the tenant grants the capability (private.role_capabilities).';

create or replace function private.is_platform_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select (select private.tenant_scope()) is null
     and coalesce((select p.is_platform_admin from public.profiles p where p.id = (select auth.uid())), false);
$$;
comment on function private.is_platform_admin() is 'True when the caller is a platform admin.';

create or replace function private.tenants_of_caller()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.tenant_id from public.memberships m where m.user_id = (select auth.uid())
    and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()));
$$;
comment on function private.tenants_of_caller() is 'The tenants the caller belongs to (for `tenant_id in (select ...)` policies).';

-- Service role and direct database sessions (migrations, seeds, pg_cron) are trusted callers.
-- The `role` setting, not current_user, tells them apart: inside a security definer function
-- current_user is the owner, while `role` still names what the request `set local role` to.
create or replace function private.is_trusted_caller()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(auth.role(), '') = 'service_role'
      or pg_catalog.current_setting('role') in ('none', 'service_role', 'postgres', 'supabase_admin');
$$;
comment on function private.is_trusted_caller() is
  'True for the service role and for direct database sessions: the explicit service-side code paths.';

-- A suspended or inactive tenant can read but not change anything; the service role still can.
create or replace function private.assert_tenant_writable(target_tenant_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  current_status public.tenant_status;
begin
  if private.is_trusted_caller() then
    return;
  end if;
  select t.status into current_status from public.tenants t where t.id = target_tenant_id;
  if current_status is not null and current_status <> 'active' then
    raise exception using
      errcode = '42501', constraint = 'tenant_read_only',
      message = format('this company is %s: it can read its data but not change anything', current_status),
      detail = pg_catalog.jsonb_build_object('tenant_id', target_tenant_id, 'tenant_status', current_status)::text,
      hint = 'Ask Renum support to reactivate the company.';
  end if;
end;
$$;
comment on function private.assert_tenant_writable(uuid) is
  'Raises 42501 when a non-service caller tries to change data of a tenant that is not active.';

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Columns named in TG_ARGV may never change: ids, tenant ownership, authorship. Except to null
-- inside another trigger: that is a foreign key's `on delete set null` (a deleted user's
-- created_by), which no caller can issue directly.
create or replace function private.guard_immutable_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  column_name text;
begin
  foreach column_name in array tg_argv loop
    if (pg_catalog.to_jsonb(new) -> column_name) is distinct from (pg_catalog.to_jsonb(old) -> column_name)
       and not (pg_catalog.jsonb_typeof(pg_catalog.to_jsonb(new) -> column_name) = 'null' and pg_catalog.pg_trigger_depth() > 1) then
      raise exception using
        errcode = '42501', constraint = 'column_immutable',
        message = format('%s.%s cannot be changed', tg_table_name, column_name),
        detail = pg_catalog.jsonb_build_object('table', tg_table_name, 'field', column_name)::text,
        hint = 'Create a new record instead of moving this one.';
    end if;
  end loop;
  return new;
end;
$$;

-- Writes to tenant-owned rows: the tenant must be active (tenant id read from TG_ARGV[0] column).
create or replace function private.guard_tenant_writable()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  row_data jsonb := pg_catalog.to_jsonb(case when tg_op = 'DELETE' then old else new end);
begin
  perform private.assert_tenant_writable((row_data ->> coalesce(tg_argv[0], 'tenant_id'))::uuid);
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create or replace function private.normalize_tenant()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.name := btrim(new.name);
  new.tax_id := nullif(pg_catalog.regexp_replace(new.tax_id, '[\s./-]', '', 'g'), '');
  return new;
end;
$$;

-- Updating or deleting a tenant (not only its rows) also requires it to be active, except for the
-- service role changing its status or plan, and a platform admin changing only its status
-- (admin_set_tenant_status: API roles hold no grant on the status column).
create or replace function private.guard_tenant_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_trusted_caller()
     and not (tg_op = 'UPDATE' and private.is_platform_admin()
              and (pg_catalog.to_jsonb(new) - 'status') = (pg_catalog.to_jsonb(old) - 'status')) then
    perform private.assert_tenant_writable(old.id);
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create trigger tenants_normalize before insert or update on public.tenants
  for each row execute function private.normalize_tenant();
create trigger tenants_touch_updated_at before update on public.tenants
  for each row execute function private.touch_updated_at();
create trigger tenants_guard_immutable before update on public.tenants
  for each row execute function private.guard_immutable_columns('id', 'created_by', 'created_at');
create trigger tenants_guard_writable before update or delete on public.tenants
  for each row execute function private.guard_tenant_update();

create trigger profiles_touch_updated_at before update on public.profiles
  for each row execute function private.touch_updated_at();
create trigger profiles_guard_immutable before update on public.profiles
  for each row execute function private.guard_immutable_columns('id', 'created_at');

create or replace function private.guard_platform_admin_flag()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.is_platform_admin is distinct from (case when tg_op = 'UPDATE' then old.is_platform_admin else false end)
     and not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'platform_admin_service_only', message = 'only the service role can grant or revoke platform admin';
  end if;
  return new;
end;
$$;
create trigger profiles_guard_platform_admin before insert or update on public.profiles
  for each row execute function private.guard_platform_admin_flag();

create trigger memberships_touch_updated_at before update on public.memberships
  for each row execute function private.touch_updated_at();
create trigger memberships_guard_immutable before update on public.memberships
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'user_id', 'created_at');
create trigger memberships_guard_writable before insert or update or delete on public.memberships
  for each row execute function private.guard_tenant_writable();

-- A tenant always keeps at least one owner. Checked after the statement's rows change, so a
-- transfer (promote another, then step down) works, and a tenant being deleted is exempt.
--
-- Race-proof: two owners demoting each other, or both leaving, in two transactions at once would
-- each see the other still an owner. So the check first takes the tenant row `for no key update`
-- and only then counts owners: the second transaction waits for the first to commit, and its count
-- (a new snapshot under read committed) sees the first one's change. Every path that removes an
-- owner comes through here (demotion, leaving, removal, an auth.users delete cascading to its
-- memberships), so they all queue on the same row. The lock does not block inserts that reference
-- the tenant (they take `for key share`), and the execution engine never locks tenant rows, so it
-- cannot deadlock with the engine; a tenant deleted meanwhile is found gone and exempt.
create or replace function private.ensure_tenant_keeps_an_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'owner' then
    return null;
  end if;
  perform 1 from public.tenants t where t.id = old.tenant_id for no key update;
  if found and not exists (select 1 from public.memberships m where m.tenant_id = old.tenant_id and m.role = 'owner') then
    raise exception using
      errcode = 'P0001', constraint = 'tenant_keeps_an_owner',
      message = 'a company must keep at least one owner',
      hint = 'Make another member an owner first, then change or remove this one.';
  end if;
  return null;
end;
$$;
comment on function private.ensure_tenant_keeps_an_owner() is
  'Constraint trigger on memberships: raises P0001 when an update or delete leaves an existing tenant '
  'without an owner. Locks the tenant row first, so concurrent owner changes are checked one after another.';
create constraint trigger memberships_keep_an_owner after update or delete on public.memberships
  deferrable initially immediate
  for each row execute function private.ensure_tenant_keeps_an_owner();

-- Only owners can create, promote to, demote from or remove owners.
create or replace function private.guard_owner_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.is_trusted_caller() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if ((tg_op in ('INSERT', 'UPDATE') and new.role = 'owner') or (tg_op in ('UPDATE', 'DELETE') and old.role = 'owner'))
     and not private.has_capability(coalesce(new.tenant_id, old.tenant_id), 'manage_owners')
     and not (tg_op = 'DELETE' and old.user_id = (select auth.uid()))
     -- the first owner of a tenant that create_tenant() just made
     and not (tg_op = 'INSERT' and not exists (select 1 from public.memberships m where m.tenant_id = new.tenant_id))
     -- a person accepting an owner invitation (only an owner can send one: guard_invitation_role)
     and not (tg_op = 'INSERT' and exists (
       select 1 from public.invitations i join auth.users u on lower(u.email) = i.email
       where i.tenant_id = new.tenant_id and u.id = new.user_id and i.role = 'owner'
         and i.accepted_at is null and i.declined_at is null and i.expires_at > now()))
     -- the memberships of a tenant being deleted (its owner deleted it; the rows go by cascade)
     and not (tg_op = 'DELETE' and not exists (select 1 from public.tenants t where t.id = old.tenant_id)) then
    raise exception using errcode = '42501', constraint = 'owners_change_owners', message = 'only an owner can add, change or remove an owner';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
create trigger memberships_guard_owner_changes before insert or update or delete on public.memberships
  for each row execute function private.guard_owner_changes();

create trigger invitations_guard_immutable before update on public.invitations
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'email', 'invited_by', 'created_at');
create trigger invitations_guard_writable before insert or update or delete on public.invitations
  for each row execute function private.guard_tenant_writable();

create or replace function private.guard_invitation_role()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.email := lower(btrim(new.email));
  if new.role = 'owner' and not private.is_trusted_caller()
     and not private.has_capability(new.tenant_id, 'manage_owners') then
    raise exception using errcode = '42501', constraint = 'owners_invite_owners', message = 'only an owner can invite another owner';
  end if;
  return new;
end;
$$;
create trigger invitations_guard_role before insert on public.invitations
  for each row execute function private.guard_invitation_role();

-- Inviting someone who already belongs to the company would only be accepted as a no-op.
create or replace function private.refuse_invitation_of_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.memberships m join public.profiles p on p.id = m.user_id
    where m.tenant_id = new.tenant_id and lower(p.email) = lower(btrim(new.email))
  ) then
    raise exception using errcode = '23505', constraint = 'invitations_invitee_is_member',
      message = 'this person is already a member of the company',
      detail = pg_catalog.jsonb_build_object('field', 'email')::text;
  end if;
  return new;
end;
$$;
comment on function private.refuse_invitation_of_member() is
  'Before-insert trigger on invitations: raises 23505 (constraint invitations_invitee_is_member) when '
  'the email is already a member''s.';
create trigger invitations_refuse_members before insert on public.invitations
  for each row execute function private.refuse_invitation_of_member();

-- A profile for every user, created with the user (local stack and Supabase Auth alike).
create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, email, full_name, avatar_url, locale)
  values (
    new.id,
    new.email,
    nullif(left(new.raw_user_meta_data ->> 'full_name', 200), ''),
    case when new.raw_user_meta_data ->> 'avatar_url' ~ '^https?://' then left(new.raw_user_meta_data ->> 'avatar_url', 2048) end,
    case when new.raw_user_meta_data ->> 'locale' in ('pt-BR', 'en') then new.raw_user_meta_data ->> 'locale' else 'pt-BR' end
  )
  on conflict (id) do nothing;
  return new;
end;
$$;
create trigger on_auth_user_created_create_profile after insert on auth.users
  for each row execute function private.create_profile_for_new_user();

create or replace function private.sync_profile_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles set email = new.email where id = new.id and email is distinct from new.email;
  return new;
end;
$$;
create trigger on_auth_user_email_changed after update of email on auth.users
  for each row execute function private.sync_profile_email();

-- Invitations are never accepted by signing in: a new session proves nothing about who owns an
-- address (sign-ups may be unconfirmed); accept_invitation below asks for the e-mailed token.

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.tenants enable row level security;
alter table public.profiles enable row level security;
alter table public.memberships enable row level security;
alter table public.invitations enable row level security;
alter table private.invitation_tokens enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenants" on public.tenants
  for select to authenticated
  using (id in (select private.tenants_of_caller()));
create policy "owners and admins update their tenant" on public.tenants
  for update to authenticated
  using ((select private.has_capability(id, 'change_tenant')))
  with check ((select private.has_capability(id, 'change_tenant')));
create policy "owners delete their tenant" on public.tenants
  for delete to authenticated
  using ((select private.has_capability(id, 'delete_tenant')));

create policy "users read their own profile" on public.profiles
  for select to authenticated
  using (id = (select auth.uid()));
create policy "members read the profiles of people in their tenants" on public.profiles
  for select to authenticated
  using (exists (
    select 1 from public.memberships m
    where m.user_id = profiles.id and m.tenant_id in (select private.tenants_of_caller())
  ));
create policy "users update their own profile" on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "members read the memberships of their tenants" on public.memberships
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "owners and admins change member roles" on public.memberships
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_members')))
  with check ((select private.has_capability(tenant_id, 'manage_members')));
create policy "owners and admins remove members" on public.memberships
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'manage_members')));
create policy "members leave a tenant" on public.memberships
  for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "owners and admins read their tenant's invitations" on public.invitations
  for select to authenticated
  using ((select private.has_capability(tenant_id, 'manage_members')));
create policy "invitees read invitations to their email" on public.invitations
  for select to authenticated
  using (lower(email) = lower((select auth.email())));
create policy "owners and admins invite people" on public.invitations
  for insert to authenticated
  with check (
    (select private.has_capability(tenant_id, 'manage_members'))
    and invited_by = (select auth.uid())
  );
create policy "owners and admins revoke invitations" on public.invitations
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'manage_members')));

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: a tenant and its first owner must appear together, and the
-- caller is not yet a member who could insert either under RLS.
create or replace function public.create_tenant(
  name text,
  slug text,
  tax_id text default null,
  agents_endpoint_url text default null
)
returns public.tenants
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  created public.tenants;
begin
  if caller is null then
    raise exception using errcode = '42501', constraint = 'sign_in_required', message = 'sign in to create a company';
  end if;
  insert into public.tenants (name, slug, tax_id, agents_endpoint_url, created_by)
  values (create_tenant.name, create_tenant.slug, create_tenant.tax_id, create_tenant.agents_endpoint_url, caller)
  returning * into created;
  insert into public.memberships (tenant_id, user_id, role) values (created.id, caller, 'owner');
  return created;
end;
$$;
comment on function public.create_tenant(text, text, text, text) is
  'Creates a tenant with the caller as its owner. Callable by authenticated users. Raises 23505 on a '
  'taken slug, 23514 on an invalid CNPJ or slug, 42501 when not signed in.';

-- Invitations belong to whoever owns the invited address, and the proof is the one-time token
-- e-mailed to it: a session, an e-mail in an access token or an auto-confirmed sign-up prove nothing.
-- These are security definer with a reason: the token table is out of every caller's reach.
--
-- Each refusal names its case (P0001 with a constraint code, read by the API's error mapping):
--   invitation_token_invalid   no token, or not the one last e-mailed (a squatter, a changed address)
--   invitation_already_used    accepted or declined already (a token works once)
--   invitation_expired         past expires_at
--   invitation_email_mismatch  right token, but the caller's account has another address

create or replace function private.invitation_token_hash(token text)
returns bytea
language sql
immutable
set search_path = ''
as $$
  select extensions.digest(coalesce(token, ''), 'sha256');
$$;
comment on function private.invitation_token_hash(text) is
  'SHA-256 of an invitation token, as private.invitation_tokens keeps it. Internal.';

create or replace function private.checked_invitation(target_invitation_id uuid, token text)
returns public.invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  stored bytea;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', constraint = 'sign_in_required', message = 'sign in to answer an invitation';
  end if;
  select * into invitation from public.invitations i where i.id = target_invitation_id for update;
  if invitation.id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'invitation not found';
  end if;
  select t.token_hash into stored from private.invitation_tokens t where t.invitation_id = invitation.id;
  if stored is null or token is null or stored <> private.invitation_token_hash(token) then
    raise exception using errcode = 'P0001', constraint = 'invitation_token_invalid',
      message = 'this invitation link is not valid',
      hint = 'Open the link in the invitation e-mail sent to the invited address.';
  end if;
  if invitation.accepted_at is not null or invitation.declined_at is not null then
    raise exception using errcode = 'P0001', constraint = 'invitation_already_used',
      message = 'this invitation was already answered';
  end if;
  if invitation.expires_at <= now() then
    raise exception using errcode = 'P0001', constraint = 'invitation_expired',
      message = 'this invitation has expired', hint = 'Ask for a new invitation.';
  end if;
  return invitation;
end;
$$;
comment on function private.checked_invitation(uuid, text) is
  'The invitation, locked, when the caller is signed in and holds its current token and it is still '
  'open. Raises 42501 signed out, P0002 unknown id, P0001 invitation_token_invalid, '
  'invitation_already_used or invitation_expired. Internal to accept/decline_invitation.';

create or replace function public.issue_invitation_token(invitation_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  token text := pg_catalog.encode(extensions.gen_random_bytes(32), 'hex');
begin
  select * into invitation from public.invitations i where i.id = issue_invitation_token.invitation_id for update;
  if invitation.id is null
     or not (private.is_trusted_caller() or private.has_capability(invitation.tenant_id, 'manage_members')) then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'invitation not found';
  end if;
  if invitation.accepted_at is not null or invitation.declined_at is not null then
    raise exception using errcode = 'P0001', constraint = 'invitation_already_used',
      message = 'this invitation was already answered';
  end if;
  perform private.assert_tenant_writable(invitation.tenant_id);
  insert into private.invitation_tokens (invitation_id, token_hash)
  values (invitation.id, private.invitation_token_hash(token))
  on conflict on constraint invitation_tokens_pkey
  do update set token_hash = excluded.token_hash, issued_at = now();
  -- A new e-mail gives the invitee the full week again.
  update public.invitations i set expires_at = now() + interval '7 days' where i.id = invitation.id;
  return token;
end;
$$;
comment on function public.issue_invitation_token(uuid) is
  'A new one-time token for a pending invitation, to be e-mailed to its address (the previous one '
  'stops working); renews expires_at. Owners and admins of its tenant, and the service role. Raises '
  'P0002 when the caller may not see it, P0001 invitation_already_used, 42501 when suspended.';

create or replace function public.accept_invitation(invitation_id uuid, token text)
returns public.memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  invitation public.invitations := private.checked_invitation(accept_invitation.invitation_id, accept_invitation.token);
  caller_email text;
  membership public.memberships;
begin
  -- The account's address now, not the access token's, which may predate an e-mail change.
  select lower(u.email) into caller_email from auth.users u where u.id = caller;
  if caller_email is distinct from lower(invitation.email) then
    raise exception using errcode = 'P0001', constraint = 'invitation_email_mismatch',
      message = 'this invitation is for another e-mail address',
      hint = 'Sign in with the account of the invited address, or ask for an invitation to yours.';
  end if;
  perform private.assert_tenant_writable(invitation.tenant_id);
  insert into public.memberships (tenant_id, user_id, role)
  values (invitation.tenant_id, caller, invitation.role)
  on conflict (tenant_id, user_id) do update set role = public.memberships.role
  returning * into membership;
  update public.invitations set accepted_at = now(), accepted_by = caller where id = invitation.id;
  return membership;
end;
$$;
comment on function public.accept_invitation(uuid, text) is
  'Joins the invitation''s tenant with its role. Authenticated users holding the e-mailed token whose '
  'account has the invited address. Raises P0002 unknown, P0001 invitation_token_invalid, '
  'invitation_already_used, invitation_expired, invitation_email_mismatch, 42501 when suspended.';

create or replace function public.decline_invitation(invitation_id uuid, token text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations := private.checked_invitation(decline_invitation.invitation_id, decline_invitation.token);
begin
  update public.invitations set declined_at = now() where id = invitation.id;
end;
$$;
comment on function public.decline_invitation(uuid, text) is
  'Declines an invitation for good. Authenticated users holding the e-mailed token (the token is the '
  'proof; any account may decline). Raises as accept_invitation, without the address check.';

/*
 * What the caller may do in a tenant: the capabilities of their role there (private.role_capabilities),
 * sorted; empty when they are not a member. Callable by authenticated users (security definer like
 * private.has_role, so it costs one index lookup). Raises nothing.
 */
create or replace function public.my_capabilities(target_tenant_id uuid)
returns public.tenant_capability[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select pg_catalog.array_agg(c order by c)
    from public.memberships m, pg_catalog.unnest(private.role_capabilities(m.role)) c
    where m.tenant_id = target_tenant_id and m.user_id = (select auth.uid())
      and ((select private.tenant_scope()) is null or m.tenant_id = (select private.tenant_scope()))
  ), array[]::public.tenant_capability[]);
$$;
comment on function public.my_capabilities(uuid) is
  'The capabilities of the caller''s role in the tenant (empty when not a member). Authenticated users.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.tenants, public.profiles, public.memberships, public.invitations from anon, authenticated;
revoke all on private.invitation_tokens from public, anon, authenticated, service_role;

grant select, delete on public.tenants to authenticated;
grant update (name, slug, tax_id, agents_endpoint_url, agents_timeout_ms, default_agent_type, rag_enabled, rag_top_k) on public.tenants to authenticated;
grant select on public.profiles to authenticated;
grant update (full_name, avatar_url, locale) on public.profiles to authenticated;
grant select, delete on public.memberships to authenticated;
grant update (role) on public.memberships to authenticated;
grant select, delete on public.invitations to authenticated;
-- Not expires_at, accepted_at, accepted_by: an invitation lasts the default 7 days and is accepted only by accept_invitation.
grant insert (tenant_id, email, role, invited_by) on public.invitations to authenticated;

-- Policies and constraints call these by reference (no schema usage needed), as the caller.
grant execute on function private.tenant_scope() to authenticated, service_role;
grant execute on function private.is_member(uuid) to authenticated, service_role;
grant execute on function private.has_role(uuid, public.member_role[]) to authenticated, service_role;
grant execute on function private.is_platform_admin() to authenticated, service_role;
grant execute on function private.tenants_of_caller() to authenticated, service_role;
grant execute on function private.is_valid_cnpj(text) to authenticated, service_role;
grant execute on function private.role_capabilities(public.member_role) to authenticated, service_role;
grant execute on function private.has_capability(uuid, public.tenant_capability) to authenticated, service_role;

grant execute on function public.create_tenant(text, text, text, text) to authenticated;
grant execute on function public.accept_invitation(uuid, text) to authenticated;
grant execute on function public.decline_invitation(uuid, text) to authenticated;
grant execute on function public.issue_invitation_token(uuid) to authenticated, service_role;
grant execute on function public.my_capabilities(uuid) to authenticated;
