-- Which message templates Renum can send. A send carries values for the body's {{1}}, {{2}} ... only;
-- Meta refuses the send (error 132000, parameter count mismatch) of a template that also needs
-- values elsewhere: a header with a variable, an image, video, document or location; a URL button
-- with a variable; a copy-code, one-time-password, catalogue or multi-product button; a carousel;
-- a limited-time offer; or a body whose variables are named ({{first_name}}) rather than numbered.
-- Such a template was offered and chosen like any other, and failed only at Meta, after the person
-- (or the project's invitation) had gone on. Now each template says what it needs beyond the body
-- (message_templates.parameters_beyond_body, computed from the components as Meta listed them), and
-- one that needs anything is not sendable: the person's send, the window template and the
-- interview invitations and reminders refuse it with a code, and the app does not offer it.
--
-- Who may do what: as 20261122004300 (the new column is read with the row).

-- ─── functions the table needs ────────────────────────────────────────────────────────────────
/*
 * What a send of a template with these components (Meta's list: HEADER, BODY, FOOTER, BUTTONS,
 * CAROUSEL, LIMITED_TIME_OFFER) would have to carry besides the body's numbered values, sorted:
 * header_text, header_media, header_location, body_named_parameters, button_url, button_copy_code,
 * button_otp, button_catalog, button_mpm, carousel, limited_time_offer. Empty: the body's values
 * are all it takes. Quick-reply, phone, static URL, flow and voice-call buttons need nothing.
 */
create or replace function private.template_parameters_beyond_body(components jsonb)
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
             when pg_catalog.upper(coalesce(c ->> 'format', '')) in ('IMAGE', 'VIDEO', 'DOCUMENT') then 'header_media'
             when pg_catalog.upper(coalesce(c ->> 'format', '')) = 'LOCATION' then 'header_location'
             when coalesce(c ->> 'text', '') ~ '\{\{[^{}]+\}\}' then 'header_text'
           end as what
    from component where kind = 'HEADER'
    union all
    select 'body_named_parameters' from component
    where kind = 'BODY' and coalesce(c ->> 'text', '') ~ '\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}'
    union all
    select case
             when pg_catalog.upper(coalesce(b.value ->> 'type', '')) = 'URL' and coalesce(b.value ->> 'url', '') ~ '\{\{[^{}]+\}\}' then 'button_url'
             when pg_catalog.upper(coalesce(b.value ->> 'type', '')) in ('COPY_CODE', 'OTP', 'CATALOG', 'MPM')
               then 'button_' || pg_catalog.lower(b.value ->> 'type')
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
  add column parameters_beyond_body text[] not null generated always as (private.template_parameters_beyond_body(components)) stored;
comment on column public.message_templates.parameters_beyond_body is
  'What a send would need besides the body''s numbered values (header_media, button_url, ...); empty: Renum can send it.';

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Raises template_needs_more_parameters {needs} when a send of `template` would need values Renum
 * does not send (see the opening comment).
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
      message = 'this template needs values in its header, buttons or named variables, which Renum does not send; choose a template whose only variables are the body''s {{1}}, {{2}} ...',
      detail = pg_catalog.jsonb_build_object('needs', template.parameters_beyond_body)::text;
  end if;
end;
$$;

-- As 20261122004320, and a template that needs more than its body's values is not usable.
create or replace function private.usable_interview_template(target_inbox_id uuid, template jsonb, parameter_count integer)
returns uuid
language sql
stable
set search_path = ''
as $$
  select t.id from public.message_templates t
  where t.inbox_id = target_inbox_id and t.name = template ->> 'name' and t.language = template ->> 'language'
    and t.status = 'approved' and t.body_parameter_count = parameter_count and cardinality(t.parameters_beyond_body) = 0;
$$;

/*
 * As 20261122004310, and a template that needs values beyond its body's is refused
 * (template_needs_more_parameters {needs}) before anything is written.
 */
create or replace function public.reply_with_template(
  target_conversation_id uuid,
  template_name text,
  template_language text,
  parameters text[] default '{}'
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
  perform private.assert_template_sendable(template);
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

  update public.conversations c set assignee = 'member', assignee_user_id = caller
  where c.id = conversation.id and c.status <> 'closed' and (c.assignee <> 'member' or c.assignee_user_id is distinct from caller);
  rendered := coalesce(nullif(btrim(private.render_template_body(template.body_text, given)), ''), '[' || template.name || ']');
  message_id := private.queue_outbound_message(conversation.id, 'human', rendered, caller);
  -- Same transaction as the append: the delivery claimed after the commit reads the template.
  update public.messages m
  set metadata = m.metadata || pg_catalog.jsonb_build_object('template', pg_catalog.jsonb_build_object(
        'name', template.name, 'language', template.language, 'category', template.category, 'parameters', pg_catalog.to_jsonb(given)))
  where m.id = message_id and m.conversation_id = conversation.id;
  return message_id;
end;
$$;
comment on function public.reply_with_template(uuid, text, text, text[]) is
  'handle_conversations: sends an approved message template of the conversation''s Meta inbox with its parameters, delivered '
  'like every reply and allowed outside the 24-hour window; the caller takes the conversation. Returns the message id.';

/*
 * The window template (inboxes.window_template) is chosen through public.set_inbox_window_template,
 * which checks that it exists, is approved and has no variable or one; this trigger adds that it
 * needs nothing beyond its body, whichever way the column is set.
 */
create or replace function private.guard_window_template_sendable()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  template public.message_templates;
begin
  if new.window_template is null or new.window_template is not distinct from old.window_template then
    return new;
  end if;
  select * into template from public.message_templates t
  where t.inbox_id = new.id and t.name = new.window_template ->> 'name' and t.language = new.window_template ->> 'language';
  if template.id is not null then
    perform private.assert_template_sendable(template);
  end if;
  return new;
end;
$$;

/*
 * A sync that brings the window template back changed so that it needs more than its body (Meta
 * lets an approved template be edited) clears the inbox's choice: text outside the window then
 * fails as outside_customer_window, which the app explains, instead of every send failing at Meta.
 */
create or replace function private.release_unsendable_window_template()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.inboxes i
  set window_template = null, updated_at = now()
  where i.id = new.inbox_id and i.window_template ->> 'name' = new.name and i.window_template ->> 'language' = new.language;
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger inboxes_window_template_sendable
  before update of window_template on public.inboxes
  for each row execute function private.guard_window_template_sendable();
create trigger message_templates_release_unsendable_window
  after insert or update of components on public.message_templates
  for each row when (cardinality(new.parameters_beyond_body) > 0)
  execute function private.release_unsendable_window_template();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.template_parameters_beyond_body(jsonb) from public, anon;
revoke all on function private.assert_template_sendable(public.message_templates) from public, anon;
revoke all on function private.guard_window_template_sendable() from public, anon, authenticated;
revoke all on function private.release_unsendable_window_template() from public, anon, authenticated;
grant execute on function private.template_parameters_beyond_body(jsonb) to authenticated, service_role;
grant execute on function private.assert_template_sendable(public.message_templates) to authenticated, service_role;
