-- provider keys: the API keys people bring for LLM providers, agent runtimes and WhatsApp, kept
-- encrypted. The encryption key lives in Supabase Vault (itself encrypted with a root key that is
-- outside the database), so neither a row nor a pg_dump of the database reveals a key. Only the
-- service role can decrypt, through one audited function; rotating the encryption key re-encrypts
-- every row in one transaction.
--
-- Who writes each table:
--   provider_keys                          set_provider_key() (API or direct); delete: API or direct;
--                                          decrypt and rotate: service only
--   private.provider_key_encryption_keys   service only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
-- The services a key can be stored for: the one list (the generated types carry it to the API and the web app).
create type public.provider_key_service as enum (
  'openai', 'anthropic', 'openai-compatible', 'suna', 'agent-api', 'whatsapp', 'z-api', 'evolution'
);

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- Which keys an agent of each provider runs with, most preferred first (the demo provider needs
-- none): reference data read by the engine's key choice and, through GET /providers, the web app.
create table public.agent_provider_key_services (
  provider public.agent_provider not null,
  service public.provider_key_service not null,
  preference smallint not null,
  primary key (provider, service),
  constraint agent_provider_key_services_one_per_preference unique (provider, preference)
);

create table public.provider_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade default auth.uid(),
  tenant_id uuid references public.tenants (id) on delete cascade,
  service public.provider_key_service not null,
  encrypted_key bytea not null,
  key_version integer not null,
  key_last_four text not null constraint provider_keys_last_four_length check (char_length(key_last_four) <= 4),
  last_used_at timestamptz,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The encryption key's generations: the current one is used for writes; rotation adds the next.
create table private.provider_key_encryption_keys (
  version integer primary key,
  vault_secret_id uuid not null,
  created_at timestamptz not null default now()
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- One active key per (owner, tenant scope, service).
create unique index provider_keys_one_active_per_service on public.provider_keys (user_id, service, tenant_id) nulls not distinct where is_active;
create index provider_keys_tenant_id_idx on public.provider_keys (tenant_id);

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
create or replace function private.current_provider_key_encryption_key()
returns table (version integer, secret text)
language sql
stable
security definer
set search_path = ''
as $$
  select k.version, s.decrypted_secret
  from private.provider_key_encryption_keys k
  join vault.decrypted_secrets s on s.id = k.vault_secret_id
  order by k.version desc
  limit 1;
$$;

create or replace function private.provider_key_encryption_key(key_generation integer)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.decrypted_secret
  from private.provider_key_encryption_keys k
  join vault.decrypted_secrets s on s.id = k.vault_secret_id
  where k.version = key_generation;
$$;

-- The first generation of the encryption key, created once in Vault.
do $first_key$
declare
  secret_id uuid;
begin
  if not exists (select 1 from private.provider_key_encryption_keys) then
    secret_id := vault.create_secret(
      encode(extensions.gen_random_bytes(32), 'hex'),
      'renum_provider_keys_v1',
      'Encrypts public.provider_keys.encrypted_key (generation 1)'
    );
    insert into private.provider_key_encryption_keys (version, vault_secret_id) values (1, secret_id);
  end if;
end;
$first_key$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger provider_keys_touch_updated_at before update on public.provider_keys
  for each row execute function private.touch_updated_at();
create trigger provider_keys_guard_immutable before update on public.provider_keys
  for each row execute function private.guard_immutable_columns('id', 'user_id', 'tenant_id', 'service', 'created_at');

create or replace function private.guard_provider_key_tenant()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (case when tg_op = 'DELETE' then old.tenant_id else new.tenant_id end) is not null then
    perform private.assert_tenant_writable(case when tg_op = 'DELETE' then old.tenant_id else new.tenant_id end);
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
create trigger provider_keys_guard_writable before insert or update or delete on public.provider_keys
  for each row execute function private.guard_provider_key_tenant();
create trigger provider_keys_audit after insert or update or delete on public.provider_keys
  for each row execute function private.audit_row_change('encrypted_key');

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.agent_provider_key_services enable row level security;
alter table public.provider_keys enable row level security;
alter table private.provider_key_encryption_keys enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "signed-in users read which keys each provider uses" on public.agent_provider_key_services
  for select to authenticated
  using (true);
-- Keys are personal: each person sees and removes only their own (the ciphertext is never
-- selectable by them either; see the column grants below).
create policy "users read their own provider keys" on public.provider_keys
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "users delete their own provider keys" on public.provider_keys
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: the caller must never hold the encryption key or write
-- ciphertext; this function encrypts on their behalf and stores only their own row.
create or replace function public.set_provider_key(for_service text, api_key text, for_tenant_id uuid default null)
returns table (id uuid, service public.provider_key_service, tenant_id uuid, key_last_four text, is_active boolean, last_used_at timestamptz, created_at timestamptz, updated_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  caller uuid := (select auth.uid());
  encryption record;
  stored public.provider_keys;
  trimmed text := btrim(api_key);
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'sign in to store a provider key';
  end if;
  if trimmed is null or char_length(trimmed) < 8 or char_length(trimmed) > 4096 then
    raise exception using errcode = '22023', message = 'api_key must be between 8 and 4096 characters';
  end if;
  if for_tenant_id is not null and not private.is_member(for_tenant_id) then
    raise exception using errcode = '42501', message = 'new row violates row-level security policy for table "provider_keys"';
  end if;
  select * into encryption from private.current_provider_key_encryption_key();
  -- Replace: the previous active key for the same scope is removed in the same transaction.
  delete from public.provider_keys k
  where k.user_id = caller and k.service = for_service::public.provider_key_service and k.tenant_id is not distinct from for_tenant_id and k.is_active;
  insert into public.provider_keys (user_id, tenant_id, service, encrypted_key, key_version, key_last_four)
  values (caller, for_tenant_id, for_service::public.provider_key_service,
          extensions.pgp_sym_encrypt(trimmed, encryption.secret, 'cipher-algo=aes256'),
          encryption.version, right(trimmed, 4))
  returning * into stored;
  return query select stored.id, stored.service, stored.tenant_id, stored.key_last_four, stored.is_active, stored.last_used_at, stored.created_at, stored.updated_at;
end;
$$;
comment on function public.set_provider_key(text, text, uuid) is
  'Stores (or replaces) the caller''s key for a service, encrypted; returns it masked. Authenticated '
  'users. Raises 22023 for a key of the wrong length, 22P02 for an unknown service, 42501 for a tenant '
  'the caller is not in or that is suspended.';

-- The one way to read a key in plaintext: service role only, and every call is audited.
create or replace function private.decrypt_provider_key(key_id uuid, purpose text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  stored public.provider_keys;
  plaintext text;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', message = 'only the service role can decrypt provider keys';
  end if;
  select * into stored from public.provider_keys k where k.id = key_id and k.is_active;
  if stored.id is null then
    raise exception using errcode = 'P0002', message = 'provider key not found';
  end if;
  plaintext := extensions.pgp_sym_decrypt(stored.encrypted_key, private.provider_key_encryption_key(stored.key_version));
  update public.provider_keys set last_used_at = now() where id = stored.id;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (stored.tenant_id, stored.user_id, coalesce(auth.role(), current_user), 'decrypt', 'provider_keys', stored.id::text,
          pg_catalog.jsonb_build_object('service', stored.service, 'purpose', left(purpose, 200)));
  return plaintext;
end;
$$;
comment on function private.decrypt_provider_key(uuid, text) is
  'Service role only (42501 otherwise): the plaintext of an active key, for calling its provider; '
  'updates last_used_at and writes a decrypt entry to the audit log. Raises P0002 when absent.';

-- Rotation: a new generation in Vault, every row re-encrypted, in one transaction.
create or replace function private.rotate_provider_key_encryption_key()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  next_version integer;
  new_secret text := encode(extensions.gen_random_bytes(32), 'hex');
  secret_id uuid;
  rotated integer;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', message = 'only the service role can rotate the encryption key';
  end if;
  lock table private.provider_key_encryption_keys in exclusive mode;
  select coalesce(max(version), 0) + 1 into next_version from private.provider_key_encryption_keys;
  secret_id := vault.create_secret(new_secret, 'renum_provider_keys_v' || next_version,
                                   'Encrypts public.provider_keys.encrypted_key (generation ' || next_version || ')');
  insert into private.provider_key_encryption_keys (version, vault_secret_id) values (next_version, secret_id);
  update public.provider_keys k
  set encrypted_key = extensions.pgp_sym_encrypt(
        extensions.pgp_sym_decrypt(k.encrypted_key, private.provider_key_encryption_key(k.key_version)),
        new_secret, 'cipher-algo=aes256'),
      key_version = next_version;
  get diagnostics rotated = row_count;
  return rotated;
end;
$$;
comment on function private.rotate_provider_key_encryption_key() is
  'Service role only: creates the next encryption key generation and re-encrypts every provider key '
  'with it in one transaction; returns how many rows were re-encrypted.';

-- ─── reference data ───────────────────────────────────────────────────────────────────────────
insert into public.agent_provider_key_services (provider, service, preference) values
  ('openai-compatible', 'openai-compatible', 1),
  ('openai-compatible', 'openai', 2),
  ('anthropic', 'anthropic', 1),
  ('suna', 'suna', 1),
  ('agent-api', 'agent-api', 1)
on conflict do nothing;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.agent_provider_key_services from anon, authenticated;
grant select on public.agent_provider_key_services to authenticated;
revoke all on public.provider_keys from anon, authenticated;
-- Never the ciphertext: people read the masked columns only.
grant select (id, user_id, tenant_id, service, key_version, key_last_four, last_used_at, is_active, created_at, updated_at)
  on public.provider_keys to authenticated;
grant delete on public.provider_keys to authenticated;
revoke all on private.provider_key_encryption_keys from anon, authenticated, service_role;

grant execute on function public.set_provider_key(text, text, uuid) to authenticated;
grant execute on function private.decrypt_provider_key(uuid, text) to service_role;
grant execute on function private.rotate_provider_key_encryption_key() to service_role;
