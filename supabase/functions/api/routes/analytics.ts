import { ApiError } from "../../_shared/errors.ts";
import {
  type AgentConsumptionMonth,
  type AgentPerformanceDay,
  type AnalystLogin,
  analystLoginParams,
  type AnalyticsFreshness,
  analyticsRangeQuery,
  createAnalystLoginBody,
  type CreatedAnalystLogin,
  type FunnelPeriod,
  funnelQuery,
  type InboxConsumptionMonth,
  type ResponseTimesDay,
  responseTimesQuery,
  type TeamPerformanceDay,
} from "../../_shared/schemas/analytics.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /analytics — the current tenant's (X-Tenant-Id) analytics views for the web app's charts, for
 * every member, and the SQL logins of its analysts, for owners and admins (manage_analytics):
 *   GET    /analytics/team-performance     ?from&to (UTC days)     one row per day and team        200, 422
 *   GET    /analytics/agent-performance    ?from&to (UTC days)     one row per day and agent       200, 422
 *   GET    /analytics/inbox-consumption    ?from&to (UTC months)   one row per month and inbox     200, 422
 *   GET    /analytics/agent-consumption    ?from&to (UTC months)   one row per month and agent     200, 422
 *   GET    /analytics/funnel               ?from&to (UTC days)&grain=day|week|month&inbox_id         200, 404, 422
 *                                          conversation funnel per period (week: ISO, from Monday)
 *   GET    /analytics/response-times       ?from&to (UTC days)&inbox_id   per day, inbox, bot|person      200, 404, 422
 *   GET    /analytics/freshness            when each view was refreshed                            200
 *   GET    /analytics/logins               the company's SQL logins, without passwords             200, 403
 *   POST   /analytics/logins               a new login; its password, shown only here              201, 403, 409, 422
 *   DELETE /analytics/logins/:role_name    revokes: ends its sessions, drops the role              204, 403, 404
 * Read as the caller: the public.analytics_* functions return only a company the caller belongs
 * to, and RLS on analyst_logins lets only managers see and revoke. An inbox_id that is not one of
 * the company's inboxes (another company's included) is 404 inbox_not_found, raised by the SQL.
 */
export function analyticsRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/team-performance", async (c) => {
    const { from, to } = parseQuery(c, analyticsRangeQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<TeamPerformanceDay[]>`
        select to_char(p.day, 'YYYY-MM-DD') as day, p.team_id, t.name as team_name, p.runs, p.succeeded, p.failed, p.cancelled,
               p.success_rate::float8 as success_rate, p.duration_p50_ms::float8 as duration_p50_ms,
               p.duration_p95_ms::float8 as duration_p95_ms, p.input_tokens::float8 as input_tokens,
               p.output_tokens::float8 as output_tokens, p.cost_usd::float8 as cost_usd, p.cost_per_run_usd::float8 as cost_per_run_usd,
               p.retries::float8 as retries, p.timeouts
        from public.analytics_team_performance(${tenantId}, ${from ?? null}::date, ${to ?? null}::date) p
        left join public.teams t on t.id = p.team_id
        order by p.day, t.name nulls last`
    );
    return c.json({ items });
  });

  app.get("/agent-performance", async (c) => {
    const { from, to } = parseQuery(c, analyticsRangeQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<AgentPerformanceDay[]>`
        select to_char(p.day, 'YYYY-MM-DD') as day, p.agent_id, a.name as agent_name, p.runs, p.succeeded, p.failed,
               p.success_rate::float8 as success_rate, p.duration_p50_ms::float8 as duration_p50_ms,
               p.duration_p95_ms::float8 as duration_p95_ms, p.input_tokens::float8 as input_tokens,
               p.output_tokens::float8 as output_tokens, p.cost_usd::float8 as cost_usd, p.cost_per_run_usd::float8 as cost_per_run_usd,
               p.retries::float8 as retries, p.timeouts
        from public.analytics_agent_performance(${tenantId}, ${from ?? null}::date, ${to ?? null}::date) p
        left join public.agents a on a.id = p.agent_id
        order by p.day, a.name nulls last`
    );
    return c.json({ items });
  });

  app.get("/inbox-consumption", async (c) => {
    const { from, to } = parseQuery(c, analyticsRangeQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<InboxConsumptionMonth[]>`
        select to_char(p.month, 'YYYY-MM-DD') as month, p.inbox_id, i.display_name as inbox_name,
               p.messages_in::float8 as messages_in, p.messages_out::float8 as messages_out,
               p.conversations_started::float8 as conversations_started, p.input_tokens::float8 as input_tokens,
               p.output_tokens::float8 as output_tokens, p.cost_usd::float8 as cost_usd, p.active_days
        from public.analytics_inbox_consumption(${tenantId}, ${from ?? null}::date, ${to ?? null}::date) p
        left join public.inboxes i on i.id = p.inbox_id
        order by p.month, i.display_name nulls last`
    );
    return c.json({ items });
  });

  app.get("/agent-consumption", async (c) => {
    const { from, to } = parseQuery(c, analyticsRangeQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<AgentConsumptionMonth[]>`
        select to_char(p.month, 'YYYY-MM-DD') as month, p.agent_id, a.name as agent_name, p.steps, p.runs,
               p.input_tokens::float8 as input_tokens, p.output_tokens::float8 as output_tokens, p.cost_usd::float8 as cost_usd
        from public.analytics_agent_consumption(${tenantId}, ${from ?? null}::date, ${to ?? null}::date) p
        left join public.agents a on a.id = p.agent_id
        order by p.month, a.name nulls last`
    );
    return c.json({ items });
  });

  app.get("/funnel", async (c) => {
    const { from, to, grain, inbox_id } = parseQuery(c, funnelQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<FunnelPeriod[]>`
        select to_char(f.period, 'YYYY-MM-DD') as period, f.new_contacts, f.conversations_started, f.answered_by_bot,
               f.handed_to_person, f.qualified, f.customers, f.lost, f.reopened
        from public.analytics_lead_funnel(${tenantId}, ${from ?? null}::date, ${to ?? null}::date, ${grain}, ${inbox_id ?? null}::uuid) f
        order by f.period`
    );
    return c.json({ items });
  });

  app.get("/response-times", async (c) => {
    const { from, to, inbox_id } = parseQuery(c, responseTimesQuery);
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<ResponseTimesDay[]>`
        select to_char(r.day, 'YYYY-MM-DD') as day, r.inbox_id, i.display_name as inbox_name, r.responder, r.replies,
               r.reply_p50_ms::float8 as reply_p50_ms, r.reply_p90_ms::float8 as reply_p90_ms, r.first_responses,
               r.first_response_p50_ms::float8 as first_response_p50_ms, r.first_response_p90_ms::float8 as first_response_p90_ms
        from public.analytics_response_times(${tenantId}, ${from ?? null}::date, ${to ?? null}::date, ${inbox_id ?? null}::uuid) r
        left join public.inboxes i on i.id = r.inbox_id
        order by r.day, i.display_name nulls last, r.responder`
    );
    return c.json({ items });
  });

  app.get("/freshness", async (c) => {
    const items = await c.var.asUser((tx) =>
      tx<AnalyticsFreshness[]>`
        select f.view_name, extract(epoch from f.refresh_every)::int as refresh_every_seconds, f.refreshed_at, f.last_attempt_at,
               f.last_duration_ms, f.last_error is not null as failed, f.next_due_at
        from public.analytics_freshness() f`
    );
    return c.json({ items });
  });

  app.get("/logins", async (c) => {
    requireCapability(c.var.tenant, "manage_analytics", "Only the company's owners and admins can see its SQL logins.");
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser((tx) =>
      tx<AnalystLogin[]>`
        select l.role_name, l.connection_limit, l.statement_timeout_ms, l.created_by, l.created_at
        from public.analyst_logins l where l.tenant_id = ${tenantId}
        order by l.created_at, l.role_name`
    );
    return c.json({ items });
  });

  app.post("/logins", async (c) => {
    requireCapability(c.var.tenant, "manage_analytics", "Only the company's owners and admins can create SQL logins.");
    const body = await parseJsonBody(c, createAnalystLoginBody);
    const tenantId = c.var.tenant.id;
    const created = await c.var.asUser(async (tx) => {
      const [login] = await tx<CreatedAnalystLogin[]>`
        select l.role_name, l.password, l.connection_limit, l.statement_timeout_ms, (select auth.uid()) as created_by, l.created_at
        from public.create_analyst_login(${tenantId}, ${body.connection_limit}, ${body.statement_timeout_ms}) l`;
      return login;
    });
    // The password is never stored in plain text: this answer must not be cached anywhere.
    c.header("Cache-Control", "no-store");
    return c.json(created, 201);
  });

  app.delete("/logins/:role_name", async (c) => {
    requireCapability(c.var.tenant, "manage_analytics", "Only the company's owners and admins can revoke SQL logins.");
    const { role_name: roleName } = parseParams(c, analystLoginParams);
    const tenantId = c.var.tenant.id;
    await c.var.asUser(async (tx) => {
      const revoked = await tx`
        delete from public.analyst_logins l where l.role_name = ${roleName} and l.tenant_id = ${tenantId} returning l.role_name`;
      if (revoked.length === 0) throw analystLoginNotFound();
    });
    return c.body(null, 204);
  });

  return app;
}

const analystLoginNotFound = () => new ApiError(404, "analyst_login_not_found", "There is no such SQL login in this company.");
