-- message templates: the templates a Meta inbox's WhatsApp Business Account has, as Meta last
-- listed them. Meta takes free text only within 24 hours of the contact's last message (the
-- customer service window); outside it a business may only send one of its approved templates,
-- so a person (and later an invitation) starts a conversation with one of these. The rows are a
-- copy of Meta's list: the `api` function reads the list through egress with the inbox's access
-- token and replaces the inbox's rows in one transaction (public.replace_message_templates), so a
-- template deleted at Meta disappears here at the next sync.
--
-- Who may do what:
--   owner, admin             sync (replace) an inbox's templates (manage_inboxes)
--   member, analyst          read them
--   service                  reads them (delivery, invitations)
--
-- Who writes each table:
--   message_templates   public.replace_message_templates (owners and admins), or direct under RLS

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
-- Meta's statuses folded to the five that decide whether a template may be sent: IN_APPEAL is
-- pending; LIMIT_EXCEEDED, PENDING_DELETION, DELETED and ARCHIVED are disabled (see the sync).
create type public.message_template_status as enum ('approved', 'pending', 'rejected', 'paused', 'disabled');

-- ─── functions the table needs ────────────────────────────────────────────────────────────────
-- How many parameters a template body takes: Meta numbers them {{1}}, {{2}}, ... so the highest
-- number is the count (a body "Olá {{1}}, seu pedido {{2}}" takes 2).
create or replace function private.template_body_parameter_count(body text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select coalesce(max((m[1])::integer), 0)
  from pg_catalog.regexp_matches(coalesce(body, ''), '\{\{\s*([0-9]{1,3})\s*\}\}', 'g') as m;
$$;

/*
 * The text the contact reads: the body with each {{n}} replaced by parameters[n] (a parameter's own
 * text is never read as a placeholder). A placeholder without its parameter stays as it is.
 */
create or replace function private.render_template_body(body text, parameters text[])
returns text
language sql
immutable
set search_path = ''
as $$
  with pieces as (
    select p.piece, p.n from unnest(pg_catalog.regexp_split_to_array(body, '\{\{\s*[0-9]{1,3}\s*\}\}')) with ordinality as p(piece, n)
  ),
  holes as (
    select h.n, h.m[1] as raw, (pg_catalog.regexp_replace(h.m[1], '[^0-9]', '', 'g'))::integer as number
    from pg_catalog.regexp_matches(body, '(\{\{\s*[0-9]{1,3}\s*\}\})', 'g') with ordinality as h(m, n)
  )
  select string_agg(pieces.piece || coalesce(coalesce(parameters[holes.number], holes.raw), ''), '' order by pieces.n)
  from pieces left join holes on holes.n = pieces.n;
$$;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.message_templates (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  -- Meta's names: lower-case letters, digits and underscores.
  name text not null constraint message_templates_name_format check (name ~ '^[a-z0-9_]+$' and char_length(name) <= 512),
  -- Meta's language codes: pt_BR, en_US, en, es ...
  language text not null constraint message_templates_language_format check (language ~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$'),
  category text not null constraint message_templates_category_known check (category in ('marketing', 'utility', 'authentication')),
  status public.message_template_status not null,
  -- The BODY component's text with its {{n}} placeholders (null: a template without a body).
  body_text text constraint message_templates_body_text_length check (char_length(body_text) <= 4096),
  body_parameter_count integer not null generated always as (private.template_body_parameter_count(body_text)) stored,
  -- Every component as Meta gave it (header, body, footer, buttons), for what a later send may need.
  components jsonb not null default '[]' constraint message_templates_components_is_array check (jsonb_typeof(components) = 'array')
    constraint message_templates_components_bounded check (private.jsonb_is_bounded(components, 8, 65536)),
  synced_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint message_templates_one_per_inbox_name_language unique (inbox_id, name, language)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index message_templates_tenant_id_idx on public.message_templates (tenant_id);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Templates belong to a Meta inbox of the row's company. Security definer with a reason: it reads
-- the inbox whatever the caller may see, so a foreign or non-Meta inbox is refused, not hidden.
create or replace function private.guard_message_template()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select from public.inboxes i where i.id = new.inbox_id and i.tenant_id = new.tenant_id) then
    raise exception using errcode = '22023', constraint = 'message_template_inbox_not_in_tenant', column = 'inbox_id',
      message = 'the inbox is not one of this company''s inboxes', detail = pg_catalog.jsonb_build_object('field', 'inbox_id')::text;
  end if;
  if not exists (select from public.inboxes i where i.id = new.inbox_id and i.provider = 'meta_cloud') then
    raise exception using errcode = '22023', constraint = 'inbox_not_meta', column = 'inbox_id',
      message = 'only Meta Cloud API numbers have message templates', detail = pg_catalog.jsonb_build_object('field', 'inbox_id')::text;
  end if;
  return new;
end;
$$;

create trigger message_templates_touch_updated_at before update on public.message_templates
  for each row execute function private.touch_updated_at();
create trigger message_templates_guard_immutable before update on public.message_templates
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'inbox_id', 'created_at');
create trigger message_templates_guard before insert or update on public.message_templates
  for each row execute function private.guard_message_template();
create trigger message_templates_guard_writable before insert or update or delete on public.message_templates
  for each row execute function private.guard_tenant_writable();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.message_templates enable row level security;

create policy "members read their tenant's message templates" on public.message_templates
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "inbox managers add their tenant's message templates" on public.message_templates
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'manage_inboxes')));
create policy "inbox managers change their tenant's message templates" on public.message_templates
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'manage_inboxes')))
  with check ((select private.has_capability(tenant_id, 'manage_inboxes')));
create policy "inbox managers delete their tenant's message templates" on public.message_templates
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'manage_inboxes')));

-- ─── the API ──────────────────────────────────────────────────────────────────────────────────
/*
 * Replaces a Meta inbox's templates with `templates` (a JSON array of {name, language, category,
 * status, body_text, components}, as the sync read them from Meta, statuses and categories
 * already lower-case), all at once: the inbox's rows are deleted and the new ones inserted in the
 * caller's transaction, so readers see the old list or the new one, never half. Security invoker:
 * RLS, the guard trigger and the company's writability decide as for a row written by hand.
 * Returns how many templates the inbox has now. Raises inbox_not_found (also another company's),
 * inbox_not_meta, templates_managed_by_inbox_managers, message_templates_too_many (over 5,000),
 * and what the table's checks raise.
 */
create or replace function public.replace_message_templates(target_inbox_id uuid, templates jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  inbox public.inboxes;
  stored integer;
begin
  select * into inbox from public.inboxes i where i.id = target_inbox_id;
  if inbox.id is null then
    raise exception using errcode = 'P0002', constraint = 'inbox_not_found', message = 'inbox not found',
      detail = pg_catalog.jsonb_build_object('inbox_id', target_inbox_id)::text;
  end if;
  if inbox.provider <> 'meta_cloud' then
    raise exception using errcode = 'P0001', constraint = 'inbox_not_meta', message = 'only Meta Cloud API numbers have message templates';
  end if;
  -- Security invoker: `private` is not the caller's to name, public.my_capabilities is.
  if not 'manage_inboxes' = any (public.my_capabilities(inbox.tenant_id)) then
    raise exception using errcode = '42501', constraint = 'templates_managed_by_inbox_managers',
      message = 'only the company''s owners and admins can sync message templates';
  end if;
  if pg_catalog.jsonb_typeof(templates) <> 'array' or pg_catalog.jsonb_array_length(templates) > 5000 then
    raise exception using errcode = '22023', constraint = 'message_templates_too_many',
      message = 'templates are a list of at most 5000', detail = pg_catalog.jsonb_build_object('max', 5000)::text;
  end if;
  delete from public.message_templates t where t.inbox_id = inbox.id;
  insert into public.message_templates (tenant_id, inbox_id, name, language, category, status, body_text, components, synced_at)
  select inbox.tenant_id, inbox.id, t.name, t.language, t.category, t.status, t.body_text, coalesce(t.components, '[]'), now()
  from pg_catalog.jsonb_to_recordset(templates) as t(name text, language text, category text, status public.message_template_status,
                                                    body_text text, components jsonb);
  get diagnostics stored = row_count;
  return stored;
end;
$$;
comment on function public.replace_message_templates(uuid, jsonb) is
  'manage_inboxes: replaces a Meta inbox''s message templates with the list the sync read from Meta, in one transaction; '
  'returns how many it has now.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.message_templates from anon, authenticated;
grant select, delete on public.message_templates to authenticated;
grant insert (tenant_id, inbox_id, name, language, category, status, body_text, components, synced_at)
  on public.message_templates to authenticated;
grant update (category, status, body_text, components, synced_at) on public.message_templates to authenticated;
grant all on public.message_templates to service_role;
revoke all on function private.template_body_parameter_count(text) from public, anon;
revoke all on function private.render_template_body(text, text[]) from public, anon;
revoke all on function private.guard_message_template() from public, anon, authenticated;
revoke all on function public.replace_message_templates(uuid, jsonb) from public, anon;
grant execute on function private.template_body_parameter_count(text) to authenticated, service_role;
grant execute on function private.render_template_body(text, text[]) to authenticated, service_role;
grant execute on function public.replace_message_templates(uuid, jsonb) to authenticated;
