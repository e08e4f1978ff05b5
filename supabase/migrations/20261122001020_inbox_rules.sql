-- inbox rules: how inboxes are created, changed and deleted, and how their secrets are kept.
-- Secrets are encrypted with the provider-key encryption key held in Vault
-- (private.current_provider_key_encryption_key, generation in key_version) — the same pattern as
-- provider keys — so neither a row nor a dump reveals one; people see only the last four
-- characters (inbox_secret_hints); the service role decrypts (private.inbox_secret).
--
-- Who may do what:
--   owner, admin       create inboxes (create_inbox), change display name, phone and status,
--                      delete them, rotate their secrets, read the secrets' last four characters
--   member, analyst    read inboxes and the secrets' last four characters
--   service            everything above, and reads secrets in plaintext
--
-- Who writes each table:
--   inboxes                create_inbox(); update (display_name, phone_number, status) and delete
--                          by inbox managers, through the API or direct
--   private.inbox_secrets  create_inbox() and rotate_inbox_secret() only

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- The secrets each provider needs from the person connecting it (the key people use in
-- create_inbox's `secrets`), and the kind it is kept as. Meta's verify token is ours: generated.
create or replace function private.inbox_secret_inputs(provider public.inbox_provider)
returns table (input_name text, kind public.inbox_secret_kind)
language sql
immutable
set search_path = ''
as $$
  select v.input_name, v.kind::public.inbox_secret_kind
  from (values
    ('meta_cloud', 'app_secret', 'meta_app_secret'),
    ('meta_cloud', 'access_token', 'meta_access_token'),
    ('zapi', 'instance_token', 'zapi_instance_token'),
    ('zapi', 'client_token', 'zapi_client_token'),
    ('evolution', 'api_key', 'evolution_api_key')
  ) as v (provider, input_name, kind)
  where v.provider = inbox_secret_inputs.provider::text;
$$;

-- Which secret kinds belong to a provider's inbox (the inputs plus Meta's verify token).
create or replace function private.inbox_secret_kind_fits(provider public.inbox_provider, kind public.inbox_secret_kind)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select kind::text like (case provider when 'meta_cloud' then 'meta' else provider::text end) || '\_%';
$$;

-- A verify token Meta echoes back when the webhook is registered: 48 random hex characters.
create or replace function private.new_verify_token()
returns text
language sql
volatile
set search_path = ''
as $$
  select encode(extensions.gen_random_bytes(24), 'hex');
$$;

-- Stores (or replaces) one secret of an inbox, encrypted with the current key generation.
-- Security definer with a reason: callers never hold the encryption key nor write ciphertext.
create or replace function private.store_inbox_secret(target_inbox_id uuid, secret_kind public.inbox_secret_kind, secret_value text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  encryption record;
begin
  select * into encryption from private.current_provider_key_encryption_key();
  insert into private.inbox_secrets (inbox_id, kind, encrypted_value, key_version, last_four, updated_at)
  values (target_inbox_id, secret_kind, extensions.pgp_sym_encrypt(secret_value, encryption.secret, 'cipher-algo=aes256'),
          encryption.version, right(secret_value, 4), now())
  on conflict (inbox_id, kind) do update
    set encrypted_value = excluded.encrypted_value, key_version = excluded.key_version,
        last_four = excluded.last_four, updated_at = excluded.updated_at;
end;
$$;

-- The inbox a person may manage, locked for the change; inbox_not_found when they cannot see it,
-- forbidden when they can but may not manage it, tenant_read_only for a suspended company.
create or replace function private.managed_inbox(target_inbox_id uuid)
returns public.inboxes
language plpgsql
security definer
set search_path = ''
as $$
declare
  inbox public.inboxes;
begin
  select * into inbox from public.inboxes i where i.id = target_inbox_id for update;
  if inbox.id is null or not (private.is_trusted_caller() or private.is_member(inbox.tenant_id)) then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  if not (private.is_trusted_caller() or private.has_capability(inbox.tenant_id, 'manage_inboxes')) then
    raise exception using errcode = '42501', constraint = 'forbidden',
      message = 'only owners and admins of the company manage its inboxes';
  end if;
  perform private.assert_tenant_writable(inbox.tenant_id);
  return inbox;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger inboxes_touch_updated_at before update on public.inboxes
  for each row execute function private.touch_updated_at();
create trigger inboxes_guard_immutable before update on public.inboxes
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'provider', 'created_by', 'created_at');
create trigger inboxes_guard_writable before insert or update or delete on public.inboxes
  for each row execute function private.guard_tenant_writable();
create trigger inboxes_audit after insert or update or delete on public.inboxes
  for each row execute function private.audit_row_change();

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "inbox managers change their tenant's inboxes" on public.inboxes
  for update to authenticated
  using (private.has_capability(tenant_id, 'manage_inboxes'))
  with check (private.has_capability(tenant_id, 'manage_inboxes'));
create policy "inbox managers delete their tenant's inboxes" on public.inboxes
  for delete to authenticated
  using (private.has_capability(tenant_id, 'manage_inboxes'));

-- ─── API functions ────────────────────────────────────────────────────────────────────────────
/*
 * Connects a WhatsApp number: the inbox and its secrets in one transaction. provider_ids carries
 * the provider's own ids (meta: meta_phone_number_id, meta_waba_id; zapi: zapi_instance_id;
 * evolution: evolution_instance_name, evolution_base_url), secrets the provider's secrets (meta:
 * app_secret, access_token; zapi: instance_token, client_token; evolution: api_key), all
 * required. Meta's verify token is generated and returned once, to paste into Meta's console.
 * Security definer with a reason: people hold no insert grant on inboxes and never write secrets.
 * Answers {"inbox": <the row>, "verify_token": <text or null>}.
 */
create or replace function public.create_inbox(
  target_tenant_id uuid,
  provider public.inbox_provider,
  display_name text,
  phone_number text,
  provider_ids jsonb,
  secrets jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  allowed_ids text[] := case provider
    when 'meta_cloud' then array['meta_phone_number_id', 'meta_waba_id']
    when 'zapi' then array['zapi_instance_id']
    when 'evolution' then array['evolution_instance_name', 'evolution_base_url'] end;
  given_ids jsonb := coalesce(provider_ids, '{}');
  given_secrets jsonb := coalesce(secrets, '{}');
  unknown text;
  input record;
  secret_value text;
  created public.inboxes;
  verify_token text;
begin
  if not (private.is_trusted_caller() or private.has_capability(target_tenant_id, 'manage_inboxes')) then
    raise exception using errcode = '42501', constraint = 'forbidden',
      message = 'only owners and admins of the company manage its inboxes';
  end if;
  perform private.assert_tenant_writable(target_tenant_id);
  if provider is null then
    raise exception using errcode = '22023', constraint = 'inbox_provider_required', column = 'provider',
      message = 'choose the provider of this number: meta_cloud, zapi or evolution';
  end if;
  if pg_catalog.jsonb_typeof(given_ids) <> 'object' or pg_catalog.jsonb_typeof(given_secrets) <> 'object' then
    raise exception using errcode = '22023', constraint = 'inbox_provider_ids_invalid', column = 'provider_ids',
      message = 'provider_ids and secrets must be JSON objects';
  end if;
  select k into unknown from pg_catalog.jsonb_object_keys(given_ids) k where k <> all (allowed_ids) limit 1;
  if unknown is not null or exists (select from pg_catalog.jsonb_each(given_ids) e where pg_catalog.jsonb_typeof(e.value) <> 'string') then
    raise exception using errcode = '22023', constraint = 'inbox_provider_ids_invalid', column = 'provider_ids',
      message = format('%s inboxes take the ids %s, as text', provider, array_to_string(allowed_ids, ', ')),
      detail = pg_catalog.jsonb_build_object('field', 'provider_ids.' || coalesce(unknown, ''), 'allowed', allowed_ids)::text;
  end if;
  select k into unknown from pg_catalog.jsonb_object_keys(given_secrets) k
  where k not in (select i.input_name from private.inbox_secret_inputs(provider) i) limit 1;
  if unknown is not null then
    raise exception using errcode = '22023', constraint = 'inbox_secret_unknown', column = 'secrets',
      message = format('%s inboxes have no secret called %s', provider, unknown),
      detail = pg_catalog.jsonb_build_object('field', 'secrets.' || unknown)::text;
  end if;
  for input in select * from private.inbox_secret_inputs(provider) loop
    secret_value := btrim(given_secrets ->> input.input_name);
    if pg_catalog.jsonb_typeof(given_secrets -> input.input_name) is distinct from 'string'
       or char_length(secret_value) not between 1 and 4096 then
      raise exception using errcode = '22023', constraint = 'inbox_secret_missing', column = 'secrets',
        message = format('%s inboxes need %s (text, at most 4096 characters)', provider, input.input_name),
        detail = pg_catalog.jsonb_build_object('field', 'secrets.' || input.input_name)::text;
    end if;
  end loop;

  insert into public.inboxes (tenant_id, provider, display_name, phone_number, meta_phone_number_id, meta_waba_id,
                              zapi_instance_id, evolution_instance_name, evolution_base_url, created_by)
  values (target_tenant_id, provider, btrim(display_name), nullif(btrim(phone_number), ''),
          given_ids ->> 'meta_phone_number_id', given_ids ->> 'meta_waba_id', given_ids ->> 'zapi_instance_id',
          given_ids ->> 'evolution_instance_name', given_ids ->> 'evolution_base_url', (select auth.uid()))
  returning * into created;

  for input in select * from private.inbox_secret_inputs(provider) loop
    perform private.store_inbox_secret(created.id, input.kind, btrim(given_secrets ->> input.input_name));
  end loop;
  if provider = 'meta_cloud' then
    verify_token := private.new_verify_token();
    perform private.store_inbox_secret(created.id, 'meta_verify_token', verify_token);
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (created.tenant_id, (select auth.uid()), coalesce(auth.role(), current_user), 'insert', 'inbox_secrets', created.id::text,
          pg_catalog.jsonb_build_object('kinds', (select pg_catalog.jsonb_agg(s.kind order by s.kind) from private.inbox_secrets s where s.inbox_id = created.id)));
  return pg_catalog.jsonb_build_object('inbox', pg_catalog.to_jsonb(created), 'verify_token', verify_token);
end;
$$;
comment on function public.create_inbox(uuid, public.inbox_provider, text, text, jsonb, jsonb) is
  'Creates an inbox with its encrypted secrets (manage_inboxes); answers {inbox, verify_token}. Raises '
  'forbidden (42501), inbox_provider_ids_invalid, inbox_secret_unknown, inbox_secret_missing, invalid_phone (22023).';

/*
 * Replaces one secret of an inbox (manage_inboxes). new_value may be left out only for Meta's
 * verify token, which is then generated and returned; otherwise returns null. Audited (the kind,
 * never the value). Raises inbox_not_found, forbidden, inbox_secret_unknown (a kind of another
 * provider), inbox_secret_missing.
 */
create or replace function public.rotate_inbox_secret(target_inbox_id uuid, kind public.inbox_secret_kind, new_value text default null)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  inbox public.inboxes := private.managed_inbox(target_inbox_id);
  secret_value text := nullif(btrim(new_value), '');
  generated text;
begin
  if kind is null or not private.inbox_secret_kind_fits(inbox.provider, kind) then
    raise exception using errcode = '22023', constraint = 'inbox_secret_unknown', column = 'kind',
      message = format('%s inboxes have no secret %s', inbox.provider, coalesce(kind::text, 'without a kind'));
  end if;
  if secret_value is null and kind = 'meta_verify_token' then
    generated := private.new_verify_token();
    secret_value := generated;
  end if;
  if secret_value is null or char_length(secret_value) > 4096 then
    raise exception using errcode = '22023', constraint = 'inbox_secret_missing', column = 'new_value',
      message = format('give the new %s (text, at most 4096 characters)', kind);
  end if;
  perform private.store_inbox_secret(inbox.id, kind, secret_value);
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (inbox.tenant_id, (select auth.uid()), coalesce(auth.role(), current_user), 'update', 'inbox_secrets', inbox.id::text,
          pg_catalog.jsonb_build_object('kind', kind, 'generated', generated is not null));
  return generated;
end;
$$;
comment on function public.rotate_inbox_secret(uuid, public.inbox_secret_kind, text) is
  'Replaces one secret of an inbox (manage_inboxes); returns the new value only when generated (meta_verify_token '
  'without new_value). Raises inbox_not_found (P0002), forbidden (42501), inbox_secret_unknown, inbox_secret_missing (22023).';

/*
 * The last four characters of each secret of an inbox and when it was set, for the members of its
 * company (to tell which token is in place). Raises inbox_not_found for anyone else.
 */
create or replace function public.inbox_secret_hints(target_inbox_id uuid)
returns table (kind public.inbox_secret_kind, last_four text, updated_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if not exists (select from public.inboxes i where i.id = target_inbox_id
                 and (private.is_trusted_caller() or private.is_member(i.tenant_id))) then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  return query select s.kind, s.last_four, s.updated_at from private.inbox_secrets s where s.inbox_id = target_inbox_id order by s.kind;
end;
$$;

/*
 * A secret of an inbox in plaintext, to check a webhook's signature or token and to call the
 * provider: service role only (service_role_only otherwise). Null when the inbox has no such secret.
 * Not written to the audit log: it is read on every webhook; rotations and creations are.
 */
create or replace function private.inbox_secret(target_inbox_id uuid, kind public.inbox_secret_kind)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  stored private.inbox_secrets;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can read inbox secrets';
  end if;
  select * into stored from private.inbox_secrets s where s.inbox_id = target_inbox_id and s.kind = inbox_secret.kind;
  if stored.inbox_id is null then
    return null;
  end if;
  return extensions.pgp_sym_decrypt(stored.encrypted_value, private.provider_key_encryption_key(stored.key_version));
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant update (display_name, phone_number, status) on public.inboxes to authenticated;
grant delete on public.inboxes to authenticated;
revoke all on private.inbox_secrets from anon, authenticated, service_role;

grant execute on function private.inbox_secret_inputs(public.inbox_provider) to service_role;
grant execute on function private.inbox_secret_kind_fits(public.inbox_provider, public.inbox_secret_kind) to service_role;
grant execute on function public.create_inbox(uuid, public.inbox_provider, text, text, jsonb, jsonb) to authenticated, service_role;
grant execute on function public.rotate_inbox_secret(uuid, public.inbox_secret_kind, text) to authenticated, service_role;
grant execute on function public.inbox_secret_hints(uuid) to authenticated, service_role;
grant execute on function private.inbox_secret(uuid, public.inbox_secret_kind) to service_role;
