-- messaging broadcasts: the inbox and the open thread update live. Private Realtime topics, as
-- runs do (`execution:<id>`):
--   inbox:<inbox id>                 message_created, conversation_updated
--   conversation:<conversation id>   message_created, message_status
-- Payloads carry ids, indexes, status, direction, type and times — never a message's body, which
-- the app reads through the API under RLS. Only members of the inbox's company may join (RLS on
-- realtime.messages); nobody may send. A broadcast that cannot be stored (no Realtime partition
-- for today) is lost with a warning, never the message: the app reads the rows on reconnect.
--
-- Who writes each table:
--   realtime.messages (these topics)   the triggers below only

-- ─── who may listen ───────────────────────────────────────────────────────────────────────────
create or replace function private.can_watch_messaging_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  kind text := pg_catalog.split_part(topic, ':', 1);
  topic_tenant uuid;
begin
  if topic !~ '^(inbox|conversation):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  if kind = 'inbox' then
    select i.tenant_id into topic_tenant from public.inboxes i where i.id = pg_catalog.split_part(topic, ':', 2)::uuid;
  else
    select c.tenant_id into topic_tenant from public.conversations c where c.id = pg_catalog.split_part(topic, ':', 2)::uuid;
  end if;
  return topic_tenant is not null and private.is_member(topic_tenant);
end;
$$;
grant execute on function private.can_watch_messaging_topic(text) to authenticated;

create policy "members receive their tenant's inbox and conversation broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select private.can_watch_messaging_topic((select realtime.topic())))
  );

-- ─── what is sent ─────────────────────────────────────────────────────────────────────────────
-- New messages, once per statement (a bulk insert is one insert into realtime.messages).
-- Security definer with a reason: the writers (service role, pg_cron) need no grant on realtime.
create or replace function private.broadcast_new_messages()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    insert into realtime.messages (id, topic, event, payload, private, extension)
    select gen_random_uuid(), topics.topic, 'message_created', m.payload || pg_catalog.jsonb_build_object('topic', topics.topic), true, 'broadcast'
    from (select n.inbox_id, n.conversation_id,
                 pg_catalog.jsonb_build_object('message_id', n.id, 'conversation_id', n.conversation_id, 'inbox_id', n.inbox_id,
                   'contact_id', n.contact_id, 'message_index', n.message_index, 'status', n.status, 'direction', n.direction,
                   'role', n.role, 'type', n.type, 'created_at', n.created_at) as payload
          from new_messages n) m
    cross join lateral (values ('inbox:' || m.inbox_id), ('conversation:' || m.conversation_id)) as topics (topic);
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end;
$$;

-- A message's delivery status moved.
create or replace function private.broadcast_message_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    pg_catalog.jsonb_build_object('message_id', new.id, 'conversation_id', new.conversation_id, 'message_index', new.message_index,
                                  'status', new.status, 'status_at', new.status_at, 'direction', new.direction),
    'message_status', 'conversation:' || new.conversation_id, true);
  return null;
end;
$$;

-- A conversation opened or changed (status, assignee, counters).
create or replace function private.broadcast_conversation_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    pg_catalog.jsonb_build_object('conversation_id', new.id, 'inbox_id', new.inbox_id, 'contact_id', new.contact_id,
                                  'status', new.status, 'assignee', new.assignee, 'assignee_user_id', new.assignee_user_id,
                                  'unread_count', new.unread_count, 'last_message_index', new.last_message_index,
                                  'last_message_at', new.last_message_at, 'updated_at', new.updated_at),
    'conversation_updated', 'inbox:' || new.inbox_id, true);
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger messages_broadcast_created after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.broadcast_new_messages();
create trigger messages_broadcast_status after update of status on public.messages
  for each row when (old.status is distinct from new.status)
  execute function private.broadcast_message_status();
create trigger conversations_broadcast_change after insert or update on public.conversations
  for each row execute function private.broadcast_conversation_change();
