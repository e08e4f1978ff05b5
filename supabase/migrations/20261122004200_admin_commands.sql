-- admin commands: the audited console of platform admins (and of a company's owners for their own
-- company). One entry point, public.run_admin_command, checks who may run the command, runs it and
-- records it in public.admin_commands in the same transaction — a command that fails is recorded
-- as failed with its error, and changes nothing else. The log is append-only for everyone; every
-- entry is also in the audit log (its insert trigger).
--
-- The commands (target: the id the command acts on):
--   suspend_company, reactivate_company   a company (tenants.id); platform admins only. A suspended
--                                         company's members read but change nothing: they start no
--                                         run and send no message (private.assert_tenant_writable)
--   resend_interview_invitation           an interview (interviews' public.resend_interview_invitation)
--   cancel_interview                      an interview (interviews' public.cancel_interview)
--   close_conversation                    a conversation
--   export_contact                        a contact: its data as JSON (contact, stage history,
--                                         qualification requests, customer, conversations with their
--                                         messages, interviews) — answered, never stored in the log
--   erase_contact                         a contact: LGPD erasure (private.erase_contact_personal_data)
-- Destructive ones (suspend_company, cancel_interview, erase_contact) need a reason.
--
-- Who may do what:
--   platform admin   runs every command on any company; reads the whole log
--   owner            runs the company-scoped commands (all but suspend/reactivate) on their own
--                    company's targets; owners and admins read their company's log (read_audit_log)
--   others           nothing (another company's target is not found)
--
-- Who writes each table:
--   admin_commands   public.run_admin_command only

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.admin_command as enum (
  'suspend_company', 'reactivate_company', 'resend_interview_invitation', 'cancel_interview',
  'close_conversation', 'export_contact', 'erase_contact'
);

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- No foreign keys: the record outlives the person, the company and the target it names.
create table public.admin_commands (
  id bigint generated always as identity primary key,
  actor_id uuid not null,
  actor_role text not null constraint admin_commands_actor_role_values check (actor_role in ('platform_admin', 'owner')),
  tenant_id uuid not null,
  command public.admin_command not null,
  target_id uuid not null,
  arguments jsonb not null default '{}' constraint admin_commands_arguments_is_object check (pg_catalog.jsonb_typeof(arguments) = 'object')
    constraint admin_commands_arguments_bounded check (private.jsonb_is_bounded(arguments, 4, 4096)),
  reason text constraint admin_commands_reason_length check (char_length(reason) <= 1000),
  status text not null constraint admin_commands_status_values check (status in ('succeeded', 'failed')),
  -- What the command did (counts, the new status); never personal data.
  result jsonb,
  -- Why it failed: {state, code, message}.
  error jsonb,
  created_at timestamptz not null default now(),
  constraint admin_commands_outcome check ((status = 'succeeded') = (error is null))
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index admin_commands_tenant_created_idx on public.admin_commands (tenant_id, created_at desc);
create index admin_commands_created_idx on public.admin_commands (created_at desc);
create index admin_commands_actor_id_idx on public.admin_commands (actor_id);
create index admin_commands_target_id_idx on public.admin_commands (target_id);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create or replace function private.forbid_admin_command_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = '42501', constraint = 'admin_commands_append_only',
    message = 'the command log is append-only: entries cannot be changed or deleted';
end;
$$;

create trigger admin_commands_append_only before update or delete on public.admin_commands
  for each row execute function private.forbid_admin_command_changes();
create trigger admin_commands_no_truncate before truncate on public.admin_commands
  for each statement execute function private.forbid_admin_command_changes();
create trigger admin_commands_audit after insert on public.admin_commands
  for each row execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.admin_commands enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "owners and admins read their tenant's command log" on public.admin_commands
  for select to authenticated
  using ((select private.has_capability(tenant_id, 'read_audit_log')));
create policy "platform admins read the whole command log" on public.admin_commands
  for select to authenticated
  using ((select private.is_platform_admin()));

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
/*
 * The company a command's target belongs to, or null when there is no such target. Interviews are
 * read only once the interviews domain exists (it may land after this file).
 */
create or replace function private.admin_command_tenant(command public.admin_command, target_id uuid)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  found uuid;
begin
  case
    when command in ('suspend_company', 'reactivate_company') then
      select t.id into found from public.tenants t where t.id = target_id;
    when command = 'close_conversation' then
      select c.tenant_id into found from public.conversations c where c.id = target_id;
    when command in ('export_contact', 'erase_contact') then
      select c.tenant_id into found from public.contacts c where c.id = target_id;
    else
      -- Named at run time: the interviews domain may not exist yet (nor for the linter).
      if pg_catalog.to_regclass('public.interviews') is not null then
        execute format('select tenant_id from %s where id = $1', pg_catalog.to_regclass('public.interviews')) into found using target_id;
      end if;
  end case;
  return found;
end;
$$;

/*
 * A contact's data as one JSON document (LGPD access request): the contact, its stage history,
 * qualification requests and customer record, its conversations each with its messages (oldest
 * first), and its interviews once that domain exists. Callers check rights first.
 */
create or replace function private.export_contact_data(target_contact_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  document jsonb;
  interviews jsonb := '[]'::jsonb;
begin
  select pg_catalog.jsonb_build_object(
    'exported_at', now(),
    'contact', pg_catalog.to_jsonb(c),
    'stage_history', coalesce((select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s) order by s.created_at, s.id)
                               from public.contact_stage_changes s where s.contact_id = c.id), '[]'),
    'qualification_requests', coalesce((select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(q) order by q.created_at, q.id)
                                        from public.qualification_requests q where q.contact_id = c.id), '[]'),
    'customer', (select pg_catalog.to_jsonb(cu) from public.customers cu where cu.contact_id = c.id),
    'conversations', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(cv) || pg_catalog.jsonb_build_object('messages', coalesce((
               select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'message_index', m.message_index, 'direction', m.direction, 'role', m.role, 'type', m.type,
                        'body', m.body, 'media', m.media, 'status', m.status, 'created_at', m.created_at) order by m.message_index)
               from public.messages m where m.conversation_id = cv.id), '[]'))
             order by cv.created_at, cv.id)
      from public.conversations cv where cv.contact_id = c.id), '[]'))
  into document
  from public.contacts c where c.id = target_contact_id;
  if pg_catalog.to_regclass('public.interviews') is not null then
    execute format('select coalesce(jsonb_agg(to_jsonb(i) order by i.created_at), ''[]'') from %s i where i.contact_id = $1',
                   pg_catalog.to_regclass('public.interviews'))
      into interviews using target_contact_id;
  end if;
  return document || pg_catalog.jsonb_build_object('interviews', interviews);
end;
$$;

/*
 * A JSON object with only what says nothing about a person: numbers, booleans, and ids and states
 * (keys ending in _id, status, event, tool, kind...). Used on the payloads of an erased contact's runs.
 */
create or replace function private.impersonal_json(document jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}') || '{"erased": true}'
  from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(document) = 'object' then document else '{}' end) e
  where pg_catalog.jsonb_typeof(e.value) in ('number', 'boolean')
     or (pg_catalog.jsonb_typeof(e.value) = 'string'
         and (e.key like '%\_id' or e.key in ('status', 'event', 'tool', 'kind', 'model', 'provider', 'attempt', 'round')));
$$;

/*
 * LGPD erasure of a contact's personal data, keeping every count and consumption aggregate: the
 * contact's name, e-mail and metadata are emptied and its phone replaced by a placeholder
 * (+999…, not a reachable number); its messages keep their index, direction, status, tokens and
 * cost but lose their text, media and metadata; the runs that answered it lose their prompt,
 * variables, outputs and event texts (usage and costs stay); the webhook bodies that carried its
 * phone or name are replaced; its stage history, qualification requests and customer record lose
 * their evidence and notes; the audit log's copies of those rows lose the same fields; its
 * interviews lose their free text (the interviews domain's private.erase_contact_interview_data,
 * 20261122004060); the Realtime copies of those runs' events are deleted. The append-only guards of the audit log, the run events and the stage history
 * are switched off for this transaction only (the lock this takes holds other writers of those
 * tables until it commits). Callers check rights first. Answers what was erased, as counts.
 */
create or replace function private.erase_contact_personal_data(target_contact_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  contact public.contacts;
  placeholder text;
  phone_digits text;
  short_digits text;
  run_ids uuid[];
  conversation_ids uuid[];
  personal_keys text[] := array['name', 'email', 'phone', 'metadata', 'evidence', 'summary', 'reason', 'decision_reason',
                                'notes', 'body', 'media'];
  erased_messages integer;
  erased_events integer;
  erased_audit integer;
  erased_webhooks integer;
begin
  -- Lock order: the guarded tables first (so no writer holds them while waiting for this contact).
  alter table public.audit_log disable trigger audit_log_append_only;
  alter table public.execution_events disable trigger execution_events_append_only;
  alter table public.contact_stage_changes disable trigger contact_stage_changes_append_only;
  alter table public.qualification_requests disable trigger qualification_requests_guard_decided;

  select * into contact from public.contacts c where c.id = target_contact_id for update;
  phone_digits := substr(contact.phone, 2);
  -- Providers may send a Brazilian mobile without its ninth digit.
  short_digits := case when phone_digits ~ '^55[1-9]{2}9[0-9]{8}$' then substr(phone_digits, 1, 4) || substr(phone_digits, 6) end;
  placeholder := '+999' || pg_catalog.lpad(((('x' || substr(pg_catalog.md5(contact.id::text), 1, 12))::bit(48)::bigint) % 1000000000000)::text, 12, '0');
  select coalesce(array_agg(cv.id), '{}') into conversation_ids from public.conversations cv where cv.contact_id = contact.id;
  select coalesce(array_agg(distinct r.id), '{}') into run_ids
  from (select t.execution_id as id from private.conversation_turns t where t.conversation_id = any (conversation_ids) and t.execution_id is not null
        union select q.execution_id from public.qualification_requests q where q.contact_id = contact.id and q.execution_id is not null) r;

  update public.contacts c set name = null, email = null, metadata = '{}', phone = placeholder where c.id = contact.id;
  update public.messages m set body = case when m.body is null then null else '' end, media = null, metadata = '{}'
  where m.conversation_id = any (conversation_ids);
  get diagnostics erased_messages = row_count;

  update public.executions e set initial_prompt = '[erased]', variables = '{}', shared_context = '{}',
    final_result = case when e.final_result is null then null else private.impersonal_json(e.final_result) end
  where e.id = any (run_ids);
  update public.execution_steps s set resolved_input = case when s.resolved_input is null then null else '[erased]' end,
    output = case when s.output is null then null else '[erased]' end
  where s.execution_id = any (run_ids);
  update public.execution_events ev set payload = private.impersonal_json(ev.payload) where ev.execution_id = any (run_ids);
  get diagnostics erased_events = row_count;
  -- Their broadcasts carried the same payloads (Realtime keeps them a few days): gone.
  delete from realtime.messages r where r.topic = any (select 'execution:' || run_id from pg_catalog.unnest(run_ids) run_id);

  update public.webhook_events w set raw_body = '{}'
  where w.tenant_id = contact.tenant_id
    and (w.raw_body like '%' || phone_digits || '%'
         or (short_digits is not null and w.raw_body like '%' || short_digits || '%')
         or (contact.name is not null and w.raw_body like '%' || contact.name || '%')
         or (contact.email is not null and w.raw_body like '%' || contact.email || '%'));
  get diagnostics erased_webhooks = row_count;

  update public.contact_stage_changes s set evidence = '{}', reason = null where s.contact_id = contact.id;
  update public.qualification_requests q set evidence = '{}', summary = null, decision_reason = null where q.contact_id = contact.id;
  update public.customers cu set notes = null, metadata = '{}' where cu.contact_id = contact.id;

  perform private.erase_contact_interview_data(contact.id);

  -- Last: the audit log's copies, including those the statements above just wrote.
  update public.audit_log a
  set before = case when a.before is null then null else (a.before - personal_keys) || '{"erased": true}' end,
      after = case when a.after is null then null else (a.after - personal_keys) || '{"erased": true}' end
  where a.tenant_id = contact.tenant_id
    and ((a.table_name = 'contacts' and a.record_id = contact.id::text)
         or a.before ->> 'contact_id' = contact.id::text or a.after ->> 'contact_id' = contact.id::text);
  get diagnostics erased_audit = row_count;

  alter table public.audit_log enable trigger audit_log_append_only;
  alter table public.execution_events enable trigger execution_events_append_only;
  alter table public.contact_stage_changes enable trigger contact_stage_changes_append_only;
  alter table public.qualification_requests enable trigger qualification_requests_guard_decided;

  return pg_catalog.jsonb_build_object('conversations', pg_catalog.cardinality(conversation_ids), 'messages', erased_messages,
    'runs', pg_catalog.cardinality(run_ids), 'run_events', erased_events, 'webhook_events', erased_webhooks, 'audit_entries', erased_audit);
end;
$$;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Runs one admin command and records it (who, company, command, target, arguments, reason, result
 * or error) in public.admin_commands, in one transaction: a command that fails is recorded as
 * failed and changes nothing else. Platform admins run any command; a company's owner runs the
 * company-scoped ones (all but suspend/reactivate) on their company's targets. Answers
 * {command: the log entry, output: the exported document for export_contact, else null}.
 * Raises admin_command_not_signed_in, admin_command_target_not_found (also another company's
 * target), admin_command_forbidden (a member who is not the owner, or an owner suspending),
 * admin_command_reason_required (destructive commands), admin_command_arguments_invalid.
 */
create or replace function public.run_admin_command(command public.admin_command, target_id uuid, arguments jsonb default '{}', reason text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  caller uuid := (select auth.uid());
  target_tenant uuid;
  role text;
  given_reason text := nullif(pg_catalog.btrim(reason), '');
  output jsonb;
  failure jsonb;
  failed_state text;
  failed_code text;
  failed_message text;
  recorded public.admin_commands;
begin
  if caller is null then
    raise exception using errcode = '42501', constraint = 'admin_command_not_signed_in', message = 'sign in to run admin commands';
  end if;
  arguments := coalesce(arguments, '{}');
  if pg_catalog.jsonb_typeof(arguments) <> 'object' or not private.jsonb_is_bounded(arguments, 4, 4096) then
    raise exception using errcode = 'P0001', constraint = 'admin_command_arguments_invalid', message = 'arguments must be a small JSON object',
      detail = pg_catalog.jsonb_build_object('field', 'arguments')::text;
  end if;
  target_tenant := private.admin_command_tenant(command, target_id);
  if target_tenant is null or not (private.is_platform_admin() or private.is_member(target_tenant)) then
    raise exception using errcode = 'P0002', constraint = 'admin_command_target_not_found', message = 'there is no such target for this command',
      detail = pg_catalog.jsonb_build_object('command', command, 'target_id', target_id)::text;
  end if;
  if private.is_platform_admin() then
    role := 'platform_admin';
  elsif command not in ('suspend_company', 'reactivate_company') and private.has_role(target_tenant, array['owner']::public.member_role[]) then
    role := 'owner';
  else
    raise exception using errcode = '42501', constraint = 'admin_command_forbidden',
      message = case when command in ('suspend_company', 'reactivate_company') then 'only platform admins suspend or reactivate a company'
                     else 'only the company''s owners and platform admins run admin commands' end;
  end if;
  if command in ('suspend_company', 'cancel_interview', 'erase_contact') and char_length(coalesce(given_reason, '')) < 3 then
    raise exception using errcode = 'P0001', constraint = 'admin_command_reason_required',
      message = format('%s cannot be undone lightly: give a reason (at least 3 characters)', command),
      detail = pg_catalog.jsonb_build_object('field', 'reason')::text;
  end if;
  if char_length(given_reason) > 1000 then
    raise exception using errcode = 'P0001', constraint = 'admin_command_reason_too_long', message = 'the reason has at most 1000 characters',
      detail = pg_catalog.jsonb_build_object('field', 'reason')::text;
  end if;

  begin
    case command
      when 'suspend_company', 'reactivate_company' then
        select pg_catalog.jsonb_build_object('tenant_id', t.id, 'status', t.status) into output
        from public.admin_set_tenant_status(target_id, case when command = 'suspend_company' then 'suspended' else 'active' end::public.tenant_status) t;
      when 'close_conversation' then
        update public.conversations c set status = 'closed' where c.id = target_id and c.status <> 'closed';
        select pg_catalog.jsonb_build_object('conversation_id', c.id, 'status', c.status, 'closed_at', c.closed_at) into output
        from public.conversations c where c.id = target_id;
      when 'export_contact' then
        output := private.export_contact_data(target_id);
      when 'erase_contact' then
        output := private.erase_contact_personal_data(target_id);
      when 'resend_interview_invitation' then
        if pg_catalog.to_regprocedure('public.resend_interview_invitation(uuid)') is null then
          raise exception using errcode = 'P0001', constraint = 'admin_command_unavailable', message = 'interviews are not available yet';
        end if;
        execute format('select %s($1)', pg_catalog.to_regprocedure('public.resend_interview_invitation(uuid)')::oid::regproc) using target_id;
        output := pg_catalog.jsonb_build_object('interview_id', target_id);
      when 'cancel_interview' then
        if pg_catalog.to_regprocedure('public.cancel_interview(uuid, text)') is null then
          raise exception using errcode = 'P0001', constraint = 'admin_command_unavailable', message = 'interviews are not available yet';
        end if;
        execute format('select %s($1, $2)', pg_catalog.to_regprocedure('public.cancel_interview(uuid, text)')::oid::regproc) using target_id, given_reason;
        output := pg_catalog.jsonb_build_object('interview_id', target_id);
    end case;
  exception when others then
    get stacked diagnostics failed_state = returned_sqlstate, failed_code = constraint_name, failed_message = message_text;
    failure := pg_catalog.jsonb_build_object('state', failed_state, 'code', coalesce(nullif(failed_code, ''), 'command_failed'),
                                             'message', failed_message);
    output := null;
  end;

  insert into public.admin_commands (actor_id, actor_role, tenant_id, command, target_id, arguments, reason, status, result, error)
  values (caller, role, target_tenant, command, target_id, arguments, given_reason,
          case when failure is null then 'succeeded' else 'failed' end,
          -- The export itself is answered, never kept: the log holds what it counted.
          case when command = 'export_contact' and output is not null then
                 pg_catalog.jsonb_build_object('conversations', pg_catalog.jsonb_array_length(output -> 'conversations'),
                   'messages', (select coalesce(sum(pg_catalog.jsonb_array_length(cv -> 'messages')), 0)
                                from pg_catalog.jsonb_array_elements(output -> 'conversations') cv),
                   'stage_changes', pg_catalog.jsonb_array_length(output -> 'stage_history'),
                   'interviews', pg_catalog.jsonb_array_length(output -> 'interviews'))
               else output end,
          failure)
  returning * into recorded;
  return pg_catalog.jsonb_build_object('command', pg_catalog.to_jsonb(recorded),
                                       'output', case when command = 'export_contact' then output end);
end;
$$;
comment on function public.run_admin_command(public.admin_command, uuid, jsonb, text) is
  'Platform admins (any command) and owners (their company''s targets, not suspend/reactivate) run an admin command, recorded in admin_commands. Raises admin_command_target_not_found, admin_command_forbidden, admin_command_reason_required.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.admin_commands from anon, authenticated, service_role;
grant select on public.admin_commands to authenticated, service_role;

revoke all on function private.admin_command_tenant(public.admin_command, uuid) from public, anon, authenticated;
revoke all on function private.export_contact_data(uuid) from public, anon, authenticated;
revoke all on function private.impersonal_json(jsonb) from public, anon, authenticated;
revoke all on function private.erase_contact_personal_data(uuid) from public, anon, authenticated;
revoke all on function public.run_admin_command(public.admin_command, uuid, jsonb, text) from public, anon;
grant execute on function public.run_admin_command(public.admin_command, uuid, jsonb, text) to authenticated;
