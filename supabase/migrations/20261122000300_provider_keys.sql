-- provider keys: the API keys people bring for LLM providers, agent runtimes and WhatsApp, kept
-- encrypted. The encryption key lives in Supabase Vault (itself encrypted with a root key that is
-- outside the database), so neither a row nor a pg_dump of the database reveals a key. Only the
-- service role can decrypt, through one audited function; rotating the encryption key re-encrypts
-- every row in one transaction.
--
-- Where a key may go (private.provider_key_for_step picks it; the executor and the key test check it):
--   first-party keys (openai, anthropic, whatsapp, z-api)   only the provider's own address as the platform
--                                                            configures it (OPENAI_BASE_URL, ...), never an agent's base_url
--   custom-endpoint keys (openai-compatible, suna,          only the origin (scheme, host, port) they were stored for:
--   agent-api, evolution)                                   endpoint_url is required and fixed with the key
-- Whose runs may use a key:
--   its owner's                                             always (a key for a company only in that company)
--   anyone's in the key's company                           only while an owner or admin of that company marks it
--                                                            shared (is_shared); a personal key never
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
-- none): reference data the web app reads through GET /providers. The engine's key choice
-- (private.provider_key_for_step) narrows it by where the call goes: see the opening comment.
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
  -- The address a custom-endpoint key was stored for, and its origin (where a call with it must go).
  endpoint_url text constraint provider_keys_endpoint_url_length check (char_length(endpoint_url) <= 2048),
  endpoint_origin text,
  -- Set by an owner or admin of the key's company: the company's runs may use it, not only its owner's.
  is_shared boolean not null default false,
  last_used_at timestamptz,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint provider_keys_endpoint_matches_service check (
    case when service::text in ('openai-compatible', 'suna', 'agent-api', 'evolution')
      then endpoint_url is not null and endpoint_origin is not null
      else endpoint_url is null and endpoint_origin is null end),
  constraint provider_keys_shared_only_for_a_company check (not is_shared or tenant_id is not null)
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
create index provider_keys_shared_idx on public.provider_keys (tenant_id, service) where is_active and is_shared;

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
/*
 * The origin of an http(s) URL as a browser's URL parser writes it: lowercase scheme and host,
 * the port only when it is not the scheme's default. Null for anything else, including an address
 * with a user name or password (where the host is easy to misread). Keys are bound to this value and
 * calls compared with it, so two spellings of one address match and nothing else does.
 */
create or replace function private.url_origin(url text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when m is null or (m[3] is not null and m[3]::integer > 65535) then null
    else lower(m[1]) || '://' || lower(m[2])
         || case when m[3] is null or (lower(m[1]), m[3]::integer) in (('https', 443), ('http', 80)) then ''
                 else ':' || m[3]::integer::text end
  end
  from pg_catalog.regexp_match(url, '^(https?)://([A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?(?:[/?#]|$)', 'i') as m;
$$;
comment on function private.url_origin(text) is
  'scheme://host[:port] of an http(s) URL, lowercased, default port dropped; null when the URL is not one (or has user info).';

-- The services whose keys are bound to an address their owner gives (keep in step with the check
-- provider_keys_endpoint_matches_service).
create or replace function private.provider_key_needs_endpoint(service text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select service in ('openai-compatible', 'suna', 'agent-api', 'evolution');
$$;

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
  for each row execute function private.guard_immutable_columns('id', 'user_id', 'tenant_id', 'service', 'endpoint_url', 'endpoint_origin', 'created_at');

-- Only an owner or admin of the key's company decides that the company's runs may use it.
create or replace function private.guard_provider_key_sharing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.is_shared is distinct from (case when tg_op = 'UPDATE' then old.is_shared else false end)
     and not private.is_trusted_caller()
     and not private.has_capability(new.tenant_id, 'share_keys') then
    raise exception using errcode = 'P0001', constraint = 'provider_key_share_forbidden',
      message = 'only owners and admins of the company can share a key with the company''s runs',
      hint = 'Ask an owner or admin of the company to share the key.';
  end if;
  return new;
end;
$$;
create trigger provider_keys_guard_sharing before insert or update on public.provider_keys
  for each row execute function private.guard_provider_key_sharing();

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
-- Owners and admins see their company's keys (masked) to decide which the company's runs may use.
create policy "owners and admins read their company's provider keys" on public.provider_keys
  for select to authenticated
  using (tenant_id is not null and (select private.has_capability(tenant_id, 'share_keys')));
create policy "users delete their own provider keys" on public.provider_keys
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: the caller must never hold the encryption key or write
-- ciphertext; this function encrypts on their behalf and stores only their own row.
create or replace function public.set_provider_key(for_service text, api_key text, for_tenant_id uuid default null, for_endpoint_url text default null)
returns table (id uuid, service public.provider_key_service, tenant_id uuid, key_last_four text, endpoint_url text, is_shared boolean, is_active boolean, last_used_at timestamptz, created_at timestamptz, updated_at timestamptz)
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
  endpoint text := nullif(btrim(for_endpoint_url), '');
begin
  if caller is null then
    raise exception using errcode = '42501', constraint = 'sign_in_required', message = 'sign in to store a provider key';
  end if;
  if trimmed is null or char_length(trimmed) < 8 or char_length(trimmed) > 4096 then
    raise exception using errcode = '22023', constraint = 'provider_key_invalid', column = 'api_key', message = 'api_key must be between 8 and 4096 characters';
  end if;
  if for_tenant_id is not null and not private.is_member(for_tenant_id) then
    raise exception using errcode = '42501', constraint = 'forbidden', message = 'new row violates row-level security policy for table "provider_keys"';
  end if;
  -- A custom-endpoint key is bound to its address for good; a first-party key goes only to its provider.
  if private.provider_key_needs_endpoint(for_service::text) and endpoint is null then
    raise exception using errcode = '22023', constraint = 'endpoint_required', column = 'endpoint_url',
      message = format('endpoint_url is required for %s keys: the address the key may be sent to', for_service);
  end if;
  if not private.provider_key_needs_endpoint(for_service::text) and endpoint is not null then
    raise exception using errcode = '22023', constraint = 'endpoint_not_accepted', column = 'endpoint_url',
      message = format('%s keys are only sent to %s''s own address: leave endpoint_url out', for_service, for_service);
  end if;
  if endpoint is not null and private.url_origin(endpoint) is null then
    raise exception using errcode = '22023', constraint = 'endpoint_invalid', column = 'endpoint_url',
      message = 'endpoint_url must be an http(s) address without a user name or password';
  end if;
  -- Never an internal address (raises address_not_allowed); the request is checked again when made.
  if endpoint is not null then
    perform private.assert_outbound_url(endpoint, 'endpoint_url');
  end if;
  select * into encryption from private.current_provider_key_encryption_key();
  -- Replace: the previous active key for the same scope is removed in the same transaction (and
  -- with it any sharing: an owner or admin shares a key, not a slot).
  delete from public.provider_keys k
  where k.user_id = caller and k.service = for_service::public.provider_key_service and k.tenant_id is not distinct from for_tenant_id and k.is_active;
  insert into public.provider_keys (user_id, tenant_id, service, encrypted_key, key_version, key_last_four, endpoint_url, endpoint_origin)
  values (caller, for_tenant_id, for_service::public.provider_key_service,
          extensions.pgp_sym_encrypt(trimmed, encryption.secret, 'cipher-algo=aes256'),
          encryption.version, right(trimmed, 4), endpoint, private.url_origin(endpoint))
  returning * into stored;
  return query select stored.id, stored.service, stored.tenant_id, stored.key_last_four, stored.endpoint_url, stored.is_shared,
                      stored.is_active, stored.last_used_at, stored.created_at, stored.updated_at;
end;
$$;
comment on function public.set_provider_key(text, text, uuid, text) is
  'Stores (or replaces, unshared) the caller''s key for a service, encrypted, bound to for_endpoint_url for '
  'the custom-endpoint services; returns it masked. Authenticated users. Raises 22023 for a key of the wrong '
  'length or a missing, superfluous or malformed endpoint_url, 22P02 for an unknown service, 42501 for a '
  'tenant the caller is not in or that is suspended.';

/*
 * Marks a company key as shared with the company's runs (or no longer). Owners and admins of the
 * key's company, for anyone's key stored for that company (security definer with a reason: people
 * hold no update grant on keys; the trigger provider_keys_guard_sharing decides who may). Returns
 * the key masked. Raises P0002 when the key is not visible to the caller, 22023 for a personal key,
 * P0001 provider_key_share_forbidden for a member or analyst, 42501 for a suspended company.
 */
create or replace function public.set_provider_key_sharing(target_key_id uuid, shared boolean)
returns table (id uuid, service public.provider_key_service, tenant_id uuid, key_last_four text, endpoint_url text, is_shared boolean, is_active boolean, last_used_at timestamptz, created_at timestamptz, updated_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  stored public.provider_keys;
begin
  select * into stored from public.provider_keys k
  where k.id = target_key_id and k.is_active
    and (k.user_id = (select auth.uid()) or (k.tenant_id is not null and private.is_member(k.tenant_id)));
  if stored.id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'provider key not found';
  end if;
  if stored.tenant_id is null then
    raise exception using errcode = '22023', constraint = 'personal_key_not_shareable', column = 'is_shared',
      message = 'a personal key is never shared: store the key for the company to share it with the company''s runs';
  end if;
  update public.provider_keys k set is_shared = coalesce(shared, false) where k.id = stored.id returning * into stored;
  return query select stored.id, stored.service, stored.tenant_id, stored.key_last_four, stored.endpoint_url, stored.is_shared,
                      stored.is_active, stored.last_used_at, stored.created_at, stored.updated_at;
end;
$$;

/*
 * The one way to read a key in plaintext: service role only (42501 otherwise, even through another
 * security definer function). Updates last_used_at and writes a decrypt entry to the audit log whose
 * actor is `caused_by`, the person whose action needs the key (who started the run, who asked for
 * the test), with the key's owner in its details. Raises P0002 when the key is absent or replaced.
 */
create or replace function private.decrypt_provider_key(key_id uuid, purpose text, caused_by uuid)
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
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can decrypt provider keys';
  end if;
  select * into stored from public.provider_keys k where k.id = key_id and k.is_active;
  if stored.id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'provider key not found';
  end if;
  plaintext := extensions.pgp_sym_decrypt(stored.encrypted_key, private.provider_key_encryption_key(stored.key_version));
  update public.provider_keys set last_used_at = now() where id = stored.id;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (stored.tenant_id, caused_by, coalesce(auth.role(), current_user), 'decrypt', 'provider_keys', stored.id::text,
          pg_catalog.jsonb_build_object('service', stored.service, 'purpose', left(purpose, 200), 'key_owner_id', stored.user_id,
                                        'shared', stored.is_shared));
  return plaintext;
end;
$$;
comment on function private.decrypt_provider_key(uuid, text, uuid) is
  'Service role only (42501 otherwise): the plaintext of an active key, for calling its provider; '
  'updates last_used_at and writes a decrypt entry to the audit log naming caused_by as its actor and '
  'the key''s owner in its details. Raises P0002 when absent.';

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
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can rotate the encryption key';
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
grant select (id, user_id, tenant_id, service, key_version, key_last_four, endpoint_url, endpoint_origin, is_shared, last_used_at, is_active, created_at, updated_at)
  on public.provider_keys to authenticated;
grant delete on public.provider_keys to authenticated;
revoke all on private.provider_key_encryption_keys from anon, authenticated, service_role;

grant execute on function public.set_provider_key(text, text, uuid, text) to authenticated;
grant execute on function public.set_provider_key_sharing(uuid, boolean) to authenticated;
grant execute on function private.decrypt_provider_key(uuid, text, uuid) to service_role;
grant execute on function private.rotate_provider_key_encryption_key() to service_role;
