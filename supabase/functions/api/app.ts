import { createFunctionApp } from "../_shared/function-app.ts";
import type { Sql } from "../_shared/db.ts";
import { noInvitationMail, type SendInvitationMail } from "../_shared/invitation-mail.ts";
import { functionAuth } from "../_shared/function-auth.ts";
import type { JwtVerifierConfig } from "../_shared/jwt.ts";
import { type ProviderEndpoints, providerEndpointsFromEnv } from "../_shared/provider-key-check.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { tenantContext } from "../_shared/tenant-context.ts";
import { adminRoutes } from "./routes/admin.ts";
import { analyticsRoutes } from "./routes/analytics.ts";
import { agentRoutes } from "./routes/agents.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { customerRoutes, qualificationRequestRoutes, qualificationRuleRoutes } from "./routes/leads.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { inboxRoutes } from "./routes/inboxes.ts";
import { responderDefaultRoutes } from "./routes/responders.ts";
import { documentRoutes } from "./routes/documents.ts";
import { knowledgeBaseRoutes } from "./routes/knowledge-bases.ts";
import { auditLogRoutes } from "./routes/audit-log.ts";
import { webhookEventRoutes } from "./routes/webhook-events.ts";
import type { RemoveDocumentObjects, RouteDependencies } from "./routes/context.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { executionRoutes } from "./routes/executions.ts";
import { invitationRoutes } from "./routes/invitations.ts";
import { meRoutes } from "./routes/me.ts";
import { memberRoutes } from "./routes/members.ts";
import { shareRoutes } from "./routes/shares.ts";
import { teamRoutes } from "./routes/teams.ts";
import { tenantRoutes } from "./routes/tenants.ts";
import { providerRoutes } from "./routes/providers.ts";
import { companyToolRoutes } from "./routes/company-tools.ts";
import { mcpCallRoutes } from "./routes/mcp-calls.ts";
import { mcpTokenRoutes } from "./routes/mcp-tokens.ts";
import { toolRoutes } from "./routes/tools.ts";
import { interviewRoutes } from "./routes/interviews.ts";
import { projectRoutes } from "./routes/projects.ts";

export interface ApiDependencies {
  /** A postgres.js pool (SUPABASE_DB_URL; the transaction pooler in production). */
  sql: Sql;
  /** How access tokens are verified: the legacy secret and/or the project's JWKS (project-keys.ts). */
  jwt: JwtVerifierConfig;
  /** Browser origins allowed to call the API (WEB_ORIGINS). */
  webOrigins: string[];
  /** Where provider keys are tested (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, WHATSAPP_GRAPH_URL, ...). */
  providers?: ProviderEndpoints;
  logSink?: LogSink;
  /**
   * Wakes the execution engine after POST /teams/:id/execute, without waiting (index.ts: a call to
   * the `executor` function kept alive by EdgeRuntime.waitUntil). Nothing when not given (tests).
   */
  kickEngine?: () => void;
  /**
   * The public base of the functions, for the webhook URLs people paste into Meta, Z-API and
   * Evolution (index.ts: PUBLIC_FUNCTIONS_URL, else SUPABASE_URL + /functions/v1).
   */
  functionsUrl?: string;
  /** E-mails invitation links (index.ts: through Supabase Auth). Inviting answers 503 when not given (tests). */
  sendInvitationMail?: SendInvitationMail;
  /** Deleted documents' files out of Storage (index.ts: the service key); none in tests that never upload. */
  removeDocumentObjects?: RemoveDocumentObjects;
}

export interface MeResponse {
  user: { id: string; email: string | null };
  memberships: { tenant_id: string; role: string }[];
}

/**
 * The `api` function: Renum's HTTP API for the web app and integrators, at
 * `/functions/v1/api/v1/...` (the function sees `/api/v1/...`). Every route authenticates the
 * caller itself (the gateway's verify_jwt is off for this function, see supabase/config.toml) and
 * reads and writes as that user inside one transaction, so RLS decides what it may see and do.
 */
export function buildApiApp(
  { sql, jwt, webOrigins, providers, logSink, kickEngine, sendInvitationMail, functionsUrl, removeDocumentObjects }: ApiDependencies,
) {
  const app = createFunctionApp({ basePath: "/api/v1", webOrigins, logSink });
  const signedIn = functionAuth({ ...jwt, serviceKeys: [] }, sql).user;
  const routeDependencies: RouteDependencies = {
    sql,
    signedIn,
    inTenant: tenantContext(sql),
    providers: providers ?? providerEndpointsFromEnv(() => undefined),
    sendInvitationMail: sendInvitationMail ?? noInvitationMail,
    functionsUrl: functionsUrl ?? "/functions/v1",
    removeDocumentObjects: removeDocumentObjects ?? (async () => {}),
  };

  // GET /api/v1/health — the function is up; no auth, no database (the `health` function checks that).
  app.get("/health", (c) => c.json({ status: "ok" as const }));

  // GET /api/v1/me — who the token says the caller is, as the database sees it, and their tenants.
  app.get("/me", signedIn, async (c) => {
    const me = await c.var.asUser(async (tx) => {
      const [user] = await tx<{ id: string; email: string | null }[]>`
        select (select auth.uid()) as id, (select auth.jwt() ->> 'email') as email`;
      const memberships = await tx<{ tenant_id: string; role: string }[]>`
        select m.tenant_id, m.role::text as role
        from public.memberships m
        where m.user_id = (select auth.uid())
        order by m.created_at, m.tenant_id`;
      return { user: { id: user.id, email: user.email || null }, memberships: [...memberships] };
    });
    return c.json(me satisfies MeResponse);
  });

  // One resource group per file in routes/, each listing its endpoints, who may call them and
  // what they answer. Tenant-scoped groups work in the X-Tenant-Id tenant.
  app.route("/me", meRoutes(routeDependencies));
  app.route("/tenants", tenantRoutes(routeDependencies));
  app.route("/members", memberRoutes(routeDependencies));
  app.route("/invitations", invitationRoutes(routeDependencies));
  app.route("/agents", agentRoutes(routeDependencies));
  app.route("/shares", shareRoutes(routeDependencies));
  app.route("/tools/company", companyToolRoutes(routeDependencies));
  app.route("/mcp-tokens", mcpTokenRoutes(routeDependencies));
  app.route("/mcp-calls", mcpCallRoutes(routeDependencies));
  app.route("/tools", toolRoutes(routeDependencies));
  app.route("/providers", providerRoutes(routeDependencies));
  app.route("/audit-log", auditLogRoutes(routeDependencies));
  app.route("/admin", adminRoutes(routeDependencies));
  app.route("/api-keys", apiKeyRoutes(routeDependencies));
  app.route("/teams", teamRoutes(routeDependencies, { kickEngine: kickEngine ?? (() => {}) }));
  app.route("/executions", executionRoutes(routeDependencies));
  app.route("/dashboard", dashboardRoutes(routeDependencies));
  app.route("/inboxes", inboxRoutes(routeDependencies));
  app.route("/responder-defaults", responderDefaultRoutes(routeDependencies));
  app.route("/contacts", contactRoutes(routeDependencies));
  app.route("/qualification-requests", qualificationRequestRoutes(routeDependencies));
  app.route("/qualification-rules", qualificationRuleRoutes(routeDependencies));
  app.route("/customers", customerRoutes(routeDependencies));
  app.route("/conversations", conversationRoutes(routeDependencies));
  app.route("/webhook-events", webhookEventRoutes(routeDependencies));
  app.route("/analytics", analyticsRoutes(routeDependencies));
  // Knowledge (issue 14).
  app.route("/knowledge-bases", knowledgeBaseRoutes(routeDependencies));
  app.route("/documents", documentRoutes(routeDependencies));
  // Outbound delivery (#13): replies that failed after every retry.
  app.route("/dead-letters", deadLetterRoutes(routeDependencies));
  app.route("/notifications", notificationRoutes(routeDependencies));
  // Projects and interviews (#17).
  app.route("/projects", projectRoutes(routeDependencies));
  app.route("/interviews", interviewRoutes(routeDependencies));

  return app;
}

