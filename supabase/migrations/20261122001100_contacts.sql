-- contacts: the people who write to a company (the leads), one per company and phone number.
-- Phones are kept in E.164; Brazilian mobiles always with the ninth digit, whatever the provider
-- sends (private.normalize_phone), so one person is one contact.
--
-- Who may do what:
--   owner, admin, member   read, create, edit and block contacts
--   analyst                reads contacts
--   service                creates contacts from webhooks
--
-- Who writes each table:
--   contacts   webhook ingestion (service); the API or direct (members) for edits

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.contact_status as enum ('active', 'inactive', 'blocked');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  phone text not null constraint contacts_phone_e164 check (phone ~ '^\+[1-9][0-9]{7,14}$'),
  name text constraint contacts_name_length check (char_length(name) <= 200),
  email text constraint contacts_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  metadata jsonb not null default '{}' constraint contacts_metadata_is_object check (jsonb_typeof(metadata) = 'object')
    constraint contacts_metadata_bounded check (private.jsonb_is_bounded(metadata, 8, 16384)),
  status public.contact_status not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contacts_phone_unique unique (tenant_id, phone)
);

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.contacts enable row level security;

create policy "members read their tenant's contacts" on public.contacts
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.contacts from anon, authenticated;
grant select on public.contacts to authenticated;
