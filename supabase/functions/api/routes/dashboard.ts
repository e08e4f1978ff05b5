import { type DashboardSummary, dashboardQuery } from "../../_shared/schemas/dashboard.ts";
import { parseQuery } from "../../_shared/validation.ts";
import { listExecutions } from "../queries/executions.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /dashboard — the current tenant (X-Tenant-Id) at a glance, for every member (analysts included):
 *   GET /dashboard   ?time_zone   active teams, runs today, success rate (30 days), spend this month
 *                                 against the monthly budget, the five newest runs           200
 * Read as the caller, so RLS decides; every query also names the tenant.
 */
export function dashboardRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const { time_zone: timeZone } = parseQuery(c, dashboardQuery);
    const tenantId = c.var.tenant.id;
    const summary = await c.var.asUser(async (tx) => {
      const [numbers] = await tx<Omit<DashboardSummary, "recent_executions">[]>`
        select
          (select count(*)::int from public.teams t where t.tenant_id = ${tenantId} and t.is_active) as active_teams,
          (select count(*)::int from public.executions e
            where e.tenant_id = ${tenantId}
              and e.created_at >= (date_trunc('day', now() at time zone ${timeZone}) at time zone ${timeZone})) as executions_today,
          (select case when count(*) = 0 then null
                       else round((count(*) filter (where e.status = 'completed'))::numeric / count(*), 4)::float8 end
            from public.executions e
            where e.tenant_id = ${tenantId} and e.status in ('completed', 'failed', 'cancelled')
              and e.created_at >= now() - interval '30 days') as success_rate_30d,
          -- The month as the budget check counts it (private.tenant_spend_this_month).
          (select coalesce(sum(l.cost_usd), 0)::float8 from public.usage_ledger l
            where l.tenant_id = ${tenantId} and l.recorded_at >= date_trunc('month', now())) as spend_this_month_usd,
          (select t.monthly_budget_usd::float8 from public.tenants t where t.id = ${tenantId}) as monthly_budget_usd`;
      const recent = await listExecutions(tx, {
        tenantId,
        page: 1,
        limit: 5,
        teamId: null,
        status: null,
        from: null,
        to: null,
        search: null,
      });
      return { ...numbers, recent_executions: recent.items };
    });
    return c.json(summary satisfies DashboardSummary);
  });

  return app;
}
