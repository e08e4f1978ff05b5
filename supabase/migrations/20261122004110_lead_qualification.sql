-- lead qualification: a lead becomes `qualified` through a request with its evidence — filed by an
-- agent (the built-in tool request_qualification, from a run answering the contact's conversation)
-- or by a person — which the company's rules decide at once or leave to a person; a qualified
-- contact is converted into a customer (public.customers).
--
-- The rules (one row per company, none = a person decides every request):
--   required_evidence   keys the evidence must carry with a non-empty value, else rejected by rule
--   minimum_score       evidence.score (0-100) must reach it, else rejected by rule
--   auto_approve        a request that passes both is approved by rule; otherwise it waits for a person
--
-- A customer is the commercial record of a converted contact: id, tenant_id, contact_id (one per
-- contact), qualification_request_id (the approved request behind it), converted_by, notes,
-- metadata, created_at, updated_at. The person's data (name, phone, e-mail) stays on the contact,
-- the one place an LGPD erasure has to clear.
--
-- Who may do what:
--   owner, admin           set the rules (change_tenant)
--   owner, admin, member   file requests, approve or reject them, convert, edit customers' notes
--                          (handle_conversations)
--   analyst                reads
--   service                the executor files an agent's request (private.request_qualification_for_step)
--
-- Who writes each table:
--   qualification_rules     API or direct (change_tenant)
--   qualification_requests  private.file_qualification_request, public.decide_qualification_request
--   customers               public.convert_contact; notes and metadata by people (handle_conversations)

-- ─── built-in tool ────────────────────────────────────────────────────────────────────────────
insert into public.tools (id, name, description, parameters) values
  ('request_qualification', 'Request qualification',
   'Asks for the contact of this conversation to be qualified as a sales lead, with the evidence gathered (for example need, budget, timeline and a score from 0 to 100). The company''s rules approve or reject it at once, or a person decides.',
   '{"type": "object", "properties": {"evidence": {"type": "object", "description": "What the contact said that shows commercial interest, by key (need, budget, timeline, score 0-100, ...)"}, "summary": {"type": "string", "maxLength": 2000, "description": "One or two sentences for the person who reviews the request"}}, "required": ["evidence"], "additionalProperties": false}')
on conflict (id) do nothing;

-- ─── types ────────────────────────────────────────────────────────────────────────────────────
create type public.qualification_status as enum ('pending', 'approved', 'rejected');

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
-- Evidence keys a rule may require: at most 20 snake_case names.
create or replace function private.are_evidence_keys(evidence_keys text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.cardinality(evidence_keys) <= 20
     and pg_catalog.array_position(evidence_keys, null) is null
     and pg_catalog.array_to_string(evidence_keys, ',') ~ '^([a-z][a-z0-9_]{0,63}(,[a-z][a-z0-9_]{0,63})*)?$', false);
$$;
grant execute on function private.are_evidence_keys(text[]) to authenticated, service_role;

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table public.qualification_rules (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  required_evidence text[] not null default '{}' constraint qualification_rules_required_evidence_keys check (private.are_evidence_keys(required_evidence)),
  minimum_score numeric constraint qualification_rules_minimum_score_range check (minimum_score between 0 and 100),
  auto_approve boolean not null default false,
  updated_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.qualification_requests (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  conversation_id uuid references public.conversations (id) on delete set null,
  execution_id uuid references public.executions (id) on delete set null,
  requested_by_kind public.stage_actor_kind not null constraint qualification_requests_requester_kind check (requested_by_kind in ('agent', 'person')),
  requested_by uuid references auth.users (id) on delete set null,
  evidence jsonb not null default '{}' constraint qualification_requests_evidence_is_object check (pg_catalog.jsonb_typeof(evidence) = 'object')
    constraint qualification_requests_evidence_bounded check (private.jsonb_is_bounded(evidence, 8, 16384)),
  summary text constraint qualification_requests_summary_length check (char_length(summary) <= 2000),
  status public.qualification_status not null default 'pending',
  decided_by_kind public.stage_actor_kind constraint qualification_requests_decider_kind check (decided_by_kind in ('rule', 'person')),
  decided_by uuid references auth.users (id) on delete set null,
  decision_reason text constraint qualification_requests_decision_reason_length check (char_length(decision_reason) <= 1000),
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  constraint qualification_requests_decision_complete check ((status = 'pending') = (decided_at is null) and (status = 'pending') = (decided_by_kind is null))
);

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  qualification_request_id uuid references public.qualification_requests (id) on delete set null,
  converted_by uuid references auth.users (id) on delete set null,
  notes text constraint customers_notes_length check (char_length(notes) <= 2000),
  metadata jsonb not null default '{}' constraint customers_metadata_is_object check (pg_catalog.jsonb_typeof(metadata) = 'object')
    constraint customers_metadata_bounded check (private.jsonb_is_bounded(metadata, 8, 16384)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint customers_contact_unique unique (contact_id)
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- One open request per contact: a second waits for the first to be decided.
create unique index qualification_requests_one_pending on public.qualification_requests (contact_id) where status = 'pending';
create index qualification_requests_tenant_status_idx on public.qualification_requests (tenant_id, status, created_at desc);
create index qualification_requests_contact_idx on public.qualification_requests (contact_id, created_at desc);
create index qualification_requests_conversation_id_idx on public.qualification_requests (conversation_id);
create index qualification_requests_execution_id_idx on public.qualification_requests (execution_id);
create index qualification_requests_requested_by_idx on public.qualification_requests (requested_by);
create index qualification_requests_decided_by_idx on public.qualification_requests (decided_by);
create index qualification_rules_updated_by_idx on public.qualification_rules (updated_by);
create index customers_tenant_created_idx on public.customers (tenant_id, created_at desc);
create index customers_qualification_request_id_idx on public.customers (qualification_request_id);
create index customers_converted_by_idx on public.customers (converted_by);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A decided request is history: it is neither changed nor deleted — except by the removal of its
-- contact or company (a cascade, trigger depth > 1).
create or replace function private.guard_decided_qualification_request()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  if tg_op = 'DELETE' or old.status <> 'pending' then
    raise exception using errcode = '42501', constraint = 'qualification_request_decided',
      message = 'a qualification request is kept as it was decided: it cannot be changed or deleted';
  end if;
  return new;
end;
$$;

create trigger qualification_rules_touch_updated_at before update on public.qualification_rules
  for each row execute function private.touch_updated_at();
create trigger qualification_rules_guard_immutable before update on public.qualification_rules
  for each row execute function private.guard_immutable_columns('tenant_id', 'created_at');
create trigger qualification_rules_guard_writable before insert or update or delete on public.qualification_rules
  for each row execute function private.guard_tenant_writable();
create trigger qualification_rules_audit after insert or update or delete on public.qualification_rules
  for each row execute function private.audit_row_change();

create trigger qualification_requests_guard_decided before update or delete on public.qualification_requests
  for each row execute function private.guard_decided_qualification_request();
create trigger qualification_requests_guard_writable before insert or update on public.qualification_requests
  for each row execute function private.guard_tenant_writable();
create trigger qualification_requests_audit after insert or update on public.qualification_requests
  for each row execute function private.audit_row_change();

create trigger customers_touch_updated_at before update on public.customers
  for each row execute function private.touch_updated_at();
create trigger customers_guard_immutable before update on public.customers
  for each row execute function private.guard_immutable_columns('id', 'tenant_id', 'contact_id', 'created_at');
create trigger customers_guard_writable before insert or update or delete on public.customers
  for each row execute function private.guard_tenant_writable();
create trigger customers_audit after insert or update or delete on public.customers
  for each row execute function private.audit_row_change();

-- ─── RLS ──────────────────────────────────────────────────────────────────────────────────────
alter table public.qualification_rules enable row level security;
alter table public.qualification_requests enable row level security;
alter table public.customers enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "members read their tenant's qualification rules" on public.qualification_rules
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "company managers create the qualification rules" on public.qualification_rules
  for insert to authenticated
  with check ((select private.has_capability(tenant_id, 'change_tenant')));
create policy "company managers change the qualification rules" on public.qualification_rules
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'change_tenant')))
  with check ((select private.has_capability(tenant_id, 'change_tenant')));
create policy "company managers remove the qualification rules" on public.qualification_rules
  for delete to authenticated
  using ((select private.has_capability(tenant_id, 'change_tenant')));

create policy "members read their tenant's qualification requests" on public.qualification_requests
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));

create policy "members read their tenant's customers" on public.customers
  for select to authenticated
  using (tenant_id in (select private.tenants_of_caller()));
create policy "conversation handlers change their tenant's customers" on public.customers
  for update to authenticated
  using ((select private.has_capability(tenant_id, 'handle_conversations')))
  with check ((select private.has_capability(tenant_id, 'handle_conversations')));

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * What the company's rules say about evidence: ('rejected', why) when a required key is missing or
 * empty or the score is under the minimum; ('approved', ...) when it passes and the rules approve on
 * their own; ('pending', ...) otherwise — and always when the company has no rules.
 */
create or replace function private.judge_qualification(target_tenant_id uuid, evidence jsonb, out status public.qualification_status, out reason text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_variable
declare
  rules public.qualification_rules;
  missing text[];
  score numeric;
begin
  select * into rules from public.qualification_rules r where r.tenant_id = target_tenant_id;
  if rules.tenant_id is null then
    status := 'pending'; reason := 'the company has no qualification rules: a person decides';
    return;
  end if;
  select coalesce(array_agg(k order by k), '{}') into missing
  from pg_catalog.unnest(rules.required_evidence) k
  where coalesce(pg_catalog.btrim(evidence ->> k), '') = '' or evidence -> k = 'null'::jsonb;
  if pg_catalog.cardinality(missing) > 0 then
    status := 'rejected'; reason := format('the evidence lacks %s', pg_catalog.array_to_string(missing, ', '));
    return;
  end if;
  if rules.minimum_score is not null then
    score := case when pg_catalog.jsonb_typeof(evidence -> 'score') = 'number' then (evidence ->> 'score')::numeric end;
    if score is null or score < rules.minimum_score then
      status := 'rejected';
      reason := format('the score %s is under the minimum of %s', coalesce(score::text, '(none)'), rules.minimum_score);
      return;
    end if;
  end if;
  if rules.auto_approve then
    status := 'approved'; reason := 'the evidence meets the company''s rules';
  else
    status := 'pending'; reason := 'the evidence meets the company''s rules: a person approves';
  end if;
end;
$$;
comment on function private.judge_qualification(uuid, jsonb) is
  'The company''s rules on a qualification''s evidence: approved, rejected (with why) or pending for a person.';

/*
 * Files a qualification request for a lead and lets the rules decide it: approved by rule moves
 * the contact to `qualified` in the same transaction; rejected by rule is recorded with why;
 * otherwise it waits for a person. Callers check rights first. Raises contact_not_found,
 * contact_not_a_lead (the contact is not at stage lead), qualification_request_pending (one is
 * already waiting), tenant_read_only.
 */
create or replace function private.file_qualification_request(
  target_contact_id uuid,
  conversation_id uuid,
  execution_id uuid,
  requested_by_kind public.stage_actor_kind,
  requested_by uuid,
  evidence jsonb,
  summary text
)
returns public.qualification_requests
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  contact public.contacts;
  verdict record;
  filed public.qualification_requests;
begin
  -- The contact's row lock orders two requests for the same contact.
  select * into contact from public.contacts c where c.id = target_contact_id for update;
  if contact.id is null then
    raise exception using errcode = 'P0002', constraint = 'contact_not_found', message = 'contact not found';
  end if;
  if contact.lifecycle_stage <> 'lead' then
    raise exception using errcode = 'P0001', constraint = 'contact_not_a_lead',
      message = format('this contact is %s, not a lead: only a lead can be qualified', contact.lifecycle_stage),
      detail = pg_catalog.jsonb_build_object('lifecycle_stage', contact.lifecycle_stage)::text;
  end if;
  if exists (select 1 from public.qualification_requests q where q.contact_id = contact.id and q.status = 'pending') then
    raise exception using errcode = 'P0001', constraint = 'qualification_request_pending',
      message = 'a qualification request for this contact is already waiting for a decision';
  end if;
  select * into verdict from private.judge_qualification(contact.tenant_id, coalesce(evidence, '{}'));
  insert into public.qualification_requests (tenant_id, contact_id, conversation_id, execution_id, requested_by_kind, requested_by,
                                             evidence, summary, status, decided_by_kind, decision_reason, decided_at)
  values (contact.tenant_id, contact.id, conversation_id, execution_id, requested_by_kind, requested_by,
          coalesce(evidence, '{}'), nullif(pg_catalog.btrim(summary), ''), verdict.status,
          case when verdict.status <> 'pending' then 'rule'::public.stage_actor_kind end,
          verdict.reason, case when verdict.status <> 'pending' then now() end)
  returning * into filed;
  if filed.status = 'approved' then
    perform private.move_contact_stage(contact.id, 'qualified', 'rule', null, execution_id, verdict.reason, filed.evidence);
  end if;
  return filed;
end;
$$;
comment on function private.file_qualification_request(uuid, uuid, uuid, public.stage_actor_kind, uuid, jsonb, text) is
  'Files a qualification request, decided by the company''s rules or left pending. Raises contact_not_found, contact_not_a_lead, qualification_request_pending.';

/*
 * A person (handle_conversations in the contact's company) files a qualification request with its
 * evidence; the rules decide it or it waits. Another company's contact is not found. Raises as
 * private.file_qualification_request.
 */
create or replace function public.request_qualification(target_contact_id uuid, evidence jsonb, summary text default null)
returns public.qualification_requests
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
  return private.file_qualification_request(target_contact_id, null, null, 'person', (select auth.uid()), evidence, summary);
end;
$$;
comment on function public.request_qualification(uuid, jsonb, text) is
  'A person (handle_conversations) asks for a lead to be qualified. Raises contact_not_found, contact_not_a_lead, qualification_request_pending.';

/*
 * The executor's side of the request_qualification tool: files the request for the contact of the
 * conversation the step's run answers, as the step's agent. Only while the step is this worker's
 * (false-y answer: null). Raises qualification_needs_conversation when the run answers no
 * conversation, and as private.file_qualification_request. Service role only.
 */
create or replace function private.request_qualification_for_step(target_step_id uuid, worker text, attempt integer, evidence jsonb, summary text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
  conversation public.conversations;
  filed public.qualification_requests;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine can file an agent''s qualification request';
  end if;
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt;
  if step.id is null then
    return null;
  end if;
  select c.* into conversation
  from private.conversation_turns t join public.conversations c on c.id = t.conversation_id
  where t.execution_id = step.execution_id
  order by t.created_at desc limit 1;
  if conversation.id is null then
    raise exception using errcode = 'P0001', constraint = 'qualification_needs_conversation',
      message = 'request_qualification works only in a run that answers a WhatsApp conversation';
  end if;
  filed := private.file_qualification_request(conversation.contact_id, conversation.id, step.execution_id, 'agent', null, evidence, summary);
  return pg_catalog.jsonb_build_object('request_id', filed.id, 'status', filed.status, 'reason', filed.decision_reason);
end;
$$;
comment on function private.request_qualification_for_step(uuid, text, integer, jsonb, text) is
  'Service role (the executor): files the qualification request of a step''s agent for its conversation''s contact; null when the lease is gone.';

/*
 * A person (handle_conversations) approves or rejects a pending request; approving moves the
 * contact to `qualified` with the request's evidence. Raises qualification_request_not_found
 * (also for another company's), qualification_request_decided, stage_transition_invalid (the
 * contact moved meanwhile), tenant_read_only.
 */
create or replace function public.decide_qualification_request(target_request_id uuid, approve boolean, reason text default null)
returns public.qualification_requests
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  request public.qualification_requests;
begin
  select * into request from public.qualification_requests q where q.id = target_request_id for update;
  if request.id is null or not private.has_capability(request.tenant_id, 'handle_conversations') then
    raise exception using errcode = 'P0002', constraint = 'qualification_request_not_found', message = 'qualification request not found';
  end if;
  if request.status <> 'pending' then
    raise exception using errcode = 'P0001', constraint = 'qualification_request_decided',
      message = format('this request was already %s', request.status),
      detail = pg_catalog.jsonb_build_object('status', request.status)::text;
  end if;
  update public.qualification_requests q
  set status = case when approve then 'approved' else 'rejected' end::public.qualification_status,
      decided_by_kind = 'person', decided_by = (select auth.uid()), decided_at = now(),
      decision_reason = nullif(pg_catalog.btrim(reason), '')
  where q.id = request.id
  returning * into request;
  if approve then
    perform private.move_contact_stage(request.contact_id, 'qualified', 'person', (select auth.uid()), request.execution_id,
                                       reason, request.evidence);
  end if;
  return request;
end;
$$;
comment on function public.decide_qualification_request(uuid, boolean, text) is
  'A person (handle_conversations) approves (contact → qualified) or rejects a pending qualification request. Raises qualification_request_not_found, qualification_request_decided, stage_transition_invalid.';

/*
 * A person (handle_conversations) converts a qualified contact into a customer: the contact moves to
 * `customer` and its customers row is created (or kept, for a contact converted before, lost and
 * won back), linked to the approved request behind it. Raises contact_not_found (also another
 * company's), stage_transition_invalid (not qualified), tenant_read_only.
 */
create or replace function public.convert_contact(target_contact_id uuid, notes text default null)
returns public.customers
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  contact_tenant uuid;
  converted public.customers;
begin
  select c.tenant_id into contact_tenant from public.contacts c where c.id = target_contact_id;
  if contact_tenant is null or not private.has_capability(contact_tenant, 'handle_conversations') then
    raise exception using errcode = 'P0002', constraint = 'contact_not_found', message = 'contact not found';
  end if;
  perform private.move_contact_stage(target_contact_id, 'customer', 'person', (select auth.uid()), null, notes, '{}');
  insert into public.customers (tenant_id, contact_id, qualification_request_id, converted_by, notes)
  values (contact_tenant, target_contact_id,
          (select q.id from public.qualification_requests q
           where q.contact_id = target_contact_id and q.status = 'approved' order by q.decided_at desc limit 1),
          (select auth.uid()), nullif(pg_catalog.btrim(notes), ''))
  on conflict (contact_id) do update
    set qualification_request_id = excluded.qualification_request_id, converted_by = excluded.converted_by,
        notes = coalesce(excluded.notes, public.customers.notes)
  returning * into converted;
  return converted;
end;
$$;
comment on function public.convert_contact(uuid, text) is
  'A person (handle_conversations) converts a qualified contact into a customer. Raises contact_not_found, stage_transition_invalid.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.qualification_rules from anon, authenticated;
revoke all on public.qualification_requests from anon, authenticated, service_role;
revoke all on public.customers from anon, authenticated;
grant select, delete on public.qualification_rules to authenticated;
grant insert (tenant_id, required_evidence, minimum_score, auto_approve) on public.qualification_rules to authenticated;
grant update (required_evidence, minimum_score, auto_approve) on public.qualification_rules to authenticated;
grant select, insert, update, delete on public.qualification_rules to service_role;
grant select on public.qualification_requests to authenticated, service_role;
grant select on public.customers to authenticated;
grant update (notes, metadata) on public.customers to authenticated;
grant select, update on public.customers to service_role;

revoke all on function private.judge_qualification(uuid, jsonb) from public, anon, authenticated;
revoke all on function private.file_qualification_request(uuid, uuid, uuid, public.stage_actor_kind, uuid, jsonb, text) from public, anon, authenticated;
revoke all on function private.request_qualification_for_step(uuid, text, integer, jsonb, text) from public, anon, authenticated;
revoke all on function public.request_qualification(uuid, jsonb, text) from public, anon;
revoke all on function public.decide_qualification_request(uuid, boolean, text) from public, anon;
revoke all on function public.convert_contact(uuid, text) from public, anon;
grant execute on function private.request_qualification_for_step(uuid, text, integer, jsonb, text) to service_role;
grant execute on function public.request_qualification(uuid, jsonb, text) to authenticated;
grant execute on function public.decide_qualification_request(uuid, boolean, text) to authenticated;
grant execute on function public.convert_contact(uuid, text) to authenticated;
