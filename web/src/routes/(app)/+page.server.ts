// The dashboard: the company at a glance (active teams, runs today, success rate, spend against the
// monthly budget, the newest runs), the runs waiting for my approval, what happened lately, and the
// next step when something is missing.
import { can } from "$lib/capabilities";
import { agentPage } from "$schemas/agents.ts";
import { apiKeyList } from "$schemas/api-keys.ts";
import { auditLogPage } from "$schemas/audit-log.ts";
import { dashboardSummary } from "$schemas/dashboard.ts";
import { executionPage } from "$schemas/executions.ts";
import { createApi, currentTenants, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const activityLength = 8;

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  try {
    const { current } = await currentTenants(event);
    // Owners and admins see the company's audit trail; everyone else, the latest runs.
    const seesAuditLog = can(current, "read_audit_log");
    const [summary, agents, keys, activity, awaiting] = await Promise.all([
      api.get("/dashboard", dashboardSummary),
      api.get("/agents", agentPage, { limit: 1 }),
      api.get("/api-keys", apiKeyList),
      seesAuditLog
        ? api.get("/audit-log", auditLogPage, { limit: activityLength }).then((page) => ({ kind: "audit" as const, entries: page.items }))
        : api.get("/executions", executionPage, { limit: activityLength }).then((page) => ({ kind: "executions" as const, runs: page.items })),
      // Analysts may not decide: nothing waits for them.
      can(current, "run_teams") ? api.get("/executions", executionPage, { limit: 5, awaiting: "me" }) : null,
    ]);
    return {
      summary,
      activity,
      awaiting: awaiting ? { runs: awaiting.items, total: awaiting.total } : { runs: [], total: 0 },
      counts: {
        agents: agents.total,
        // The keys this company's agents can use: the user's personal ones and the company's.
        keys: keys.items.filter((key) => key.tenant_id === null || key.tenant_id === current?.id).length,
      },
    };
  } catch (cause) {
    pageError(cause);
  }
};
