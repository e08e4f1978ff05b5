-- contact rules: who writes contacts, how webhooks find or create one, and the search by any part
-- of a name or phone (trigram indexes).
--
-- Who may do what:
--   owner, admin, member   create contacts; change name, email, metadata and status (block)
--   analyst                reads
--   service                creates contacts from webhooks (private.upsert_contact)
--
-- Who writes each table:
--   contacts   private.upsert_contact (webhook ingestion); insert and update (name, email, metadata,
--              status) by people with handle_conversations, through the API or direct

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index contacts_name_trgm_idx on public.contacts using gin (name extensions.gin_trgm_ops);
create index contacts_phone_trgm_idx on public.contacts using gin (phone extensions.gin_trgm_ops);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger contacts_normalize_phone before insert or update of phone on public.contacts
  for each row execute function private.normalize_phone_column('phone');
create trigger contacts_touch_updated_at before update on public.contacts
  for each row execute function private.touch_updated_at();
create trigger contacts_guard_immutable before update on public.contacts
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'created_at');
create trigger contacts_guard_writable before insert or update or delete on public.contacts
  for each row execute function private.guard_tenant_writable();
create trigger contacts_audit_insert_delete after insert or delete on public.contacts
  for each row execute function private.audit_row_change();
create trigger contacts_audit_update after update on public.contacts
  for each row when (old.name is distinct from new.name or old.email is distinct from new.email
                     or old.metadata is distinct from new.metadata or old.status is distinct from new.status
                     or old.phone is distinct from new.phone)
  execute function private.audit_row_change();

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "conversation handlers create their tenant's contacts" on public.contacts
  for insert to authenticated
  with check (private.has_capability(tenant_id, 'handle_conversations'));
create policy "conversation handlers change their tenant's contacts" on public.contacts
  for update to authenticated
  using (private.has_capability(tenant_id, 'handle_conversations'))
  with check (private.has_capability(tenant_id, 'handle_conversations'));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The contact of a company with this phone (normalised), created when new; a name is filled in
 * only when the contact has none (a name people gave is kept over the provider's profile name).
 * Race-proof: two webhooks for a new number at once find one contact. Raises invalid_phone.
 */
create or replace function private.upsert_contact(target_tenant_id uuid, raw_phone text, contact_name text default null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  normalized_phone text := private.normalize_phone(raw_phone);
  profile_name text := nullif(left(btrim(contact_name), 200), '');
  contact_id uuid;
begin
  insert into public.contacts (tenant_id, phone, name)
  values (target_tenant_id, normalized_phone, profile_name)
  on conflict (tenant_id, phone) do nothing
  returning id into contact_id;
  if contact_id is null then
    select c.id into contact_id from public.contacts c where c.tenant_id = target_tenant_id and c.phone = normalized_phone;
    if profile_name is not null then
      update public.contacts c set name = profile_name where c.id = contact_id and c.name is null;
    end if;
  end if;
  return contact_id;
end;
$$;
comment on function private.upsert_contact(uuid, text, text) is
  'The id of the tenant''s contact with this phone (normalised), created when new; fills a missing name. Raises invalid_phone.';

/*
 * A company's contacts whose name or phone contains the search (any part, case- and
 * accent-sensitive on names as typed; phones by their digits), most similar first; without a
 * search, the latest changed. At most max_rows (1-200). Runs as the caller: RLS shows only their
 * companies' contacts.
 */
create or replace function public.search_contacts(target_tenant_id uuid, search text, max_rows integer default 50)
returns setof public.contacts
language sql
stable
set search_path = ''
as $$
  with wanted as (
    select nullif(btrim(search), '') as words,
           nullif(pg_catalog.regexp_replace(coalesce(search, ''), '[^0-9]', '', 'g'), '') as digits,
           greatest(1, least(coalesce(max_rows, 50), 200)) as row_limit
  ), patterns as (
    select words, digits, row_limit,
           '%' || pg_catalog.regexp_replace(words, '([\\%_])', '\\\1', 'g') || '%' as words_pattern,
           '%' || digits || '%' as digits_pattern
    from wanted
  )
  select c.*
  from public.contacts c, patterns p
  where c.tenant_id = target_tenant_id
    and (p.words is null
         or c.name operator(pg_catalog.~~*) p.words_pattern
         or (p.digits is not null and char_length(p.digits) >= 3 and c.phone operator(pg_catalog.~~) p.digits_pattern))
  order by case when p.words is null then 0
                else greatest(extensions.similarity(coalesce(c.name, ''), p.words), extensions.similarity(c.phone, coalesce(p.digits, p.words))) end desc,
           c.updated_at desc, c.id
  limit (select row_limit from patterns);
$$;
comment on function public.search_contacts(uuid, text, integer) is
  'Contacts of a tenant whose name or phone contains the search (trigram indexes), most similar first; at most max_rows (1-200).';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant insert (tenant_id, phone, name, email, metadata, status) on public.contacts to authenticated;
grant update (name, email, metadata, status) on public.contacts to authenticated;
grant execute on function private.upsert_contact(uuid, text, text) to service_role;
grant execute on function public.search_contacts(uuid, text, integer) to authenticated, service_role;
