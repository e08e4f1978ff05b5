-- Platform bootstrap 045: wake the local Realtime when a broadcast is stored in realtime.messages.
--
-- On Supabase, Realtime streams inserts into realtime.messages through logical replication (a
-- temporary slot on a `supabase_realtime_messages_publication`) and broadcasts each new row to the
-- channels joined on its topic. The local Realtime (scripts/stack/realtime/) listens on
-- `realtime_messages_inserted` instead: one notification per committed row, in commit order, sent
-- by the trigger below. Like the temporary slot, a notification reaches only a listener connected
-- when the row commits, so a restarted Realtime never re-sends older rows.
--
-- The notification carries the row itself ({id, topic, event, private, payload}) when that fits in
-- a NOTIFY payload (under 8000 bytes); otherwise only {id, inserted_at}, and Realtime reads the row
-- by its primary key. Rows without an event, payload or private flag are not broadcasts (Realtime's
-- authorization probes are such rows, and they are rolled back anyway) and notify nothing.
-- Idempotent: runs on every stack start.

create or replace function realtime._notify_message_inserted()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  notification text := pg_catalog.json_build_object(
    'id', new.id, 'topic', new.topic, 'event', new.event, 'private', new.private, 'payload', new.payload
  )::text;
begin
  if pg_catalog.octet_length(notification) >= 8000 then
    notification := pg_catalog.json_build_object('id', new.id, 'inserted_at', new.inserted_at)::text;
  end if;
  perform pg_catalog.pg_notify('realtime_messages_inserted', notification);
  return null;
end;
$$;

comment on function realtime._notify_message_inserted() is
  'Local stack only: tells the local Realtime about a new broadcast row (NOTIFY realtime_messages_inserted), '
  'standing in for the logical replication Supabase Realtime reads realtime.messages with.';

alter function realtime._notify_message_inserted() owner to supabase_realtime_admin;
revoke all on function realtime._notify_message_inserted() from public, anon, authenticated, service_role;

-- A row trigger on the partitioned table is cloned onto every partition, present and future.
drop trigger if exists notify_message_inserted on realtime.messages;
create trigger notify_message_inserted
  after insert on realtime.messages
  for each row
  when (new.event is not null and new.payload is not null and new.private is not null)
  execute function realtime._notify_message_inserted();
