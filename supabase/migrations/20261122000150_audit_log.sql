-- audit log: the append-only record of who changed what in a tenant, before and after, written by
-- an after-row trigger on every tenant-owned table (each domain attaches it to its own tables; the
-- tenancy tables, created before this migration, get theirs here) and by the audited functions
-- that decrypt keys or read another tenant for a platform admin.
--
-- Who may do what: owners and admins read their tenant's entries (capability read_audit_log);
-- platform admins read every entry. Nobody changes or deletes one.
-- Who writes each table:
--   audit_log    the audit trigger and the audited security-definer functions only (not even the service role)

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
-- Append-only: written by triggers (and the audited admin functions), never by a caller directly.
create table public.audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid,
  actor_id uuid,
  actor_role text not null,
  action text not null constraint audit_log_action_values check (action in ('insert', 'update', 'delete', 'read', 'decrypt')),
  table_name text not null,
  record_id text,
  before jsonb,
  after jsonb,
  created_at timestamptz not null default now()
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
create index audit_log_tenant_id_created_at_idx on public.audit_log (tenant_id, created_at desc);

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- The audit trail: who changed what, before and after, with the columns in TG_ARGV redacted.
create or replace function private.audit_row_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb := case when tg_op in ('UPDATE', 'DELETE') then pg_catalog.to_jsonb(old) end;
  after_row jsonb := case when tg_op in ('INSERT', 'UPDATE') then pg_catalog.to_jsonb(new) end;
  secret_column text;
  tenant uuid;
begin
  foreach secret_column in array coalesce(tg_argv, array[]::text[]) loop
    if before_row ? secret_column then before_row := pg_catalog.jsonb_set(before_row, array[secret_column], '"[redacted]"'); end if;
    if after_row ? secret_column then after_row := pg_catalog.jsonb_set(after_row, array[secret_column], '"[redacted]"'); end if;
  end loop;
  tenant := coalesce(after_row, before_row) ->> case when tg_table_name = 'tenants' then 'id' else 'tenant_id' end;
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, before, after)
  values (
    tenant,
    (select auth.uid()),
    case when private.is_platform_admin() and not private.is_member(tenant) then 'platform_admin'
         else coalesce(auth.role(), current_user) end,
    lower(tg_op),
    tg_table_name,
    coalesce(after_row, before_row) ->> 'id',
    before_row,
    after_row
  );
  return null;
end;
$$;
comment on function private.audit_row_change() is
  'After-row trigger writing the change to public.audit_log; TG_ARGV names columns to redact.';

create or replace function private.forbid_audit_log_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = '42501', constraint = 'audit_log_append_only', message = 'the audit log is append-only: entries cannot be changed or deleted';
end;
$$;

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.forbid_audit_log_changes();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.forbid_audit_log_changes();

-- The tenancy tables' audit trail (tenancy comes first, so the trigger is attached here).
create trigger tenants_audit after insert or update or delete on public.tenants
  for each row execute function private.audit_row_change();
create trigger memberships_audit after insert or update or delete on public.memberships
  for each row execute function private.audit_row_change();
create trigger invitations_audit after insert or update or delete on public.invitations
  for each row execute function private.audit_row_change();

-- ─── row level security ───────────────────────────────────────────────────────────────────────
alter table public.audit_log enable row level security;

-- ─── policies ─────────────────────────────────────────────────────────────────────────────────
create policy "owners and admins read their tenant's audit log" on public.audit_log
  for select to authenticated
  using ((select private.has_capability(tenant_id, 'read_audit_log')));
create policy "platform admins read the whole audit log" on public.audit_log
  for select to authenticated
  using ((select private.is_platform_admin()));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on public.audit_log from anon, authenticated;
grant select on public.audit_log to authenticated;
-- Entries come only from the security-definer triggers and functions above, never from a caller.
revoke insert, update, delete, truncate on public.audit_log from service_role;
