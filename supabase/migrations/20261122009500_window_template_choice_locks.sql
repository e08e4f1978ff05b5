-- window template choice locks: a choice and a sync of the same template at the same moment.
--
-- Choosing a number's window template (public.set_inbox_window_template, and the guard on
-- inboxes.window_template) read the template without a lock, and a sync
-- (public.replace_message_templates: delete and insert in one transaction) clears a choice whose
-- template comes back needing more (release_unsendable_window_template). Run at the same moment,
-- each missed the other, and the number kept a window template it cannot send:
--   - the sync first: the choice read the old version (sendable, the sync not committed yet), and
--     the sync's clearing had run before there was a choice to clear;
--   - the choice first: the sync's clearing read the inbox before the choice was committed.
-- Both reads now lock the template row `for share`. A sync waits for a choice in progress, and its
-- clearing (a new statement) sees it; a choice waits for a sync in progress and then reads the new
-- version, which the sendability checks refuse. tests/e2e/concurrency-invariants.test.ts races both.

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
    -- Shared lock: a sync cannot replace the template until this choice is committed (its own
    -- trigger then sees the choice and clears it if the new version needs more).
    select * into template from public.message_templates t
    where t.inbox_id = inbox.id and t.name = template_name and t.language = template_language
    for share of t;
    if template.id is null then
      -- A sync that replaced it while this waited: its new row is there for a new statement.
      select * into template from public.message_templates t
      where t.inbox_id = inbox.id and t.name = template_name and t.language = template_language
      for share of t;
    end if;
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
  where t.inbox_id = new.id and t.name = new.window_template ->> 'name' and t.language = new.window_template ->> 'language'
  for share of t;
  if template.id is not null then
    perform private.assert_template_sendable(template);
  end if;
  return new;
end;
$$;

revoke all on function public.set_inbox_window_template(uuid, text, text) from public, anon;
grant execute on function public.set_inbox_window_template(uuid, text, text) to authenticated;
revoke all on function private.guard_window_template_sendable() from public, anon, authenticated;
