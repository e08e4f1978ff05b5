-- inboxes: a company's WhatsApp numbers, each on one provider (Meta's Cloud API, Z-API or
-- Evolution), with the provider's ids and the secrets the webhooks and outbound delivery need.
-- Secrets are encrypted with the provider-key encryption key kept in Vault (as provider keys are):
-- never in an answer, a log or a dump; only the service role decrypts them.
--
-- Who may do what:
--   owner, admin   create, change, disable and delete inboxes; rotate their secrets
--   member, analyst read inboxes (never their secrets)
--   service        reads secrets to check webhook signatures and to send
--
-- Who writes each table:
--   inboxes                create_inbox() / update through the API or direct (owners, admins)
--   private.inbox_secrets  create_inbox() and rotate_inbox_secret() only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.inbox_provider as enum ('meta_cloud', 'zapi', 'evolution');
create type public.inbox_status as enum ('active', 'disabled');
-- What each provider needs kept secret: Meta signs webhooks with the app secret, checks our
-- verify token once and takes a bearer access token; Z-API takes an instance token in the path
-- and a client token header (also sent on its webhooks); Evolution takes an API key header.
create type public.inbox_secret_kind as enum (
  'meta_app_secret', 'meta_verify_token', 'meta_access_token',
  'zapi_instance_token', 'zapi_client_token',
  'evolution_api_key'
);

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.inboxes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider public.inbox_provider not null,
  display_name text not null constraint inboxes_display_name_length check (char_length(btrim(display_name)) between 1 and 200),
  -- The number people write to, in E.164.
  phone_number text constraint inboxes_phone_number_e164 check (phone_number ~ '^\+[1-9][0-9]{7,14}$'),
  meta_phone_number_id text constraint inboxes_meta_phone_number_id_format check (meta_phone_number_id ~ '^[0-9]{1,32}$'),
  meta_waba_id text constraint inboxes_meta_waba_id_format check (meta_waba_id ~ '^[0-9]{1,32}$'),
  zapi_instance_id text constraint inboxes_zapi_instance_id_format check (zapi_instance_id ~ '^[A-Za-z0-9_-]{1,100}$'),
  evolution_instance_name text constraint inboxes_evolution_instance_name_format check (evolution_instance_name ~ '^[A-Za-z0-9 ._-]{1,100}$'),
  evolution_base_url text constraint inboxes_evolution_base_url_format check (evolution_base_url ~ '^https?://[^\s/$.?#][^\s]*$' and char_length(evolution_base_url) <= 2048)
    constraint inboxes_evolution_base_url_public check (private.assert_outbound_url(evolution_base_url, 'evolution_base_url')),
  status public.inbox_status not null default 'active',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Each provider's own ids are present for it and only for it.
  constraint inboxes_provider_ids check (
    case provider
      when 'meta_cloud' then meta_phone_number_id is not null and zapi_instance_id is null and evolution_instance_name is null and evolution_base_url is null
      when 'zapi' then zapi_instance_id is not null and meta_phone_number_id is null and meta_waba_id is null and evolution_instance_name is null and evolution_base_url is null
      when 'evolution' then evolution_instance_name is not null and evolution_base_url is not null and meta_phone_number_id is null and meta_waba_id is null and zapi_instance_id is null
    end
  )
);

-- One row per secret of an inbox, encrypted like provider keys (pgp_sym_encrypt with the current
-- generation of the Vault-held key).
create table private.inbox_secrets (
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  kind public.inbox_secret_kind not null,
  encrypted_value bytea not null,
  key_version integer not null,
  last_four text not null,
  updated_at timestamptz not null default now(),
  primary key (inbox_id, kind)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index inboxes_tenant_id_idx on public.inboxes (tenant_id);
-- A provider number or instance belongs to one inbox on the whole platform: its webhooks must
-- land in exactly one company.
create unique index inboxes_meta_phone_number_id_unique on public.inboxes (meta_phone_number_id) where meta_phone_number_id is not null;
create unique index inboxes_zapi_instance_id_unique on public.inboxes (zapi_instance_id) where zapi_instance_id is not null;
create unique index inboxes_evolution_instance_unique on public.inboxes (evolution_base_url, evolution_instance_name) where evolution_instance_name is not null;

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.inboxes enable row level security;
alter table private.inbox_secrets enable row level security;

create policy "members read their tenant's inboxes" on public.inboxes
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.inboxes from anon, authenticated;
grant select on public.inboxes to authenticated;
