import { ApiError } from "../../_shared/errors.ts";
import { cancelInterviewBody, type Interview, interviewParams } from "../../_shared/schemas/projects.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { interviewColumns } from "../queries/interviews.ts";
import type { RouteDependencies } from "./context.ts";
import { routes } from "./context.ts";

/**
 * /interviews — one contact's run through a project's script, in the current tenant (X-Tenant-Id).
 *   GET  /interviews/:id          members: status, times, answers per question id, report   200, 404
 *   POST /interviews/:id/cancel   owners and admins: { reason } (audited)                   200, 403, 404, 422
 *   POST /interviews/:id/resend   owners and admins: an unanswered or expired invitation
 *                                 goes back to pending, to be sent again (audited)          200, 403, 404, 422
 * Another company's interview is 404. The database checks the caller in each function
 * (public.cancel_interview, public.resend_interview_invitation), platform admins included.
 */
export function interviewRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, interviewParams);
    const interview = await c.var.asUser((tx) => visibleInterview(tx, c.var.tenant.id, id));
    return c.json(interview satisfies Interview);
  });

  app.post("/:id/cancel", async (c) => {
    const { id } = parseParams(c, interviewParams);
    const { reason } = await parseJsonBody(c, cancelInterviewBody);
    const interview = await c.var.asUser(async (tx) => {
      await visibleInterview(tx, c.var.tenant.id, id);
      await tx`select public.cancel_interview(${id}, ${reason})`;
      return await visibleInterview(tx, c.var.tenant.id, id);
    });
    return c.json(interview satisfies Interview);
  });

  app.post("/:id/resend", async (c) => {
    const { id } = parseParams(c, interviewParams);
    const interview = await c.var.asUser(async (tx) => {
      await visibleInterview(tx, c.var.tenant.id, id);
      await tx`select public.resend_interview_invitation(${id})`;
      return await visibleInterview(tx, c.var.tenant.id, id);
    });
    return c.json(interview satisfies Interview);
  });

  return app;
}

async function visibleInterview(tx: TransactionSql, tenantId: string, id: string): Promise<Interview> {
  const [row] = await tx<{ interview: Interview }[]>`
    select ${interviewColumns(tx)} as interview
    from public.interviews i join public.contacts ct on ct.id = i.contact_id
    where i.id = ${id} and i.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "interview_not_found", "No interview with this id in this company.");
  return row.interview;
}
