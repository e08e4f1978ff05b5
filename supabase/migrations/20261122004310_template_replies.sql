-- template replies: a person sends one of a Meta inbox's approved message templates in a
-- conversation, at any time. Meta accepts free text only within 24 hours of the contact's last
-- message; a template may start or restart a conversation outside that window. The message is
-- stored as what the contact reads (the template's body with its {{n}} filled) with the template
-- in its metadata ({name, language, parameters, category}), queued like every reply, and the
-- delivery claim hands the template to the outbound function, which sends Meta's template payload
-- instead of text and skips the window check for it. Free text outside the window fails
-- `outside_customer_window` (20261122001610) unless the inbox names a window template
-- (inboxes.window_template, an approved template of it with no variable or one): then the claim
-- hands the message over as that template — its one variable filled with the message's text on one
-- line, at most 1,024 characters — and records it in the message's metadata (template, with
-- `source: window`), so what went out is what the thread shows. A bot's late reply, a notice or a
-- person's text to a contact who has been quiet for a day still reaches them.
--
-- Who may do what:
--   owner, admin             choose the inbox's window template (manage_inboxes)
--   owner, admin, member     send a template in their company's conversations (handle_conversations)
--   analyst                  reads conversations, nothing here
--   service                  claims deliveries (now with their template), as before

-- ─── columns ──────────────────────────────────────────────────────────────────────────────────
alter table public.inboxes
  -- {name, language} of the approved template free text goes as outside Meta's window; null: such text fails.
  add column window_template jsonb
    constraint inboxes_window_template_format check (window_template is null or (
      pg_catalog.jsonb_typeof(window_template) = 'object'
      and window_template ? 'name' and window_template ? 'language' and window_template - 'name' - 'language' = '{}'::jsonb
      and coalesce(window_template ->> 'name', '') ~ '^[a-z0-9_]+$' and char_length(window_template ->> 'name') <= 512
      and coalesce(window_template ->> 'language', '') ~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$')),
  add constraint inboxes_window_template_meta_only check (window_template is null or provider = 'meta_cloud');

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- A message's text as a template variable: Meta takes no line breaks, tabs or runs of spaces
-- there, and at most 1,024 characters.
create or replace function private.template_parameter_text(body text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when char_length(flat) <= 1024 then flat else pg_catalog.left(flat, 1023) || '…' end
  from (select pg_catalog.btrim(pg_catalog.regexp_replace(coalesce(body, ''), '\s+', ' ', 'g')) as flat) f;
$$;

/*
 * An owner or admin names the approved template of a Meta inbox that free text goes as outside the
 * 24-hour window (see the opening comment), or clears it with a null name. The template must have
 * no variable or one (the message's text fills it). Returns the inbox. Raises inbox_not_found (also
 * another company's), templates_managed_by_inbox_managers, inbox_not_meta, template_not_found,
 * template_not_approved, window_template_parameters, and this company is suspended.
 */
create or replace function public.set_inbox_window_template(target_inbox_id uuid, template_name text, template_language text default null)
returns public.inboxes
language plpgsql
security definer
set search_path = ''
as $$
declare
  inbox public.inboxes;
  template public.message_templates;
begin
  select * into inbox from public.inboxes i where i.id = target_inbox_id;
  if inbox.id is null or auth.uid() is null or not private.is_member(inbox.tenant_id) then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  if not private.has_capability(inbox.tenant_id, 'manage_inboxes') then
    raise exception using errcode = '42501', constraint = 'templates_managed_by_inbox_managers',
      message = 'only the company''s owners and admins choose a number''s templates';
  end if;
  perform private.assert_tenant_writable(inbox.tenant_id);
  if inbox.provider <> 'meta_cloud' then
    raise exception using errcode = 'P0001', constraint = 'inbox_not_meta',
      message = 'only Meta Cloud API numbers have a 24-hour window and message templates';
  end if;
  if template_name is not null then
    select * into template from public.message_templates t
    where t.inbox_id = inbox.id and t.name = template_name and t.language = template_language;
    if template.id is null then
      raise exception using errcode = 'P0001', constraint = 'template_not_found',
        message = 'this number has no template with that name and language (sync the templates from Meta)',
        detail = pg_catalog.jsonb_build_object('name', template_name, 'language', template_language)::text;
    end if;
    if template.status <> 'approved' then
      raise exception using errcode = 'P0001', constraint = 'template_not_approved',
        message = 'only templates Meta approved can be sent', detail = pg_catalog.jsonb_build_object('status', template.status)::text;
    end if;
    if template.body_parameter_count > 1 then
      raise exception using errcode = 'P0001', constraint = 'window_template_parameters',
        message = 'the window template takes the message''s text in its one variable, or has none; this one has more',
        detail = pg_catalog.jsonb_build_object('parameters', template.body_parameter_count)::text;
    end if;
  end if;
  update public.inboxes i
  set window_template = case when template_name is null then null
                             else pg_catalog.jsonb_build_object('name', template.name, 'language', template.language) end,
      updated_at = now()
  where i.id = inbox.id
  returning * into inbox;
  return inbox;
end;
$$;
comment on function public.set_inbox_window_template(uuid, text, text) is
  'manage_inboxes: the approved template (no variable or one) free text goes as outside a Meta number''s 24-hour window; '
  'a null name clears it. Returns the inbox.';

/*
 * A member sends one of the conversation's inbox's message templates (public.message_templates,
 * synced from Meta): it must exist for that name and language, be approved, and get exactly as
 * many parameters as its body has placeholders, each 1-1,024 characters without line breaks or
 * tabs (Meta's rules). The message (role human, sent_by the caller, who takes the conversation
 * like a typed reply) holds the rendered text and, in metadata.template, the template. Returns the
 * message id. Raises conversation_not_found (also for another company's),
 * conversations_reply_by_handlers, inbox_not_meta, template_not_found, template_not_approved
 * {status}, template_parameter_count_mismatch {expected, given}, template_parameter_invalid
 * {index}, conversation_closed, and this company is suspended.
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
 * As 20261122001610's claim, and each job carries its message's template (metadata.template:
 * {name, language, category, parameters}, null for text): a template is sent as Meta's template
 * message, which the 24-hour window does not hold back. Text outside the window on an inbox with a
 * usable window template (approved, no variable or one) goes as that template, recorded in the
 * message's metadata in the same statement (see the opening comment).
 */
drop function private.claim_outbound_deliveries(text, integer, integer);
create or replace function private.claim_outbound_deliveries(worker text, max_jobs integer default 20, lease_seconds integer default 60)
returns table (
  delivery_id uuid,
  message_id uuid,
  conversation_id uuid,
  message_index integer,
  attempts integer,
  parts_sent integer,
  body text,
  inbox_id uuid,
  provider public.inbox_provider,
  meta_phone_number_id text,
  zapi_instance_id text,
  evolution_instance_name text,
  evolution_base_url text,
  contact_phone text,
  customer_window_open boolean,
  template jsonb
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'service_role_only', message = 'only the service role claims deliveries';
  end if;
  if worker is null or char_length(worker) not between 1 and 200 or max_jobs not between 1 and 500 or lease_seconds not between 5 and 600 then
    raise exception using errcode = '22023', constraint = 'delivery_claim_invalid',
      message = 'a claim needs a worker id (1-200 characters), 1-500 jobs and a lease of 5-600 s';
  end if;
  perform private.reap_outbound_deliveries();
  return query
  with heads as (
    select distinct on (o.conversation_id) o.id, o.status, o.next_attempt_at
    from private.outbound_deliveries o
    where o.status in ('pending', 'sending')
    order by o.conversation_id, o.message_index
  ),
  claimed as (
    update private.outbound_deliveries d
    set status = 'sending', lease_owner = worker, lease_expires_at = now() + pg_catalog.make_interval(secs => lease_seconds),
        attempts = d.attempts + 1, updated_at = now()
    where d.id in (
      select x.id from private.outbound_deliveries x
      where x.id in (select h.id from heads h where h.status = 'pending' and h.next_attempt_at <= now())
        and x.status = 'pending'
        and exists (select from public.tenants t where t.id = x.tenant_id and t.status = 'active')
      order by x.next_attempt_at
      limit max_jobs
      for update skip locked
    )
    returning d.*
  ),
  jobs as (
    select c.id, c.message_id, c.message_created_at, c.conversation_id, c.message_index, c.attempts, c.parts_sent, m.body,
           i.id as inbox_id, i.provider, i.meta_phone_number_id, i.zapi_instance_id, i.evolution_instance_name, i.evolution_base_url,
           i.window_template, k.phone,
           exists (
             select from public.messages u
             where u.conversation_id = c.conversation_id and u.direction = 'in'
               and u.created_at > now() - interval '24 hours'
               and coalesce(u.sent_at, u.created_at) > now() - interval '24 hours'
           ) as window_open,
           m.metadata -> 'template' as template
    from claimed c
    join public.messages m on m.id = c.message_id and m.created_at = c.message_created_at
    join public.inboxes i on i.id = c.inbox_id
    join public.contacts k on k.id = m.contact_id
  ),
  -- Text outside the window, on an inbox with a usable window template: that template instead.
  fallback as (
    select j.id, pg_catalog.jsonb_build_object('name', t.name, 'language', t.language, 'category', t.category,
             'parameters', case when t.body_parameter_count = 1 then pg_catalog.jsonb_build_array(private.template_parameter_text(j.body))
                                else '[]'::jsonb end,
             'source', 'window') as template
    from jobs j
    join public.message_templates t on t.inbox_id = j.inbox_id and t.name = j.window_template ->> 'name'
      and t.language = j.window_template ->> 'language' and t.status = 'approved' and t.body_parameter_count <= 1
    where j.template is null and not j.window_open and j.provider = 'meta_cloud' and pg_catalog.btrim(j.body) <> ''
  ),
  recorded as (
    update public.messages m set metadata = m.metadata || pg_catalog.jsonb_build_object('template', f.template)
    from fallback f join jobs j on j.id = f.id
    where m.id = j.message_id and m.created_at = j.message_created_at
    returning m.id
  )
  select j.id, j.message_id, j.conversation_id, j.message_index, j.attempts, j.parts_sent, j.body, j.inbox_id, j.provider,
         j.meta_phone_number_id, j.zapi_instance_id, j.evolution_instance_name, j.evolution_base_url, j.phone,
         j.window_open, coalesce(j.template, f.template)
  from jobs j left join fallback f on f.id = j.id
  order by j.conversation_id, j.message_index;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.claim_outbound_deliveries(text, integer, integer) from public, anon, authenticated;
revoke all on function public.reply_with_template(uuid, text, text, text[]) from public, anon;
revoke all on function private.template_parameter_text(text) from public, anon, authenticated;
revoke all on function public.set_inbox_window_template(uuid, text, text) from public, anon;
grant execute on function private.template_parameter_text(text) to service_role;
grant execute on function public.set_inbox_window_template(uuid, text, text) to authenticated;
grant execute on function private.claim_outbound_deliveries(text, integer, integer) to service_role;
grant execute on function public.reply_with_template(uuid, text, text, text[]) to authenticated;
