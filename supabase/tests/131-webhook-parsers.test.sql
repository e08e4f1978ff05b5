-- Webhook parsers: each provider's payload (REFERENCE.md shapes) becomes the messages and
-- statuses the processing records, in record_webhook_message's and apply_message_status's shape:
-- several entries, changes, messages and statuses in one Meta payload; every message type; echoes
-- and fromMe messages as `human` out; groups and other numbers skipped; any odd shape skipped,
-- never raised.

begin;
set search_path to public, extensions, tests;

select plan(33);

-- ─── Meta ────────────────────────────────────────────────────────────────────────────────────
create temporary table meta_payload as select $json${
  "object": "whatsapp_business_account",
  "entry": [
    {"id": "WABA1", "changes": [
      {"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "111"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5511987654321"}, {"profile": {"name": "Bia"}, "wa_id": "5521912345678"}],
        "messages": [
          {"from": "5511987654321", "id": "wamid.A1", "timestamp": "1700000000", "type": "text", "text": {"body": "Olá"}},
          {"from": "5521912345678", "id": "wamid.B1", "timestamp": "1700000001", "type": "image",
           "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "abc", "caption": "foto"}, "context": {"id": "wamid.OUT1"}}
        ],
        "statuses": [{"id": "wamid.OUT1", "status": "read", "timestamp": "1700000002", "recipient_id": "5511987654321"},
                     {"id": "wamid.OUT2", "status": "failed", "timestamp": "1700000003", "recipient_id": "5511987654321",
                      "errors": [{"code": 131047, "title": "Re-engagement message"}]},
                     {"id": "wamid.OUT3", "status": "deleted", "timestamp": "1700000004", "recipient_id": "5511987654321"}]
      }},
      {"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550002222", "phone_number_id": "222"},
        "messages": [{"from": "5511987654321", "id": "wamid.OTHER", "timestamp": "1700000000", "type": "text", "text": {"body": "not ours"}}]
      }}
    ]},
    {"id": "WABA1", "changes": [
      {"field": "smb_message_echoes", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "111"},
        "message_echoes": [{"from": "15550001111", "to": "5511987654321", "id": "wamid.ECHO", "timestamp": "1700000005", "type": "text", "text": {"body": "from the phone"}}]
      }},
      {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}
    ]}
  ]
}$json$::jsonb as payload;
create temporary table meta_parsed as select private.parse_meta_webhook(payload, '111') as parsed from meta_payload;

select is((select jsonb_array_length(parsed -> 'messages') from meta_parsed), 3, 'Meta: two messages and one echo of our number, across entries');
select is((select parsed -> 'messages' -> 0 from meta_parsed), jsonb_build_object(
    'contact_phone', '5511987654321', 'contact_name', 'Ana', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'Olá',
    'media', null, 'provider_message_id', 'wamid.A1', 'sent_at', to_timestamp(1700000000), 'metadata', '{"provider_type": "text"}'::jsonb),
  'Meta: a text message in record_webhook_message''s shape, with its sender''s profile name');
select is((select parsed -> 'messages' -> 1 -> 'media' from meta_parsed),
  '{"provider_media_id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "abc", "caption": "foto"}'::jsonb,
  'Meta: an image as a media reference (not downloaded)');
select is((select parsed #>> '{messages,1,metadata,reply_to}' from meta_parsed), 'wamid.OUT1', 'Meta: a reply names the message it answers');
select is((select parsed -> 'messages' -> 2 ->> 'direction' || '/' || (parsed -> 'messages' -> 2 ->> 'role') || '/' || (parsed -> 'messages' -> 2 ->> 'contact_phone') from meta_parsed),
  'out/human/5511987654321', 'Meta: an echo of a message sent from the phone is human and outgoing, to the contact');
select is((select jsonb_path_query_array(parsed -> 'statuses', '$[*].status') from meta_parsed), '["read", "failed"]'::jsonb,
  'Meta: statuses are read in order');
select is((select parsed #> '{statuses,1,error}' from meta_parsed), '{"code": 131047, "title": "Re-engagement message"}'::jsonb,
  'Meta: a failed status carries the provider''s error');
select is((select parsed #>> '{statuses,0,status_at}' from meta_parsed)::timestamptz, to_timestamp(1700000002), 'Meta: a status carries its time');
select is((select jsonb_path_query_array(parsed -> 'skipped', '$[*].reason') from meta_parsed),
  '["unknown_status", "other_phone_number", "unknown_field"]'::jsonb,
  'Meta: an unknown status, another number of the same app and other fields are skipped');

create temporary table meta_types as select jsonb_build_object(
  'object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object('changes', jsonb_build_array(jsonb_build_object(
    'field', 'messages', 'value', jsonb_build_object('metadata', jsonb_build_object('phone_number_id', '111'), 'messages', jsonb_build_array(
      '{"from": "55", "id": "1", "type": "audio", "audio": {"id": "M", "mime_type": "audio/ogg", "voice": true}}'::jsonb,
      '{"from": "55", "id": "2", "type": "video", "video": {"id": "M"}}'::jsonb,
      '{"from": "55", "id": "3", "type": "document", "document": {"id": "M", "filename": "a.pdf"}}'::jsonb,
      '{"from": "55", "id": "4", "type": "sticker", "sticker": {"id": "M"}}'::jsonb,
      '{"from": "55", "id": "5", "type": "location", "location": {"latitude": -23.5, "longitude": -46.6, "name": "Paulista"}}'::jsonb,
      '{"from": "55", "id": "6", "type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "👍"}}'::jsonb,
      '{"from": "55", "id": "7", "type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Sim"}}}'::jsonb,
      '{"from": "55", "id": "8", "type": "button", "button": {"text": "Quero", "payload": "P"}}'::jsonb,
      '{"from": "55", "id": "9", "type": "unsupported", "errors": [{"code": 131051}]}'::jsonb))))))) as payload;
select is((select string_agg(m ->> 'type', ',') from meta_types, jsonb_array_elements(private.parse_meta_webhook(payload, '111') -> 'messages') m),
  'audio,video,document,image,location,reaction,interactive,interactive,unknown', 'Meta: every message type maps to ours');

select is(private.parse_meta_webhook('{"object": "page", "entry": []}', '111') -> 'skipped', '[{"reason": "unknown_shape"}]',
  'Meta: another object is an unknown shape');
select is(private.parse_meta_webhook('{"object": "whatsapp_business_account", "entry": "nope"}', '111'),
  '{"messages": [], "statuses": [], "skipped": []}', 'Meta: entries that are not a list are nothing, not an error');
select is(private.parse_meta_webhook('{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "111"}, "messages": [{"type": "text"}]}}]}]}', '111') -> 'skipped',
  '[{"reason": "unknown_shape"}]', 'Meta: a message without id or sender is skipped');

-- ─── Z-API ───────────────────────────────────────────────────────────────────────────────────
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "instanceId": "I", "messageId": "Z1", "phone": "5511987654321", "fromMe": false,
    "momment": 1700000000000, "status": "RECEIVED", "senderName": "Ana", "chatName": "Ana S", "isGroup": false, "text": {"message": "Oi"}}') -> 'messages',
  jsonb_build_array(jsonb_build_object('contact_phone', '5511987654321', 'contact_name', 'Ana', 'direction', 'in', 'role', 'user', 'type', 'text',
    'body', 'Oi', 'media', null, 'provider_message_id', 'Z1', 'sent_at', to_timestamp(1700000000), 'metadata', '{"provider_type": "text"}'::jsonb)),
  'Z-API: a received text, its time in milliseconds');
select is((private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z2", "phone": "5511987654321", "fromMe": true, "senderName": "Our company",
    "momment": 1700000000000, "text": {"message": "sent from the phone"}}') #> '{messages,0}') - 'body' - 'sent_at' - 'metadata' - 'media' - 'type' - 'provider_message_id',
  '{"contact_phone": "5511987654321", "contact_name": null, "direction": "out", "role": "human"}',
  'Z-API: fromMe is a human outgoing message, without our own name as the contact''s');
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z3", "phone": "120363-group", "isGroup": true, "text": {"message": "hi all"}}'),
  '{"messages": [], "statuses": [], "skipped": [{"reason": "group"}]}', 'Z-API: a group message is skipped');
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z4", "phone": "5511987654321",
    "image": {"imageUrl": "https://f.example/i.jpg", "mimeType": "image/jpeg", "caption": "foto"}}') #> '{messages,0}' -> 'media',
  '{"url": "https://f.example/i.jpg", "mime_type": "image/jpeg", "caption": "foto"}', 'Z-API: an image as a media reference');
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z5", "phone": "5511987654321",
    "reaction": {"value": "❤️", "referencedMessage": {"messageId": "Z1"}}}') #>> '{messages,0,metadata,reacted_message_id}',
  'Z1', 'Z-API: a reaction names the message it reacts to');
select is(private.parse_zapi_webhook('{"type": "MessageStatusCallback", "status": "READ", "ids": ["Z1", "Z2"], "momment": 1700000000000, "phone": "5511987654321"}') -> 'statuses',
  jsonb_build_array(
    jsonb_build_object('provider_message_id', 'Z1', 'status', 'read', 'status_at', to_timestamp(1700000000), 'error', null),
    jsonb_build_object('provider_message_id', 'Z2', 'status', 'read', 'status_at', to_timestamp(1700000000), 'error', null)),
  'Z-API: one status callback for several ids');
select is(private.parse_zapi_webhook('{"type": "MessageStatusCallback", "status": "RECEIVED", "ids": ["Z1"]}') #>> '{statuses,0,status}',
  'delivered', 'Z-API: RECEIVED means delivered');
select is(private.parse_zapi_webhook('{"type": "MessageStatusCallback", "status": "READ_BY_ME", "ids": ["Z1"]}') #>> '{skipped,0,reason}',
  'unknown_status', 'Z-API: our own read receipt is skipped');
select is(private.parse_zapi_webhook('{"type": "PresenceChatCallback", "phone": "5511987654321", "status": "COMPOSING"}') #>> '{skipped,0,reason}',
  'unknown_shape', 'Z-API: presence notices are skipped');

-- ─── Evolution ───────────────────────────────────────────────────────────────────────────────
select is(private.parse_evolution_webhook('{"event": "messages.upsert", "instance": "sales", "data": {"key": {"remoteJid": "5511987654321@s.whatsapp.net",
    "fromMe": false, "id": "E1"}, "pushName": "Ana", "message": {"conversation": "Oi"}, "messageType": "conversation", "messageTimestamp": 1700000000}}') -> 'messages',
  jsonb_build_array(jsonb_build_object('contact_phone', '5511987654321', 'contact_name', 'Ana', 'direction', 'in', 'role', 'user', 'type', 'text',
    'body', 'Oi', 'media', null, 'provider_message_id', 'E1', 'sent_at', to_timestamp(1700000000), 'metadata', '{"provider_type": "conversation"}'::jsonb)),
  'Evolution: a received text, the phone taken from the WhatsApp id');
select is((private.parse_evolution_webhook('{"event": "MESSAGES_UPSERT", "data": {"key": {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": true, "id": "E2"},
    "pushName": "Our company", "message": {"extendedTextMessage": {"text": "from the phone"}}, "messageType": "extendedTextMessage"}}') #> '{messages,0}') - 'sent_at' - 'metadata' - 'media' - 'type' - 'provider_message_id',
  '{"contact_phone": "5511987654321", "contact_name": null, "direction": "out", "role": "human", "body": "from the phone"}',
  'Evolution: fromMe (event named by webhook-by-events) is a human outgoing message');
select is(private.parse_evolution_webhook('{"event": "messages.upsert", "data": {"key": {"remoteJid": "120363025246125486@g.us", "fromMe": false, "id": "E3", "participant": "5511987654321@s.whatsapp.net"},
    "message": {"conversation": "hi all"}, "messageType": "conversation"}}'),
  '{"messages": [], "statuses": [], "skipped": [{"reason": "group"}]}', 'Evolution: a group message is skipped');
select is(private.parse_evolution_webhook('{"event": "messages.upsert", "data": {"key": {"remoteJid": "123456789@lid", "remoteJidAlt": "5511987654321@s.whatsapp.net", "fromMe": false, "id": "E4"},
    "message": {"conversation": "hidden number"}, "messageType": "conversation"}}') #>> '{messages,0,contact_phone}',
  '5511987654321', 'Evolution: a hidden-number id (@lid) is read through its alternative id');
select is(private.parse_evolution_webhook('{"event": "messages.upsert", "data": {"key": {"remoteJid": "5511987654321@s.whatsapp.net", "id": "E5"},
    "message": {"documentMessage": {"url": "https://mmg.example/d", "mimetype": "application/pdf", "fileName": "boleto.pdf", "fileSha256": "xyz"}}, "messageType": "documentMessage"}}') #> '{messages,0}',
  jsonb_build_object('contact_phone', '5511987654321', 'contact_name', null, 'direction', 'in', 'role', 'user', 'type', 'document', 'body', null,
    'media', '{"url": "https://mmg.example/d", "mime_type": "application/pdf", "file_name": "boleto.pdf", "sha256": "xyz"}'::jsonb,
    'provider_message_id', 'E5', 'sent_at', null, 'metadata', '{"provider_type": "documentMessage"}'::jsonb),
  'Evolution: a document as a media reference');
select is(private.parse_evolution_webhook('{"event": "messages.update", "data": {"keyId": "E9", "remoteJid": "5511987654321@s.whatsapp.net", "fromMe": true, "status": "DELIVERY_ACK"}}') -> 'statuses',
  '[{"provider_message_id": "E9", "status": "delivered", "status_at": null, "error": null}]',
  'Evolution: a status update by name');
select is(private.parse_evolution_webhook('{"event": "messages.update", "data": [{"key": {"id": "E9", "remoteJid": "5511987654321@s.whatsapp.net"}, "update": {"status": 4}}]}') #>> '{statuses,0,status}',
  'read', 'Evolution: a status update by number (older versions), in a list');
select is(private.parse_evolution_webhook('{"event": "connection.update", "data": {"state": "open"}}') #>> '{skipped,0,reason}',
  'unknown_event', 'Evolution: other events are skipped');

-- ─── any body ────────────────────────────────────────────────────────────────────────────────
select is(private.parse_webhook_body('zapi', 'not json at all'), '{"messages": [], "statuses": [], "skipped": [{"reason": "not_json"}]}',
  'a body that is not JSON is skipped whole');
select is(private.parse_webhook_body('evolution', '[1, 2, 3]') #>> '{skipped,0,reason}', 'unknown_shape', 'a JSON list is an unknown shape');
select lives_ok($$ select private.parse_webhook_body(p, b) from unnest(enum_range(null::public.inbox_provider)) p,
  unnest(array['null', '"text"', '{}', '{"entry": [null, 1, "x", {"changes": [null, {"value": 3}]}]}', '{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"messages": {"a": 1}, "statuses": [1, null]}}]}]}',
               '{"type": "ReceivedCallback", "image": "x", "phone": 5, "messageId": []}', '{"event": "messages.upsert", "data": {"key": 1, "message": [1]}}',
               '{"event": "messages.update", "data": [null, 1, {"status": {}}]}']) b $$,
  'no payload shape makes a parser raise');

select * from finish();
rollback;
