-- lead stages: where a contact stands in the company's funnel (contacts.lifecycle_stage: lead →
-- qualified → customer, any → lost, lost → lead by a person) and the append-only history of every
-- move with who or what made it (contact_stage_changes). The analytics funnel reads both.
--
-- The history is the source of truth: a move is an insert into contact_stage_changes (made only by
-- the security-definer functions of this domain), whose trigger checks the transition and then sets
-- the contact's stage; nobody sets contacts.lifecycle_stage directly, so no move goes unrecorded.
--
-- Who may do what:
--   owner, admin, member   read stages and their history; move a contact through the functions
--                          (public.set_contact_stage, qualification and conversion in 004110)
--   analyst                reads
--   service                the same functions, for agents (the request_qualification tool)
--   nobody                 changes or deletes a recorded move
--
-- Who writes each table:
--   contact_stage_changes   private.move_contact_stage (called by the functions of 004100/004110)

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.lifecycle_stage as enum ('lead', 'qualified', 'customer', 'lost');
-- agent: a run's tool call; person: someone in the company; rule: the company's qualification rules.
create type public.stage_actor_kind as enum ('agent', 'person', 'rule');

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
alter table public.contacts add column lifecycle_stage public.lifecycle_stage not null default 'lead';

create table public.contact_stage_changes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  -- Filled by the trigger from the contact's stage at the moment of the move.
  from_stage public.lifecycle_stage not null,
  to_stage public.lifecycle_stage not null,
  actor_kind public.stage_actor_kind not null,
  -- The person who moved it (person), or who decided the request a rule or agent acted on.
  actor_id uuid references auth.users (id) on delete set null,
  -- The run whose agent asked for it (agent, or a rule deciding an agent's request).
  execution_id uuid references public.executions (id) on delete set null,
  reason text constraint contact_stage_changes_reason_length check (char_length(reason) <= 1000),
  evidence jsonb not null default '{}' constraint contact_stage_changes_evidence_is_object check (pg_catalog.jsonb_typeof(evidence) = 'object')
    constraint contact_stage_changes_evidence_bounded check (private.jsonb_is_bounded(evidence, 8, 16384)),
  created_at timestamptz not null default now(),
  constraint contact_stage_changes_person_named check (actor_kind <> 'person' or actor_id is not null)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index contacts_tenant_lifecycle_stage_idx on public.contacts (tenant_id, lifecycle_stage);
create index contact_stage_changes_contact_idx on public.contact_stage_changes (contact_id, created_at desc);
create index contact_stage_changes_tenant_created_idx on public.contact_stage_changes (tenant_id, created_at desc);
create index contact_stage_changes_actor_id_idx on public.contact_stage_changes (actor_id);
create index contact_stage_changes_execution_id_idx on public.contact_stage_changes (execution_id);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
/*
 * A move: locks the contact, takes its company and current stage, and refuses what the funnel does
 * not allow — lead → qualified → customer, any stage → lost, lost → lead (a person only) — with
 * stage_transition_invalid. The company must be writable (tenant_read_only). The contact's stage
 * follows in the after trigger.
 */
create or replace function private.prepare_contact_stage_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  contact public.contacts;
begin
  select * into contact from public.contacts c where c.id = new.contact_id for update;
  if contact.id is null then
    raise exception using errcode = 'P0002', constraint = 'contact_not_found', message = 'contact not found';
  end if;
  perform private.assert_tenant_writable(contact.tenant_id);
  new.tenant_id := contact.tenant_id;
  new.from_stage := contact.lifecycle_stage;
  if not ((new.from_stage, new.to_stage) in (('lead', 'qualified'), ('qualified', 'customer'))
          or (new.to_stage = 'lost' and new.from_stage <> 'lost')
          or (new.from_stage = 'lost' and new.to_stage = 'lead' and new.actor_kind = 'person')) then
    raise exception using errcode = 'P0001', constraint = 'stage_transition_invalid',
      message = format('a contact cannot move from %s to %s%s', new.from_stage, new.to_stage,
                       case when new.from_stage = 'lost' and new.to_stage = 'lead' then ' except by a person' else '' end),
      detail = pg_catalog.jsonb_build_object('from_stage', new.from_stage, 'to_stage', new.to_stage)::text,
      hint = 'A lead is qualified, then converted into a customer; any stage can be marked lost, and a person can reopen a lost contact as a lead.';
  end if;
  return new;
end;
$$;
comment on function private.prepare_contact_stage_change() is
  'Before-insert trigger of contact_stage_changes: fills tenant and from_stage, refuses transitions the funnel does not allow.';

-- Trigger depth 2: the only update of lifecycle_stage the contacts guard lets through.
create or replace function private.apply_contact_stage_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.contacts c set lifecycle_stage = new.to_stage where c.id = new.contact_id;
  return null;
end;
$$;

-- A direct update of the stage would leave no history: only a recorded move (trigger depth > 1) sets it.
create or replace function private.guard_contact_stage()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.lifecycle_stage is distinct from old.lifecycle_stage and pg_catalog.pg_trigger_depth() < 2 then
    raise exception using errcode = '42501', constraint = 'contact_stage_direct_change',
      message = 'a contact''s stage changes only through its recorded moves',
      hint = 'Use public.set_contact_stage, a qualification request or public.convert_contact.';
  end if;
  return new;
end;
$$;

-- A delete cascading from the removal of the contact or its company (trigger depth > 1) goes through.
create or replace function private.forbid_contact_stage_change_edits()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception using errcode = '42501', constraint = 'contact_stage_changes_append_only',
    message = 'the stage history is append-only: moves cannot be changed or deleted';
end;
$$;

create trigger contact_stage_changes_prepare before insert on public.contact_stage_changes
  for each row execute function private.prepare_contact_stage_change();
create trigger contact_stage_changes_apply after insert on public.contact_stage_changes
  for each row execute function private.apply_contact_stage_change();
create trigger contact_stage_changes_audit after insert on public.contact_stage_changes
  for each row execute function private.audit_row_change();
create trigger contact_stage_changes_append_only before update or delete on public.contact_stage_changes
  for each row execute function private.forbid_contact_stage_change_edits();
create trigger contact_stage_changes_no_truncate before truncate on public.contact_stage_changes
  for each statement execute function private.forbid_contact_stage_change_edits();
create trigger contacts_guard_stage before update of lifecycle_stage on public.contacts
  for each row execute function private.guard_contact_stage();
create trigger contacts_audit_stage after update of lifecycle_stage on public.contacts
  for each row when (old.lifecycle_stage is distinct from new.lifecycle_stage)
  execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.contact_stage_changes enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenant's stage history" on public.contact_stage_changes
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Records one move of a contact (the trigger checks it and sets the stage) and answers the
 * recorded row. The one writer of contact_stage_changes; callers check rights first.
 */
create or replace function private.move_contact_stage(
  target_contact_id uuid,
  to_stage public.lifecycle_stage,
  actor_kind public.stage_actor_kind,
  actor_id uuid default null,
  execution_id uuid default null,
  reason text default null,
  evidence jsonb default '{}'
)
returns public.contact_stage_changes
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  recorded public.contact_stage_changes;
begin
  insert into public.contact_stage_changes (contact_id, to_stage, actor_kind, actor_id, execution_id, reason, evidence)
  values (target_contact_id, to_stage, actor_kind, actor_id, execution_id, nullif(btrim(reason), ''), coalesce(evidence, '{}'))
  returning * into recorded;
  return recorded;
end;
$$;
comment on function private.move_contact_stage(uuid, public.lifecycle_stage, public.stage_actor_kind, uuid, uuid, text, jsonb) is
  'Records a stage move (checked by the contact_stage_changes trigger, which sets the stage). Raises contact_not_found, stage_transition_invalid.';

/*
 * A person moves a contact to `lost`, or reopens a lost contact as a `lead`, or qualifies a lead
 * (a person's decision needs no request). A customer is made by public.convert_contact only.
 * Asks handle_conversations of the contact's company (another company's contact is not found).
 * Raises contact_not_found, stage_transition_invalid, stage_needs_conversion, tenant_read_only.
 */
create or replace function public.set_contact_stage(target_contact_id uuid, to_stage public.lifecycle_stage, reason text default null)
returns public.contact_stage_changes
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  contact_tenant uuid;
begin
  select c.tenant_id into contact_tenant from public.contacts c where c.id = target_contact_id;
  if contact_tenant is null or not private.has_capability(contact_tenant, 'handle_conversations') then
    raise exception using errcode = 'P0002', constraint = 'contact_not_found', message = 'contact not found';
  end if;
  if to_stage = 'customer' then
    raise exception using errcode = 'P0001', constraint = 'stage_needs_conversion',
      message = 'a contact becomes a customer by conversion', hint = 'Convert the qualified contact instead.';
  end if;
  return private.move_contact_stage(target_contact_id, to_stage, 'person', (select auth.uid()), null, reason, '{}');
end;
$$;
comment on function public.set_contact_stage(uuid, public.lifecycle_stage, text) is
  'A person (handle_conversations) qualifies a lead, marks a contact lost or reopens a lost one. Raises contact_not_found, stage_transition_invalid, stage_needs_conversion.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.contact_stage_changes from anon, authenticated, service_role;
grant select on public.contact_stage_changes to authenticated, service_role;

revoke all on function private.prepare_contact_stage_change() from public, anon, authenticated;
revoke all on function private.apply_contact_stage_change() from public, anon, authenticated;
revoke all on function private.move_contact_stage(uuid, public.lifecycle_stage, public.stage_actor_kind, uuid, uuid, text, jsonb) from public, anon, authenticated;
revoke all on function public.set_contact_stage(uuid, public.lifecycle_stage, text) from public, anon;
grant execute on function private.move_contact_stage(uuid, public.lifecycle_stage, public.stage_actor_kind, uuid, uuid, text, jsonb) to service_role;
grant execute on function public.set_contact_stage(uuid, public.lifecycle_stage, text) to authenticated;
