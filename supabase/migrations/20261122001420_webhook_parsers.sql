-- webhook parsers: one pure function per provider shape, turning a stored body into what the
-- processing records — `{ "messages": [...], "statuses": [...], "skipped": [...] }` where
--   messages  the argument of private.record_webhook_message: { contact_phone, contact_name,
--             direction, role, type, body, media, provider_message_id, sent_at, metadata }
--   statuses  the arguments of private.apply_message_status: { provider_message_id, status,
--             status_at, error }
--   skipped   what was recognised and deliberately left alone, with a reason (a group, another
--             number of the same Meta app, a provider notice we do not keep, a shape we don't know)
-- They never raise for an odd payload: whatever they do not understand is skipped, so an event is
-- stored `ignored`, never failed, for a shape we don't know. Payload shapes: REFERENCE.md.
--
-- Who may do what: anyone may call them (pure; they read no table). Who writes each table: none.

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- The value when it is a JSON array, else an empty one: walking a payload never raises.
create or replace function private.jsonb_array_or_empty(value jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$ select case when pg_catalog.jsonb_typeof(value) = 'array' then value else '[]'::jsonb end $$;

-- The value when it is a JSON object, else null.
create or replace function private.jsonb_object_or_null(value jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$ select case when pg_catalog.jsonb_typeof(value) = 'object' then value end $$;

-- A Unix time in seconds (or, with `scale` 1000, milliseconds) given as a JSON number or numeric
-- string; null when it is anything else.
create or replace function private.jsonb_epoch(value jsonb, scale numeric default 1)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case
    when pg_catalog.jsonb_typeof(value) in ('number', 'string') and (value #>> '{}') ~ '^[0-9]{1,15}(\.[0-9]+)?$'
      then pg_catalog.to_timestamp((value #>> '{}')::numeric / scale)
  end
$$;

-- A media reference without its empty fields; null when it names nothing.
create or replace function private.webhook_media(reference jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when pg_catalog.jsonb_strip_nulls(reference) <> '{}'::jsonb then pg_catalog.jsonb_strip_nulls(reference) end
$$;

-- ─── Meta (WhatsApp Cloud API) ────────────────────────────────────────────────────────────────
-- One message object of `value.messages[]` (or of `value.message_echoes[]`, sent from the phone).
create or replace function private.meta_message_item(message jsonb, contact_phone text, contact_name text, is_echo boolean)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  kind text := message ->> 'type';
  part jsonb := private.jsonb_object_or_null(message -> (message ->> 'type'));
  message_type text := 'unknown';
  body text;
  media jsonb;
  details jsonb := pg_catalog.jsonb_build_object('provider_type', kind);
begin
  case
    when kind = 'text' then
      message_type := 'text'; body := part ->> 'body';
    when kind in ('image', 'audio', 'video', 'document', 'sticker') then
      message_type := case kind when 'sticker' then 'image' else kind end;
      body := part ->> 'caption';
      media := private.webhook_media(pg_catalog.jsonb_build_object(
        'provider_media_id', part ->> 'id', 'mime_type', part ->> 'mime_type', 'caption', part ->> 'caption',
        'file_name', part ->> 'filename', 'sha256', part ->> 'sha256'));
    when kind = 'location' then
      message_type := 'location'; body := coalesce(part ->> 'name', part ->> 'address');
      details := details || pg_catalog.jsonb_build_object('location', part);
    when kind = 'reaction' then
      message_type := 'reaction'; body := part ->> 'emoji';
      details := details || pg_catalog.jsonb_build_object('reacted_message_id', part ->> 'message_id');
    when kind = 'interactive' then
      message_type := 'interactive';
      body := coalesce(part #>> '{button_reply,title}', part #>> '{list_reply,title}', part #>> '{nfm_reply,body}');
      details := details || pg_catalog.jsonb_build_object('reply_id', coalesce(part #>> '{button_reply,id}', part #>> '{list_reply,id}'));
    when kind = 'button' then
      message_type := 'interactive'; body := part ->> 'text';
      details := details || pg_catalog.jsonb_build_object('reply_id', part ->> 'payload');
    else
      null;
  end case;
  if message #>> '{context,id}' is not null then
    details := details || pg_catalog.jsonb_build_object('reply_to', message #>> '{context,id}');
  end if;
  return pg_catalog.jsonb_build_object(
    'contact_phone', contact_phone,
    'contact_name', contact_name,
    'direction', case when is_echo then 'out' else 'in' end,
    'role', case when is_echo then 'human' else 'user' end,
    'type', message_type,
    'body', body,
    'media', media,
    'provider_message_id', message ->> 'id',
    'sent_at', private.jsonb_epoch(message -> 'timestamp'),
    'metadata', pg_catalog.jsonb_strip_nulls(details));
end;
$$;

/*
 * A Meta notification: every entry, every change of field `messages` (and `smb_message_echoes`,
 * messages sent from the WhatsApp Business app on the same number) for `phone_number_id`, the
 * inbox's number. One app signs the notifications of all its numbers with the same secret and may
 * post them all to one address: changes for another number are skipped, never filed here.
 */
create or replace function private.parse_meta_webhook(payload jsonb, phone_number_id text)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  entry jsonb;
  change jsonb;
  value jsonb;
  item jsonb;
  names jsonb;
  messages jsonb := '[]';
  statuses jsonb := '[]';
  skipped jsonb := '[]';
begin
  if private.jsonb_object_or_null(payload) is null or payload ->> 'object' is distinct from 'whatsapp_business_account' then
    return pg_catalog.jsonb_build_object('messages', messages, 'statuses', statuses,
      'skipped', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('reason', 'unknown_shape')));
  end if;
  for entry in select pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(payload -> 'entry')) loop
    for change in select pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(entry -> 'changes')) loop
      value := private.jsonb_object_or_null(change -> 'value');
      if change ->> 'field' not in ('messages', 'smb_message_echoes') or value is null then
        skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_field', 'field', change ->> 'field');
        continue;
      end if;
      if value #>> '{metadata,phone_number_id}' is distinct from phone_number_id then
        skipped := skipped || pg_catalog.jsonb_build_object('reason', 'other_phone_number', 'phone_number_id', value #>> '{metadata,phone_number_id}');
        continue;
      end if;
      -- wa_id → profile name, for the messages of this change.
      select coalesce(pg_catalog.jsonb_object_agg(c ->> 'wa_id', c #>> '{profile,name}'), '{}') into names
      from pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(value -> 'contacts')) c
      where c ->> 'wa_id' is not null;
      for item in select pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(value -> 'messages')) loop
        if item ->> 'id' is null or item ->> 'from' is null then
          skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_shape');
        else
          messages := messages || private.meta_message_item(item, item ->> 'from', names ->> (item ->> 'from'), false);
        end if;
      end loop;
      for item in select pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(value -> 'message_echoes')) loop
        if item ->> 'id' is null or item ->> 'to' is null then
          skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_shape');
        else
          messages := messages || private.meta_message_item(item, item ->> 'to', null, true);
        end if;
      end loop;
      for item in select pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(value -> 'statuses')) loop
        if item ->> 'id' is null or item ->> 'status' is null or item ->> 'status' not in ('sent', 'delivered', 'read', 'failed') then
          skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_status', 'status', item ->> 'status');
        else
          statuses := statuses || pg_catalog.jsonb_build_object(
            'provider_message_id', item ->> 'id',
            'status', item ->> 'status',
            'status_at', private.jsonb_epoch(item -> 'timestamp'),
            'error', case when pg_catalog.jsonb_typeof(item #> '{errors,0}') = 'object' then pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
              'code', item #> '{errors,0,code}', 'title', item #>> '{errors,0,title}', 'message', item #>> '{errors,0,message}')) end);
        end if;
      end loop;
    end loop;
  end loop;
  return pg_catalog.jsonb_build_object('messages', messages, 'statuses', statuses, 'skipped', skipped);
end;
$$;

-- ─── Z-API ────────────────────────────────────────────────────────────────────────────────────
/*
 * A Z-API callback: `ReceivedCallback` is one message (from the contact, or `fromMe` from the
 * phone itself), `MessageStatusCallback` a status for one or more ids. Groups, newsletters and
 * broadcast lists are skipped, as are notices (presence, connection, our own read receipts).
 */
create or replace function private.parse_zapi_webhook(payload jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  from_me boolean := (payload ->> 'fromMe') = 'true';
  message_type text := 'unknown';
  body text;
  media jsonb;
  details jsonb;
  part jsonb;
  new_status text;
  empty_result jsonb := '{"messages": [], "statuses": []}';
begin
  if private.jsonb_object_or_null(payload) is null then
    return empty_result || '{"skipped": [{"reason": "unknown_shape"}]}';
  end if;
  if (payload ->> 'isGroup') = 'true' or (payload ->> 'isNewsletter') = 'true' or (payload ->> 'broadcast') = 'true'
     or coalesce(payload ->> 'phone', '') ~ '(-group|@g\.us|@newsletter|@broadcast)' then
    return empty_result || '{"skipped": [{"reason": "group"}]}';
  end if;

  if payload ->> 'type' = 'MessageStatusCallback' then
    new_status := case payload ->> 'status' when 'SENT' then 'sent' when 'RECEIVED' then 'delivered'
      when 'READ' then 'read' when 'PLAYED' then 'read' when 'FAILED' then 'failed' end;
    if new_status is null then
      return empty_result || pg_catalog.jsonb_build_object('skipped', pg_catalog.jsonb_build_array(
        pg_catalog.jsonb_build_object('reason', 'unknown_status', 'status', payload ->> 'status')));
    end if;
    return pg_catalog.jsonb_build_object('messages', '[]'::jsonb, 'skipped', '[]'::jsonb, 'statuses', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('provider_message_id', id #>> '{}', 'status', new_status,
        'status_at', private.jsonb_epoch(payload -> 'momment', 1000), 'error', null))
      from pg_catalog.jsonb_array_elements(private.jsonb_array_or_empty(payload -> 'ids')) id
      where pg_catalog.jsonb_typeof(id) = 'string'), '[]'));
  end if;

  if payload ->> 'type' is distinct from 'ReceivedCallback' or payload ->> 'messageId' is null or payload ->> 'phone' is null then
    return empty_result || pg_catalog.jsonb_build_object('skipped', pg_catalog.jsonb_build_array(
      pg_catalog.jsonb_build_object('reason', 'unknown_shape', 'type', payload ->> 'type')));
  end if;

  -- Our own send through the API coming back (its id is recorded by the outbound queue): not a
  -- person writing from the phone, so neither a second copy of the message nor a takeover.
  if from_me and (payload ->> 'fromApi') = 'true' then
    return empty_result || '{"skipped": [{"reason": "sent_by_us"}]}';
  end if;

  details := pg_catalog.jsonb_build_object('provider_type', 'text');
  case
    when private.jsonb_object_or_null(payload -> 'text') is not null then
      message_type := 'text'; body := payload #>> '{text,message}';
    when private.jsonb_object_or_null(payload -> 'image') is not null
      or private.jsonb_object_or_null(payload -> 'audio') is not null
      or private.jsonb_object_or_null(payload -> 'video') is not null
      or private.jsonb_object_or_null(payload -> 'document') is not null
      or private.jsonb_object_or_null(payload -> 'sticker') is not null then
      message_type := case when payload ? 'image' then 'image' when payload ? 'audio' then 'audio'
        when payload ? 'video' then 'video' when payload ? 'document' then 'document' else 'image' end;
      details := pg_catalog.jsonb_build_object('provider_type', case when payload ? 'sticker' and message_type = 'image' and not payload ? 'image' then 'sticker' else message_type end);
      part := coalesce(payload -> 'image', payload -> 'audio', payload -> 'video', payload -> 'document', payload -> 'sticker');
      body := part ->> 'caption';
      media := private.webhook_media(pg_catalog.jsonb_build_object(
        'url', coalesce(part ->> 'imageUrl', part ->> 'audioUrl', part ->> 'videoUrl', part ->> 'documentUrl', part ->> 'stickerUrl'),
        'mime_type', part ->> 'mimeType', 'caption', part ->> 'caption', 'file_name', part ->> 'fileName'));
    when private.jsonb_object_or_null(payload -> 'location') is not null then
      message_type := 'location'; body := coalesce(payload #>> '{location,name}', payload #>> '{location,address}');
      details := pg_catalog.jsonb_build_object('provider_type', 'location', 'location', payload -> 'location');
    when private.jsonb_object_or_null(payload -> 'reaction') is not null then
      message_type := 'reaction'; body := payload #>> '{reaction,value}';
      details := pg_catalog.jsonb_build_object('provider_type', 'reaction',
        'reacted_message_id', payload #>> '{reaction,referencedMessage,messageId}');
    when private.jsonb_object_or_null(payload -> 'buttonsResponseMessage') is not null then
      message_type := 'interactive'; body := payload #>> '{buttonsResponseMessage,message}';
      details := pg_catalog.jsonb_build_object('provider_type', 'buttonsResponseMessage', 'reply_id', payload #>> '{buttonsResponseMessage,buttonId}');
    when private.jsonb_object_or_null(payload -> 'listResponseMessage') is not null then
      message_type := 'interactive'; body := coalesce(payload #>> '{listResponseMessage,title}', payload #>> '{listResponseMessage,message}');
      details := pg_catalog.jsonb_build_object('provider_type', 'listResponseMessage', 'reply_id', payload #>> '{listResponseMessage,selectedRowId}');
    else
      details := pg_catalog.jsonb_build_object('provider_type', 'unknown');
  end case;
  if payload ->> 'referenceMessageId' is not null then
    details := details || pg_catalog.jsonb_build_object('reply_to', payload ->> 'referenceMessageId');
  end if;

  return pg_catalog.jsonb_build_object('statuses', '[]'::jsonb, 'skipped', '[]'::jsonb, 'messages', pg_catalog.jsonb_build_array(
    pg_catalog.jsonb_build_object(
      'contact_phone', payload ->> 'phone',
      -- On a message from the phone, senderName is the company's own name, not the contact's.
      'contact_name', case when from_me then null else coalesce(payload ->> 'senderName', payload ->> 'chatName') end,
      'direction', case when from_me then 'out' else 'in' end,
      'role', case when from_me then 'human' else 'user' end,
      'type', message_type,
      'body', body,
      'media', media,
      'provider_message_id', payload ->> 'messageId',
      'sent_at', private.jsonb_epoch(payload -> 'momment', 1000),
      'metadata', pg_catalog.jsonb_strip_nulls(details))));
end;
$$;

-- ─── Evolution API ────────────────────────────────────────────────────────────────────────────
-- The phone of a WhatsApp id (`5511999999999@s.whatsapp.net`, `...:12@s.whatsapp.net`); null for
-- groups, broadcast lists, newsletters and ids that hide the number (`@lid`).
create or replace function private.evolution_jid_phone(jid text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when jid ~ '^[0-9]{6,20}(:[0-9]+)?@(s\.whatsapp\.net|c\.us)$' then pg_catalog.split_part(pg_catalog.split_part(jid, '@', 1), ':', 1) end
$$;

-- One message of `messages.upsert` (`data`, or one element of `data.messages` in older versions).
create or replace function private.evolution_message_item(data jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  from_me boolean := (data #>> '{key,fromMe}') = 'true';
  remote_jid text := data #>> '{key,remoteJid}';
  phone text := coalesce(private.evolution_jid_phone(remote_jid),
    private.evolution_jid_phone(data #>> '{key,remoteJidAlt}'), private.evolution_jid_phone(data #>> '{key,senderPn}'));
  content jsonb := private.jsonb_object_or_null(data -> 'message');
  kind text := coalesce(data ->> 'messageType', (select k from pg_catalog.jsonb_object_keys(coalesce(content, '{}')) k
    where k <> 'messageContextInfo' limit 1));
  part jsonb := private.jsonb_object_or_null(content -> kind);
  message_type text := 'unknown';
  body text;
  media jsonb;
  details jsonb := pg_catalog.jsonb_build_object('provider_type', kind);
begin
  if remote_jid ~ '@(g\.us|broadcast|newsletter)$' then
    return pg_catalog.jsonb_build_object('skipped', 'group');
  end if;
  if phone is null or data #>> '{key,id}' is null then
    return pg_catalog.jsonb_build_object('skipped', 'unknown_shape');
  end if;
  case
    when kind = 'conversation' then
      message_type := 'text'; body := content ->> 'conversation';
    when kind = 'extendedTextMessage' then
      message_type := 'text'; body := part ->> 'text';
    when kind in ('imageMessage', 'audioMessage', 'videoMessage', 'documentMessage', 'documentWithCaptionMessage', 'stickerMessage') then
      if kind = 'documentWithCaptionMessage' then part := private.jsonb_object_or_null(part #> '{message,documentMessage}'); end if;
      message_type := case kind when 'imageMessage' then 'image' when 'stickerMessage' then 'image' when 'audioMessage' then 'audio'
        when 'videoMessage' then 'video' else 'document' end;
      body := part ->> 'caption';
      media := private.webhook_media(pg_catalog.jsonb_build_object(
        'url', part ->> 'url', 'mime_type', part ->> 'mimetype', 'caption', part ->> 'caption',
        'file_name', part ->> 'fileName', 'sha256', part ->> 'fileSha256'));
    when kind = 'locationMessage' then
      message_type := 'location'; body := coalesce(part ->> 'name', part ->> 'address');
      details := details || pg_catalog.jsonb_build_object('location', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'latitude', part -> 'degreesLatitude', 'longitude', part -> 'degreesLongitude', 'name', part ->> 'name', 'address', part ->> 'address')));
    when kind = 'reactionMessage' then
      message_type := 'reaction'; body := part ->> 'text';
      details := details || pg_catalog.jsonb_build_object('reacted_message_id', part #>> '{key,id}');
    when kind = 'buttonsResponseMessage' then
      message_type := 'interactive'; body := part ->> 'selectedDisplayText';
      details := details || pg_catalog.jsonb_build_object('reply_id', part ->> 'selectedButtonId');
    when kind = 'listResponseMessage' then
      message_type := 'interactive'; body := part ->> 'title';
      details := details || pg_catalog.jsonb_build_object('reply_id', part #>> '{singleSelectReply,selectedRowId}');
    else
      null;
  end case;
  if part #>> '{contextInfo,stanzaId}' is not null then
    details := details || pg_catalog.jsonb_build_object('reply_to', part #>> '{contextInfo,stanzaId}');
  end if;
  return pg_catalog.jsonb_build_object('message', pg_catalog.jsonb_build_object(
    'contact_phone', phone,
    -- On a message from the phone, pushName is the company's own name, not the contact's.
    'contact_name', case when from_me then null else data ->> 'pushName' end,
    'direction', case when from_me then 'out' else 'in' end,
    'role', case when from_me then 'human' else 'user' end,
    'type', message_type,
    'body', body,
    'media', media,
    'provider_message_id', data #>> '{key,id}',
    'sent_at', private.jsonb_epoch(data -> 'messageTimestamp'),
    'metadata', pg_catalog.jsonb_strip_nulls(details)));
end;
$$;

/*
 * An Evolution event: `messages.upsert` (one message in `data`, or several in `data.messages` /
 * an array) and `messages.update` (delivery statuses, by name or by Baileys' number). The event
 * name may come as `messages.upsert` or `MESSAGES_UPSERT` (webhook by events). Anything else
 * (connection, presence, chats, contacts) is skipped.
 */
create or replace function private.parse_evolution_webhook(payload jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  event_name text := pg_catalog.replace(pg_catalog.lower(payload ->> 'event'), '_', '.');
  data jsonb := payload -> 'data';
  items jsonb;
  item jsonb;
  parsed jsonb;
  remote_jid text;
  raw_status text;
  new_status text;
  messages jsonb := '[]';
  statuses jsonb := '[]';
  skipped jsonb := '[]';
begin
  if private.jsonb_object_or_null(payload) is null or event_name is null then
    return '{"messages": [], "statuses": [], "skipped": [{"reason": "unknown_shape"}]}';
  end if;
  items := case when pg_catalog.jsonb_typeof(data) = 'array' then data
    when pg_catalog.jsonb_typeof(data -> 'messages') = 'array' then data -> 'messages'
    when pg_catalog.jsonb_typeof(data) = 'object' then pg_catalog.jsonb_build_array(data)
    else '[]' end;

  if event_name = 'messages.upsert' then
    for item in select pg_catalog.jsonb_array_elements(items) loop
      parsed := private.evolution_message_item(item);
      if parsed ? 'message' then
        messages := messages || (parsed -> 'message');
      else
        skipped := skipped || pg_catalog.jsonb_build_object('reason', parsed ->> 'skipped');
      end if;
    end loop;
  elsif event_name = 'messages.update' then
    for item in select pg_catalog.jsonb_array_elements(items) loop
      remote_jid := coalesce(item ->> 'remoteJid', item #>> '{key,remoteJid}');
      raw_status := coalesce(item ->> 'status', item #>> '{update,status}');
      new_status := case raw_status
        when 'SERVER_ACK' then 'sent' when '2' then 'sent'
        when 'DELIVERY_ACK' then 'delivered' when '3' then 'delivered'
        when 'READ' then 'read' when '4' then 'read' when 'PLAYED' then 'read' when '5' then 'read'
        when 'ERROR' then 'failed' when '0' then 'failed' end;
      if remote_jid ~ '@(g\.us|broadcast|newsletter)$' then
        skipped := skipped || '{"reason": "group"}'::jsonb;
      elsif new_status is null or coalesce(item ->> 'keyId', item #>> '{key,id}') is null then
        skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_status', 'status', raw_status);
      else
        statuses := statuses || pg_catalog.jsonb_build_object(
          'provider_message_id', coalesce(item ->> 'keyId', item #>> '{key,id}'),
          'status', new_status,
          'status_at', coalesce(private.jsonb_epoch(item -> 'datetime', 1000), private.jsonb_epoch(item -> 'messageTimestamp')),
          'error', null);
      end if;
    end loop;
  else
    skipped := skipped || pg_catalog.jsonb_build_object('reason', 'unknown_event', 'event', payload ->> 'event');
  end if;
  return pg_catalog.jsonb_build_object('messages', messages, 'statuses', statuses, 'skipped', skipped);
end;
$$;

-- The parse of a stored event's body for its provider; a body that is not JSON is skipped whole.
create or replace function private.parse_webhook_body(provider public.inbox_provider, raw_body text, meta_phone_number_id text default null)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  payload jsonb;
begin
  begin
    payload := raw_body::jsonb;
  exception when others then
    return '{"messages": [], "statuses": [], "skipped": [{"reason": "not_json"}]}';
  end;
  return case provider
    when 'meta_cloud' then private.parse_meta_webhook(payload, meta_phone_number_id)
    when 'zapi' then private.parse_zapi_webhook(payload)
    when 'evolution' then private.parse_evolution_webhook(payload)
  end;
end;
$$;
