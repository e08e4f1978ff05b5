-- A person sends templates that need a header value, header media or button values. Until now
-- (20261122004330) a send carried the body's numbered values only, so any template needing more was
-- refused. The common ones now take their values from the person:
--   a text header with one {{1}}            header {"text": "..."}                  (1 to 60 characters)
--   an IMAGE, VIDEO or DOCUMENT header      header {"link": "https://...", "filename"?: "..."}  (filename: documents only)
--   a URL button whose link ends in {{1}}   buttons [{"index": n, "value": "<the link's end>"}]
--   a COPY_CODE button                      buttons [{"index": n, "value": "<the code>"}]   (1 to 15 characters)
-- and go to Meta in metadata.template (header, buttons) as the outbound worker reads it. What the
-- person cannot give stays unsendable: named variables, a location header, one-time-password,
-- catalogue and multi-product buttons, carousels and limited-time offers
-- (message_templates.parameters_unsendable). Automatic sends have nobody to give values, so the
-- window template and interview invitations still take only templates that need nothing beyond
-- their body (parameters_beyond_body empty, as before).
--
-- Who may do what: as 20261122004330 (the new columns are read with the row).

-- ─── functions the table needs ────────────────────────────────────────────────────────────────
/*
 * The values a person gives when sending a template with these components, besides the body's:
 * {"header": null | {"format": "text", "text": <the header with its {{1}}>} | {"format": "image" | "video" | "document"},
 *  "buttons": [{"index": <position among the template's buttons>, "type": "url", "text", "url"} | {"index", "type": "copy_code"}]}.
 * Only what Renum sends is listed (see template_parameters_unsendable for the rest).
 */
create or replace function private.template_values_to_give(components jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  with component as (
    select c.value as c, pg_catalog.upper(coalesce(c.value ->> 'type', '')) as kind
    from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(components) = 'array' then components else '[]'::jsonb end) as c
  ),
  header as (
    select case
             when pg_catalog.upper(coalesce(c ->> 'format', '')) in ('IMAGE', 'VIDEO', 'DOCUMENT')
               then pg_catalog.jsonb_build_object('format', pg_catalog.lower(c ->> 'format'))
             when pg_catalog.upper(coalesce(c ->> 'format', 'TEXT')) = 'TEXT' and coalesce(c ->> 'text', '') ~ '\{\{\s*1\s*\}\}'
               then pg_catalog.jsonb_build_object('format', 'text', 'text', c ->> 'text')
           end as value
    from component where kind = 'HEADER' limit 1
  ),
  button as (
    select b.ordinality - 1 as index, b.value as b, pg_catalog.upper(coalesce(b.value ->> 'type', '')) as kind
    from component,
         pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(c -> 'buttons') = 'array' then c -> 'buttons' else '[]'::jsonb end)
           with ordinality as b(value, ordinality)
    where component.kind = 'BUTTONS'
  )
  select pg_catalog.jsonb_build_object(
    'header', (select value from header),
    'buttons', coalesce((
      select pg_catalog.jsonb_agg(case when kind = 'URL'
                                       then pg_catalog.jsonb_build_object('index', index, 'type', 'url', 'text', b ->> 'text', 'url', b ->> 'url')
                                       else pg_catalog.jsonb_build_object('index', index, 'type', 'copy_code') end order by index)
      from button
      where (kind = 'URL' and coalesce(b ->> 'url', '') ~ '^[^{}]*\{\{\s*1\s*\}\}\s*$') or kind = 'COPY_CODE'), '[]'::jsonb));
$$;

/*
 * What of template_parameters_beyond_body (same names) a person cannot give, so Renum cannot send
 * the template: all of it but header media, a code to copy, and a header or URL button whose only
 * variable is {{1}} (at the link's end). Self-contained: a generated column's function runs with
 * the writer's rights, who may not reach other private functions.
 */
create or replace function private.template_parameters_unsendable(components jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  with component as (
    select c.value as c, pg_catalog.upper(coalesce(c.value ->> 'type', '')) as kind
    from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(components) = 'array' then components else '[]'::jsonb end) as c
  ),
  need as (
    select case
             when pg_catalog.upper(coalesce(c ->> 'format', '')) in ('IMAGE', 'VIDEO', 'DOCUMENT') then null
             when pg_catalog.upper(coalesce(c ->> 'format', '')) = 'LOCATION' then 'header_location'
             when pg_catalog.regexp_replace(coalesce(c ->> 'text', ''), '\{\{\s*1\s*\}\}', '', 'g') ~ '\{\{[^{}]+\}\}' then 'header_text'
           end as what
    from component where kind = 'HEADER'
    union all
    select 'body_named_parameters' from component
    where kind = 'BODY' and coalesce(c ->> 'text', '') ~ '\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}'
    union all
    select case
             when pg_catalog.upper(coalesce(b.value ->> 'type', '')) = 'URL' and coalesce(b.value ->> 'url', '') ~ '\{\{[^{}]+\}\}'
                  and coalesce(b.value ->> 'url', '') !~ '^[^{}]*\{\{\s*1\s*\}\}\s*$' then 'button_url'
             when pg_catalog.upper(coalesce(b.value ->> 'type', '')) in ('OTP', 'CATALOG', 'MPM') then 'button_' || pg_catalog.lower(b.value ->> 'type')
           end
    from component,
         pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(c -> 'buttons') = 'array' then c -> 'buttons' else '[]'::jsonb end) as b
    where kind = 'BUTTONS'
    union all
    select pg_catalog.lower(kind) from component where kind in ('CAROUSEL', 'LIMITED_TIME_OFFER')
  )
  select coalesce(array_agg(distinct what order by what), '{}') from need where what is not null;
$$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
alter table public.message_templates
  add column values_to_give jsonb not null generated always as (private.template_values_to_give(components)) stored,
  add column parameters_unsendable text[] not null generated always as (private.template_parameters_unsendable(components)) stored;
comment on column public.message_templates.values_to_give is
  'What a person gives when sending it besides the body''s values: {header: null | {format, text?}, buttons: [{index, type: url | copy_code, ...}]}.';
comment on column public.message_templates.parameters_unsendable is
  'What a send would need that Renum cannot give (named variables, carousel, ...); empty: a person can send it.';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * As 20261122004330, for the sends nobody gives values to (the window template, invitations):
 * template_needs_more_parameters {needs} when the template needs anything beyond its body's values.
 */
create or replace function private.assert_template_sendable(template public.message_templates)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if cardinality(template.parameters_beyond_body) > 0 then
    raise exception using errcode = 'P0001', constraint = 'template_needs_more_parameters',
      message = 'this template needs values in its header, buttons or named variables, which an automatic send has nobody to give; choose a template whose only variables are the body''s {{1}}, {{2}} ...',
      detail = pg_catalog.jsonb_build_object('needs', template.parameters_beyond_body)::text;
  end if;
end;
$$;

/*
 * A person's send: template_needs_more_parameters {needs} when the template needs values Renum
 * cannot send whoever gives them (named variables, a carousel, ...).
 */
create or replace function private.assert_template_sendable_by_person(template public.message_templates)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if cardinality(template.parameters_unsendable) > 0 then
    raise exception using errcode = 'P0001', constraint = 'template_needs_more_parameters',
      message = 'this template needs values Renum does not send (named variables, a location, a carousel, ...); choose another template',
      detail = pg_catalog.jsonb_build_object('needs', template.parameters_unsendable)::text;
  end if;
end;
$$;

/*
 * The header a person gave for `template`, checked, as stored in metadata.template.header
 * ({format: text, text} | {format: image | video, link} | {format: document, link, filename?}), or
 * null when the template takes none. Raises template_header_missing, template_header_not_expected,
 * template_header_invalid {format} or template_header_link_invalid.
 */
create or replace function private.checked_template_header(template public.message_templates, header jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  expected text := template.values_to_give -> 'header' ->> 'format';
  given jsonb := case when header is null or header = 'null'::jsonb then null else header end;
  text_value text;
  link text;
  filename text;
begin
  if expected is null then
    if given is not null then
      raise exception using errcode = 'P0001', constraint = 'template_header_not_expected',
        message = 'this template''s header takes no value';
    end if;
    return null;
  end if;
  if given is null then
    raise exception using errcode = 'P0001', constraint = 'template_header_missing',
      message = case when expected = 'text' then 'this template''s header needs its value' else 'this template''s header needs the link to its ' || expected end,
      detail = pg_catalog.jsonb_build_object('format', expected)::text;
  end if;
  if expected = 'text' then
    text_value := case when pg_catalog.jsonb_typeof(given -> 'text') = 'string' then given ->> 'text' end;
    if pg_catalog.jsonb_typeof(given) <> 'object' or given - 'text' <> '{}'::jsonb or text_value is null
       or btrim(text_value) = '' or char_length(text_value) > 60 or text_value ~ '[\n\t]' then
      raise exception using errcode = 'P0001', constraint = 'template_header_invalid',
        message = 'the header''s value has 1 to 60 characters, without line breaks or tabs',
        detail = pg_catalog.jsonb_build_object('format', expected)::text;
    end if;
    return pg_catalog.jsonb_build_object('format', 'text', 'text', text_value);
  end if;
  link := case when pg_catalog.jsonb_typeof(given -> 'link') = 'string' then given ->> 'link' end;
  filename := case when pg_catalog.jsonb_typeof(given -> 'filename') = 'string' then given ->> 'filename' end;
  if pg_catalog.jsonb_typeof(given) <> 'object' or given - 'link' - 'filename' <> '{}'::jsonb or link is null
     or (given ? 'filename' and (expected <> 'document' or filename is null or btrim(filename) = '' or char_length(filename) > 240 or filename ~ '[\n\t/\\]')) then
    raise exception using errcode = 'P0001', constraint = 'template_header_invalid',
      message = case when expected = 'document' then 'the header needs a link to the document and, if you like, its file name (up to 240 characters)'
                     else 'the header needs a link to the ' || expected || ' (and no file name)' end,
      detail = pg_catalog.jsonb_build_object('format', expected)::text;
  end if;
  -- Meta downloads the media itself: a public https address, no spaces, no credentials in it.
  if char_length(link) > 2048 or link !~ '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$' then
    raise exception using errcode = 'P0001', constraint = 'template_header_link_invalid',
      message = 'the header''s link must be a public https:// address (up to 2048 characters, no spaces)',
      detail = pg_catalog.jsonb_build_object('format', expected)::text;
  end if;
  return pg_catalog.jsonb_build_object('format', expected, 'link', link)
    || case when filename is not null then pg_catalog.jsonb_build_object('filename', filename) else '{}'::jsonb end;
end;
$$;

/*
 * The button values a person gave for `template` ([{index, value}], one for each button that takes
 * one), checked and sorted, as stored in metadata.template.buttons: [{index, type: url | copy_code,
 * value}]. Raises template_buttons_mismatch {expected, given} or template_button_invalid {index}.
 */
create or replace function private.checked_template_buttons(template public.message_templates, buttons jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  given jsonb := case when buttons is null or buttons = 'null'::jsonb then '[]'::jsonb else buttons end;
  expected_indexes jsonb := (select coalesce(pg_catalog.jsonb_agg(b.value -> 'index' order by (b.value ->> 'index')::integer), '[]'::jsonb)
                             from pg_catalog.jsonb_array_elements(template.values_to_give -> 'buttons') as b);
  given_indexes jsonb;
  bad_index integer;
begin
  if pg_catalog.jsonb_typeof(given) <> 'array'
     or exists (select from pg_catalog.jsonb_array_elements(given) as b
                where pg_catalog.jsonb_typeof(b.value) <> 'object' or b.value - 'index' - 'value' <> '{}'::jsonb
                  or pg_catalog.jsonb_typeof(b.value -> 'index') <> 'number' or pg_catalog.jsonb_typeof(b.value -> 'value') <> 'string') then
    raise exception using errcode = 'P0001', constraint = 'template_buttons_mismatch',
      message = 'button values are a list of {index, value}',
      detail = pg_catalog.jsonb_build_object('expected', expected_indexes, 'given', null)::text;
  end if;
  given_indexes := (select coalesce(pg_catalog.jsonb_agg(b.value -> 'index' order by (b.value ->> 'index')::numeric), '[]'::jsonb)
                    from pg_catalog.jsonb_array_elements(given) as b);
  if given_indexes <> expected_indexes then
    raise exception using errcode = 'P0001', constraint = 'template_buttons_mismatch',
      message = 'give one value for each button that takes one, by its index',
      detail = pg_catalog.jsonb_build_object('expected', expected_indexes, 'given', given_indexes)::text;
  end if;
  -- A link's end up to 2000 characters without spaces; a code to copy of 1 to 15 (Meta's limits).
  select (e.value ->> 'index')::integer into bad_index
  from pg_catalog.jsonb_array_elements(given) as b
  join pg_catalog.jsonb_array_elements(template.values_to_give -> 'buttons') as e on e.value -> 'index' = b.value -> 'index'
  where btrim(b.value ->> 'value') = '' or b.value ->> 'value' ~ '\s'
     or char_length(b.value ->> 'value') > case when e.value ->> 'type' = 'copy_code' then 15 else 2000 end
  order by 1 limit 1;
  if bad_index is not null then
    raise exception using errcode = 'P0001', constraint = 'template_button_invalid',
      message = 'a link''s end has 1 to 2000 characters and a code to copy 1 to 15, without spaces',
      detail = pg_catalog.jsonb_build_object('index', bad_index)::text;
  end if;
  return (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('index', (e.value ->> 'index')::integer, 'type', e.value ->> 'type',
                                                                             'value', b.value ->> 'value') order by (e.value ->> 'index')::integer), '[]'::jsonb)
          from pg_catalog.jsonb_array_elements(given) as b
          join pg_catalog.jsonb_array_elements(template.values_to_give -> 'buttons') as e on e.value -> 'index' = b.value -> 'index');
end;
$$;

-- The four-argument form is replaced (its calls still work: the new arguments have defaults).
drop function public.reply_with_template(uuid, text, text, text[]);

/*
 * As 20261122004330, with the header and button values a template takes (see the opening comment):
 * exactly those it needs, checked (private.checked_template_header, checked_template_buttons) and
 * stored in metadata.template as {header, buttons} for the outbound worker. A template needing what
 * Renum cannot send is refused (template_needs_more_parameters {needs}). The stored text is the
 * header's text when it took a value, a line break, and the body.
 */
create function public.reply_with_template(
  target_conversation_id uuid,
  template_name text,
  template_language text,
  parameters text[] default '{}',
  header jsonb default null,
  buttons jsonb default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
  template public.message_templates;
  caller uuid := auth.uid();
  given text[] := coalesce(parameters, '{}');
  bad_index integer;
  checked_header jsonb;
  checked_buttons jsonb;
  rendered text;
  message_id uuid;
begin
  select * into conversation from public.conversations c where c.id = target_conversation_id;
  if conversation.id is null or caller is null or not private.is_member(conversation.tenant_id) then
    raise exception using errcode = 'P0002', constraint = 'conversation_not_found', message = 'conversation not found',
      detail = pg_catalog.jsonb_build_object('conversation_id', target_conversation_id)::text;
  end if;
  if not private.has_capability(conversation.tenant_id, 'handle_conversations') then
    raise exception using errcode = '42501', constraint = 'conversations_reply_by_handlers',
      message = 'only people who handle conversations can reply in them (analysts read them)';
  end if;
  perform private.assert_tenant_writable(conversation.tenant_id);
  if not exists (select from public.inboxes i where i.id = conversation.inbox_id and i.provider = 'meta_cloud') then
    raise exception using errcode = 'P0001', constraint = 'inbox_not_meta',
      message = 'only Meta Cloud API numbers send message templates; this number sends free text at any time';
  end if;
  select * into template from public.message_templates t
  where t.inbox_id = conversation.inbox_id and t.name = template_name and t.language = template_language;
  if template.id is null then
    raise exception using errcode = 'P0001', constraint = 'template_not_found',
      message = 'this number has no template with that name and language (sync the templates from Meta)',
      detail = pg_catalog.jsonb_build_object('name', template_name, 'language', template_language)::text;
  end if;
  if template.status <> 'approved' then
    raise exception using errcode = 'P0001', constraint = 'template_not_approved',
      message = 'only templates Meta approved can be sent', detail = pg_catalog.jsonb_build_object('status', template.status)::text;
  end if;
  perform private.assert_template_sendable_by_person(template);
  if cardinality(given) <> template.body_parameter_count then
    raise exception using errcode = 'P0001', constraint = 'template_parameter_count_mismatch',
      message = 'the template takes a different number of parameters',
      detail = pg_catalog.jsonb_build_object('expected', template.body_parameter_count, 'given', cardinality(given))::text;
  end if;
  select p.n into bad_index from unnest(given) with ordinality as p(value, n)
  where p.value is null or btrim(p.value) = '' or char_length(p.value) > 1024 or p.value ~ '[\n\t]'
  order by p.n limit 1;
  if bad_index is not null then
    raise exception using errcode = '22023', constraint = 'template_parameter_invalid',
      message = 'each parameter has 1 to 1024 characters, without line breaks or tabs',
      detail = pg_catalog.jsonb_build_object('index', bad_index - 1)::text;
  end if;
  checked_header := private.checked_template_header(template, header);
  checked_buttons := private.checked_template_buttons(template, buttons);

  update public.conversations c set assignee = 'member', assignee_user_id = caller
  where c.id = conversation.id and c.status <> 'closed' and (c.assignee <> 'member' or c.assignee_user_id is distinct from caller);
  rendered := btrim(private.render_template_body(template.body_text, given));
  if checked_header ->> 'format' = 'text' then
    rendered := btrim(private.render_template_body(template.values_to_give -> 'header' ->> 'text', array[checked_header ->> 'text'])
                      || case when rendered <> '' then E'\n' || rendered else '' end);
  end if;
  rendered := coalesce(nullif(rendered, ''), '[' || template.name || ']');
  message_id := private.queue_outbound_message(conversation.id, 'human', rendered, caller);
  -- Same transaction as the append: the delivery claimed after the commit reads the template.
  update public.messages m
  set metadata = m.metadata || pg_catalog.jsonb_build_object('template', pg_catalog.jsonb_build_object(
        'name', template.name, 'language', template.language, 'category', template.category, 'parameters', pg_catalog.to_jsonb(given))
        || case when checked_header is not null then pg_catalog.jsonb_build_object('header', checked_header) else '{}'::jsonb end
        || case when checked_buttons <> '[]'::jsonb then pg_catalog.jsonb_build_object('buttons', checked_buttons) else '{}'::jsonb end)
  where m.id = message_id and m.conversation_id = conversation.id;
  return message_id;
end;
$$;
comment on function public.reply_with_template(uuid, text, text, text[], jsonb, jsonb) is
  'handle_conversations: sends an approved message template of the conversation''s Meta inbox with its body parameters and, '
  'when it takes them, its header value ({text} or {link, filename?}) and button values ([{index, value}]), delivered like every '
  'reply and allowed outside the 24-hour window; the caller takes the conversation. Returns the message id.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.template_values_to_give(jsonb) from public, anon;
revoke all on function private.template_parameters_unsendable(jsonb) from public, anon;
revoke all on function private.assert_template_sendable_by_person(public.message_templates) from public, anon;
revoke all on function private.checked_template_header(public.message_templates, jsonb) from public, anon;
revoke all on function private.checked_template_buttons(public.message_templates, jsonb) from public, anon;
revoke all on function public.reply_with_template(uuid, text, text, text[], jsonb, jsonb) from public, anon;
grant execute on function private.template_values_to_give(jsonb) to authenticated, service_role;
grant execute on function private.template_parameters_unsendable(jsonb) to authenticated, service_role;
grant execute on function private.assert_template_sendable_by_person(public.message_templates) to authenticated, service_role;
grant execute on function private.checked_template_header(public.message_templates, jsonb) to authenticated, service_role;
grant execute on function private.checked_template_buttons(public.message_templates, jsonb) to authenticated, service_role;
grant execute on function public.reply_with_template(uuid, text, text, text[], jsonb, jsonb) to authenticated;
