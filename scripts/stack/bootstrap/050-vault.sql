-- Platform bootstrap 050: the `vault` schema with supabase_vault's SQL surface — vault.secrets,
-- vault.create_secret(), vault.update_secret() and the vault.decrypted_secrets view — with the
-- same names, columns and signatures as supabase_vault 0.3 (sql/supabase_vault--0.3.0.sql).
--
-- Encryption differs from Supabase on purpose (supabase_vault's libsodium C code is not available):
-- `secret` holds an ASCII-armored pgcrypto message, `extensions.pgp_sym_encrypt` with AES-256. The
-- passphrase is HMAC-SHA256(secret id, root key), so each secret has its own key and a ciphertext
-- copied onto another row does not decrypt (supabase_vault binds the id as associated data for
-- the same reason). The root key is NOT in the database: it is read from the file
-- `vault_root_key` in the data directory (64 hex characters, written by the stack when it creates
-- the cluster), so neither pg_dump nor a table read ever contains it. Only the private
-- security-definer helper vault._root_key(), owned by supabase_admin, reads it.
--
-- Access as on Supabase: everything belongs to supabase_admin; postgres may only read and delete
-- secrets and create or update them through the functions (supabase/postgres
-- ansible/files/postgresql_extension_custom_scripts/supabase_vault/after-create.sql), service_role
-- as before; anon and authenticated get nothing.

create schema if not exists vault authorization supabase_admin;
alter schema vault owner to supabase_admin;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index if not exists secrets_name_idx on vault.secrets using btree (name) where name is not null;
alter table vault.secrets owner to supabase_admin;

-- ─── private helpers ─────────────────────────────────────────────────────────────────────────
create or replace function vault._root_key()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  key_text text;
begin
  begin
    key_text := pg_catalog.pg_read_file('vault_root_key');
  exception when undefined_file then
    raise exception 'vault root key file is missing'
      using detail = 'Expected the file vault_root_key in the data directory ('
                     || pg_catalog.current_setting('data_directory') || '), holding 64 hex characters.',
            hint = 'The local stack writes it when it creates the cluster; restore it or recreate the cluster.';
  end;
  key_text := pg_catalog.btrim(key_text, E' \t\r\n');
  if key_text !~ '^[0-9A-Fa-f]{64}$' then
    raise exception 'vault root key file is malformed'
      using detail = 'vault_root_key in the data directory must hold exactly 64 hex characters.';
  end if;
  return key_text;
end;
$$;

-- Per-secret passphrase: HMAC-SHA256 of the secret id under the root key.
create or replace function vault._secret_key(secret_id uuid)
returns text
language sql
volatile
security definer
set search_path = ''
as $$
  select pg_catalog.encode(
    extensions.hmac(pg_catalog.convert_to(secret_id::text, 'utf8'), pg_catalog.decode(vault._root_key(), 'hex'), 'sha256'),
    'hex');
$$;

create or replace function vault._encrypt(plaintext text, secret_id uuid)
returns text
language sql
volatile
security definer
set search_path = ''
as $$
  select extensions.armor(
    extensions.pgp_sym_encrypt(plaintext, vault._secret_key(secret_id), 'cipher-algo=aes256, compress-algo=0, s2k-mode=1'));
$$;

create or replace function vault._decrypt(ciphertext text, secret_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select extensions.pgp_sym_decrypt(extensions.dearmor(ciphertext), vault._secret_key(secret_id));
$$;

-- ─── public surface (same signatures as supabase_vault) ────────────────────────────────────
create or replace view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  vault._decrypt(s.secret, s.id) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;
alter view vault.decrypted_secrets owner to supabase_admin;

create or replace function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  -- unused, as in supabase_vault
  new_key_id uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  secret_id uuid := gen_random_uuid();
begin
  insert into vault.secrets (id, secret, name, description)
  values (secret_id, vault._encrypt(new_secret, secret_id), new_name, new_description);
  return secret_id;
end;
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  -- unused, as in supabase_vault
  new_key_id uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case when new_secret is null then s.secret else vault._encrypt(new_secret, s.id) end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end;
$$;

alter function vault._root_key() owner to supabase_admin;
alter function vault._secret_key(uuid) owner to supabase_admin;
alter function vault._encrypt(text, uuid) owner to supabase_admin;
alter function vault._decrypt(text, uuid) owner to supabase_admin;
alter function vault.create_secret(text, text, text, uuid) owner to supabase_admin;
alter function vault.update_secret(uuid, text, text, text, uuid) owner to supabase_admin;

-- ─── access ──────────────────────────────────────────────────────────────────────────────────
revoke all on schema vault from public, anon, authenticated;
revoke all on all tables in schema vault from public, anon, authenticated;
revoke all on all functions in schema vault from public, anon, authenticated, service_role;

grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid)
  to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets to service_role;
grant select on vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid) to service_role;
grant execute on function vault.update_secret(uuid, text, text, text, uuid) to service_role;
-- The view calls _decrypt with the reader's privileges, so the roles allowed to read the view may
-- call it (supabase_vault grants its decrypt function to service_role the same way). The root key
-- itself is readable by nobody but supabase_admin.
grant execute on function vault._decrypt(text, uuid) to postgres with grant option;
grant execute on function vault._decrypt(text, uuid) to service_role;
