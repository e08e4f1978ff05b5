-- company budget (#18): the company's owners set its monthly budget in the settings (start_execution
-- already refuses a run the budget cannot cover, 402 budget_exhausted), and a dollar-to-real rate
-- so people see costs in BRL too; the ledger stays in USD. When this month's spend crosses 80 % of
-- the budget, the owners hear it once per month (the `budget_80` notification, when the
-- notifications' private.notify, 20261122001970).

-- A rate the company chooses (R$ per US$); null = costs in USD only.
alter table public.tenants add column usd_brl_rate numeric(10, 4)
  constraint tenants_usd_brl_rate_range check (usd_brl_rate > 0 and usd_brl_rate <= 1000);

-- The months whose 80 % notice went out, one row per company and month (the notice is sent once).
create table private.budget_notices (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  month date not null,
  budget_usd numeric(12, 2) not null,
  spent_usd numeric(14, 6) not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, month)
);
alter table private.budget_notices enable row level security;
revoke all on private.budget_notices from public, anon, authenticated;
comment on table private.budget_notices is
  'Each company''s month whose spend crossed 80 % of its budget, written once by the ledger''s trigger. Internal.';

-- Security definer with a reason: the budget and the rate are not among the columns members may
-- update (grants), so only this function, which checks the caller is an owner, writes them.
--
-- Sets the company's monthly budget (US$, null = no limit) and its US$→R$ rate (null = none).
-- Owners only: raises 42501 budget_owner_only for anyone else, P0002 not_found when the caller is
-- not a member, 42501 tenant_read_only for a suspended or inactive company, 23514 on a negative
-- budget or a rate out of range.
create function public.set_company_budget(target_tenant_id uuid, monthly_budget_usd numeric, usd_brl_rate numeric)
returns public.tenants
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed public.tenants;
begin
  if not private.is_member(target_tenant_id) then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'company not found';
  end if;
  if not private.has_role(target_tenant_id, array['owner']::public.member_role[]) then
    raise exception using errcode = '42501', constraint = 'budget_owner_only',
      message = 'only the company''s owners set its budget and currency rate';
  end if;
  perform private.assert_tenant_writable(target_tenant_id);
  update public.tenants t
  set monthly_budget_usd = set_company_budget.monthly_budget_usd, usd_brl_rate = set_company_budget.usd_brl_rate
  where t.id = target_tenant_id
  returning * into changed;
  return changed;
end;
$$;
comment on function public.set_company_budget(uuid, numeric, numeric) is
  'Sets the tenant''s monthly budget (USD) and USD→BRL rate. Owners of the tenant only. Raises P0002 '
  'not_found, 42501 budget_owner_only or tenant_read_only, 23514 out of range.';

-- Security definer with a reason: it runs in the engine's transaction that records usage and reads
-- and writes what no member may (the month's spend, the notices).
--
-- After a usage row: when the month's spend has reached 80 % of the budget and this month's notice
-- has not gone out, record it and tell the owners (private.notify, from the notifications domain,
-- 20261122001970). Raises nothing of its own.
create function private.notice_budget_80()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  budget numeric;
  spent numeric;
  noticed boolean;
begin
  select t.monthly_budget_usd into budget from public.tenants t where t.id = new.tenant_id;
  if budget is null or budget = 0 then
    return null;
  end if;
  if exists (select 1 from private.budget_notices n where n.tenant_id = new.tenant_id and n.month = date_trunc('month', now())::date) then
    return null;
  end if;
  spent := private.tenant_spend_this_month(new.tenant_id);
  if spent < budget * 0.8 then
    return null;
  end if;
  insert into private.budget_notices (tenant_id, month, budget_usd, spent_usd)
  values (new.tenant_id, date_trunc('month', now())::date, budget, spent)
  on conflict do nothing
  returning true into noticed;
  if noticed then
    perform private.notify(new.tenant_id, 'budget_80',
          pg_catalog.jsonb_build_object('monthly_budget_usd', budget, 'spent_usd', round(spent, 2),
                                        'share', round(spent / budget, 4), 'month', date_trunc('month', now())::date));
  end if;
  return null;
end;
$$;
comment on function private.notice_budget_80() is
  'After-insert trigger on usage_ledger: the month''s 80 % budget notice, once per company and month. Internal.';

create trigger usage_ledger_notice_budget_80 after insert on public.usage_ledger
  for each row execute function private.notice_budget_80();

revoke all on function public.set_company_budget(uuid, numeric, numeric) from public, anon;
revoke all on function private.notice_budget_80() from public, anon, authenticated;
grant execute on function public.set_company_budget(uuid, numeric, numeric) to authenticated;
