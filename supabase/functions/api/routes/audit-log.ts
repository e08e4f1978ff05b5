import { type AuditEntry, type AuditLogPage, auditLogQuery } from "../../_shared/schemas/audit-log.ts";
import { parseQuery } from "../../_shared/validation.ts";
import { pageWindow, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /audit-log — every change in the current tenant (X-Tenant-Id), newest first, secrets redacted.
 *   GET    /audit-log    owners and admins of the tenant; ?table_name, action, record_id, actor_id,
 *                         from (inclusive), to (exclusive), paginated                     200, 403, 422
 */
export function auditLogRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    // RLS would answer other roles an empty log; they are told instead.
    requireCapability(c.var.tenant, "read_audit_log", "Only the company's owners and admins can read the audit log.");
    const query = parseQuery(c, auditLogQuery);
    const { limit, offset } = pageWindow(query);
    const tenantId = c.var.tenant.id;
    const page = await c.var.asUser(async (tx) => {
      const matching = tx`
        from public.audit_log l
        where l.tenant_id = ${tenantId}
          and (${query.table_name ?? null}::text is null or l.table_name = ${query.table_name ?? null})
          and (${query.action ?? null}::text is null or l.action = ${query.action ?? null})
          and (${query.record_id ?? null}::text is null or l.record_id = ${query.record_id ?? null})
          and (${query.actor_id ?? null}::uuid is null or l.actor_id = ${query.actor_id ?? null}::uuid)
          and (${query.from ?? null}::timestamptz is null or l.created_at >= ${query.from ?? null}::timestamptz)
          and (${query.to ?? null}::timestamptz is null or l.created_at < ${query.to ?? null}::timestamptz)`;
      const [{ total }] = await tx<{ total: number }[]>`select count(*)::int as total ${matching}`;
      const rows = await tx<{ entry: AuditEntry }[]>`
        select to_jsonb(l) as entry ${matching}
        order by l.created_at desc, l.id desc
        limit ${limit} offset ${offset}`;
      return { items: rows.map((row) => row.entry), total, page: query.page, limit };
    });
    return c.json(page satisfies AuditLogPage);
  });

  return app;
}
