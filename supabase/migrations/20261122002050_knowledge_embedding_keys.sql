-- knowledge embedding keys: which company key pays for a knowledge base's OpenAI-compatible
-- embeddings. A base whose embedder is `openai_compatible` names one provider key; ingestion embeds
-- its documents with it and every search path (the API's playground, an agent's retrieval and its
-- knowledge_search tool, MCP's search_knowledge) embeds the query with it.
--
-- Whose key may a base use (the rule of 20261122000300_provider_keys for a company's runs): a base
-- is the company's, searched by all its members and agents, so only a key an owner or admin marked
-- shared with the company's runs — an active openai (sent to the platform's OpenAI address) or
-- openai-compatible key (sent only to the address it was stored for) of the base's company, whose
-- owner is still a member. Never anyone's personal or unshared key, the chooser's own included.
-- The rule is checked when the key is chosen (by those who manage knowledge: the bases' RLS) and
-- again every time the key is used (private.knowledge_base_embedding_key), so unsharing a key or
-- its owner leaving stops its use at once; ingestion then fails with embedding_key_unavailable.
--
-- Who writes each column:
--   knowledge_bases.embedding_key_id   people with manage_knowledge, on create and afterwards (the
--                                      same model at another key: no re-embedding); a key replaced
--                                      or deleted leaves it empty (choose the new one again)
--   decrypting the key                 the service role only, through
--                                      private.decrypt_knowledge_base_key (audited)

-- ─── columns ──────────────────────────────────────────────────────────────────────────────────
alter table public.knowledge_bases
  add column embedding_key_id uuid references public.provider_keys (id) on delete set null;

create index knowledge_bases_embedding_key_idx on public.knowledge_bases (embedding_key_id) where embedding_key_id is not null;

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- Whether `target_tenant_id`'s knowledge bases may embed with key `key_id` now (see above).
create or replace function private.knowledge_key_usable(key_id uuid, target_tenant_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.provider_keys k
    where k.id = key_id and k.is_active and k.is_shared and k.tenant_id = target_tenant_id
      and k.service::text in ('openai', 'openai-compatible')
      and exists (select 1 from public.memberships m where m.tenant_id = k.tenant_id and m.user_id = k.user_id)
  );
$$;

-- The knowledge_bases' embedder settings, checked on every write that chooses them.
create or replace function private.check_knowledge_base_embedder()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.embedder <> 'openai_compatible' then
    if new.embedding_key_id is not null then
      raise exception using errcode = '22023', constraint = 'embedding_key_not_accepted', column = 'embedding_key_id',
        message = 'only an openai_compatible knowledge base takes an embedding key';
    end if;
    return new;
  end if;
  -- The column's default names the lexical model: an OpenAI-compatible base gets OpenAI's.
  if new.embedding_model = 'lexical-v1' then
    new.embedding_model := 'text-embedding-3-small';
  end if;
  if tg_op = 'INSERT' and new.embedding_key_id is null then
    raise exception using errcode = '22023', constraint = 'embedding_key_required', column = 'embedding_key_id',
      message = 'an openai_compatible knowledge base needs embedding_key_id: a key an owner or admin shared with the company''s runs';
  end if;
  -- A key going away (replaced, deleted: on delete set null) leaves the base without one; choosing
  -- one is checked.
  if new.embedding_key_id is not null
     and (tg_op = 'INSERT' or new.embedding_key_id is distinct from old.embedding_key_id)
     and not private.knowledge_key_usable(new.embedding_key_id, new.tenant_id) then
    raise exception using errcode = '42501', constraint = 'embedding_key_not_usable', column = 'embedding_key_id',
      message = 'a knowledge base embeds only with an openai or openai-compatible key an owner or admin shared with the company''s runs',
      hint = 'Ask an owner or admin of the company to share the key.';
  end if;
  return new;
end;
$$;

create trigger knowledge_bases_check_embedder before insert or update of embedder, embedding_model, embedding_key_id on public.knowledge_bases
  for each row execute function private.check_knowledge_base_embedder();

/*
 * The key a knowledge base embeds with now, for the service side: its id, service and the address
 * its requests go to (the stored endpoint of an openai-compatible key; null for an openai key: the
 * platform's OpenAI address). No row when the base is not openai_compatible or its key is no
 * longer usable (unshared, replaced, its owner gone).
 */
create or replace function private.knowledge_base_embedding_key(target_base_id uuid)
returns table (key_id uuid, key_service text, endpoint_url text)
language sql
stable
security definer
set search_path = ''
as $$
  select k.id, k.service::text, k.endpoint_url
  from public.knowledge_bases kb
  join public.provider_keys k on k.id = kb.embedding_key_id
  where kb.id = target_base_id and kb.embedder = 'openai_compatible'
    and private.knowledge_key_usable(k.id, kb.tenant_id);
$$;

/*
 * The plaintext of a base's embedding key with where it goes, for the service role only (42501
 * otherwise). `caused_by` is whose action needs it (the version's author, the searcher, the run's
 * starter), named as the audit entry's actor. Raises P0002 embedding_key_unavailable when the base
 * has no usable key.
 */
create or replace function private.decrypt_knowledge_base_key(target_base_id uuid, purpose text, caused_by uuid)
returns table (api_key text, key_service text, endpoint_url text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen record;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role can decrypt provider keys';
  end if;
  select * into chosen from private.knowledge_base_embedding_key(target_base_id);
  if chosen.key_id is null then
    raise exception using errcode = 'P0002', constraint = 'embedding_key_unavailable',
      message = 'this knowledge base has no embedding key its company may use: choose a key an owner or admin shared with the company''s runs';
  end if;
  return query select private.decrypt_provider_key(chosen.key_id, left(format('knowledge base %s: %s', target_base_id, purpose), 200), caused_by),
                      chosen.key_service, chosen.endpoint_url;
end;
$$;
comment on function private.decrypt_knowledge_base_key(uuid, text, uuid) is
  'Service role only: the plaintext of the key a knowledge base embeds with (only a key shared with its company), '
  'its service and endpoint; audited in caused_by''s name. Raises P0002 embedding_key_unavailable when none is usable.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant insert (embedding_key_id), update (embedding_key_id) on public.knowledge_bases to authenticated;
revoke all on function private.knowledge_key_usable(uuid, uuid) from public, anon, authenticated;
revoke all on function private.knowledge_base_embedding_key(uuid) from public, anon, authenticated;
revoke all on function private.decrypt_knowledge_base_key(uuid, text, uuid) from public, anon, authenticated;
grant execute on function private.knowledge_base_embedding_key(uuid) to service_role;
grant execute on function private.decrypt_knowledge_base_key(uuid, text, uuid) to service_role;
