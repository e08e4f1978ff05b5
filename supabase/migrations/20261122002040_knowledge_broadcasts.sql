-- knowledge broadcasts (#14): a document's ingestion status is broadcast live, so the knowledge
-- base's page shows pending → processing → ready (or failed, with its code) as it happens. One
-- private Realtime topic per knowledge base, as runs and inboxes have theirs:
--   knowledge:<knowledge base id>   document_status
-- Payloads carry the document's id, status, versions, chunk count and failure code — never its
-- title or text, which the app reads through the API under RLS. Only members of the base's company
-- may join (RLS on realtime.messages); nobody may send.
--
-- Who writes each table:
--   realtime.messages (this topic)   the trigger below only

-- ─── who may listen ───────────────────────────────────────────────────────────────────────────
create or replace function private.can_watch_knowledge_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  topic_tenant uuid;
begin
  if topic !~ '^knowledge:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  select b.tenant_id into topic_tenant from public.knowledge_bases b where b.id = pg_catalog.split_part(topic, ':', 2)::uuid;
  return topic_tenant is not null and private.is_member(topic_tenant);
end;
$$;
comment on function private.can_watch_knowledge_topic(text) is
  'True when the caller is a member of the company of the knowledge base the topic knowledge:<id> names.';

create policy "members receive their tenant's knowledge base broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select private.can_watch_knowledge_topic((select realtime.topic())))
  );

-- ─── what is sent ─────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: the writers (the ingest function as the service role, pg_cron)
-- need no grant on realtime.
create or replace function private.broadcast_document_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    pg_catalog.jsonb_build_object('document_id', new.id, 'knowledge_base_id', new.knowledge_base_id, 'status', new.status,
                                  'current_version', new.current_version, 'latest_version', new.latest_version,
                                  'chunk_count', new.chunk_count, 'failure_code', new.failure_code,
                                  'status_changed_at', new.status_changed_at),
    'document_status', 'knowledge:' || new.knowledge_base_id, true);
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger documents_broadcast_created after insert on public.documents
  for each row execute function private.broadcast_document_status();
create trigger documents_broadcast_status after update of status, current_version on public.documents
  for each row when (old.status is distinct from new.status or old.current_version is distinct from new.current_version)
  execute function private.broadcast_document_status();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.can_watch_knowledge_topic(text) from public, anon;
grant execute on function private.can_watch_knowledge_topic(text) to authenticated;
revoke all on function private.broadcast_document_status() from public, anon, authenticated;
