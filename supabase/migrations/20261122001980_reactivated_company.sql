-- reactivated company (#13): what a suspended or inactive company had queued leaves as soon as it is
-- active again. While it is not active, private.claim_outbound_deliveries and
-- private.claim_notifications skip its replies and notices (they wait, pending) and the watchdogs
-- wake nobody for them. When its status becomes `active` again (public.admin_set_tenant_status, or
-- the service), this file's trigger wakes the `outbound` and `notify` functions at once (after
-- commit, through pg_net) when the company has anything pending, rather than leaving it to the
-- watchdogs' next passes (which pg_cron may run a minute late when its workers are busy).
--
-- Who may do what: nobody calls the trigger's function; it fires on the status change.
--
-- Who writes each table: none of its own.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- Internal trigger: wakes the delivery functions for a reactivated company's waiting jobs.
-- Security definer: it reads the private queue and calls the kicks, whoever changed the status.
create or replace function private.wake_deliveries_on_reactivation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select from private.outbound_deliveries d where d.tenant_id = new.id and d.status = 'pending') then
    perform private.kick_outbound();
  end if;
  if exists (select from public.notifications n where n.tenant_id = new.id and n.status = 'pending') then
    perform private.kick_notify();
  end if;
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger tenants_wake_deliveries_on_reactivation after update of status on public.tenants
  for each row when (new.status = 'active' and old.status is distinct from 'active')
  execute function private.wake_deliveries_on_reactivation();

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.wake_deliveries_on_reactivation() from public, anon, authenticated, service_role;
