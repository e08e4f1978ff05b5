import type { Handler } from "hono";
import { ApiError } from "../../_shared/errors.ts";
import {
  approveStepBody,
  executeTeamBody,
  executionListQuery,
  type ExecutionLogPage,
  executionLogQuery,
  type ExecutionPage,
  executionParams,
  type ExecutionResult,
  executionStepParams,
  rejectStepBody,
  type ExecutionStarted,
  type ExecutionStatusResponse,
} from "../../_shared/schemas/executions.ts";
import { teamParams } from "../../_shared/schemas/teams.ts";
import { parseJsonBody, parseOptionalJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { pdfExportQuery, profileLocale } from "../exports/pdf-words.ts";
import { runPdf } from "../exports/run-pdf.ts";
import { executionLog, executionResult, executionStatus, listExecutions } from "../queries/executions.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import type { RouteDependencies, RouteEnv } from "./context.ts";
import { routes } from "./context.ts";

export interface ExecutionDependencies {
  /**
   * Wakes the engine (the `executor` function) without waiting for it; may throw or do nothing.
   * A run does not depend on it: the database also wakes the engine when a run starts, and a
   * scheduled job does every minute while runs are in flight.
   */
  kickEngine: () => void;
}

/**
 * /executions — the current tenant's runs (X-Tenant-Id). Members, analysts included, read them;
 * owners, admins and members start (POST /teams/:id/execute, below) and stop them.
 *   GET  /executions                 ?team_id&status&from&to&search&awaiting=me&page&limit (ISO 8601; from ≤ created_at < to)  200
 *   GET  /executions/:id/status      progress and each agent's step                                       200, 404
 *   GET  /executions/:id/result      the answer (null until finished: always 200) and its cost            200, 404
 *   GET  /executions/:id/logs        the event log by seq; ?limit&offset&after_seq                       200, 404
 *   GET  /executions/:id/export.pdf  ?locale=pt-BR|en (default: the caller's profile): the run as a PDF —  200, 404, 422
 *                                    result, each agent's part and cost (exports/run-pdf.ts)
 *   POST /executions/:id/stop        cancels at once; a finished run is answered as it is                 200, 403, 404
 *   POST /executions/:id/steps/:step_id/approve  { output? } (or no body) approves the agent's output waiting for  200, 403, 404, 409, 422
 *                                    approval, replaced by `output` when given; the run goes on
 *   POST /executions/:id/steps/:step_id/reject   { reason } rejects it: the step fails, and the run   200, 403, 404, 409, 422
 *                                    stops or goes on by the team's continue-on-error setting
 *     (approvers only: owners, admins and the members the team agent names — 403
 *     approval_not_approver; 409 approval_not_waiting once decided or the run ended; both answer the
 *     run's status as GET /status does)
 * Another company's run answers 404, as does a run of another of the caller's companies.
 */
export function executionRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, executionListQuery);
    const page = await c.var.asUser((tx) =>
      listExecutions(tx, {
        tenantId: c.var.tenant.id,
        page: query.page,
        limit: query.limit,
        teamId: query.team_id ?? null,
        status: query.status ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        search: query.search?.trim() || null,
        awaitingMe: query.awaiting === "me",
      }));
    return c.json(page satisfies ExecutionPage);
  });

  app.get("/:id/status", async (c) => {
    const { id } = parseParams(c, executionParams);
    const status = await c.var.asUser((tx) => executionStatus(tx, c.var.tenant.id, id));
    if (!status) throw executionNotFound();
    return c.json(status satisfies ExecutionStatusResponse);
  });

  app.get("/:id/result", async (c) => {
    const { id } = parseParams(c, executionParams);
    const result = await c.var.asUser((tx) => executionResult(tx, c.var.tenant.id, id));
    if (!result) throw executionNotFound();
    return c.json(result satisfies ExecutionResult);
  });

  app.get("/:id/export.pdf", async (c) => {
    const { id } = parseParams(c, executionParams);
    const query = parseQuery(c, pdfExportQuery);
    const tenantId = c.var.tenant.id;
    const document = await c.var.asUser(async (tx) => {
      const status = await executionStatus(tx, tenantId, id);
      if (!status) throw executionNotFound();
      const result = (await executionResult(tx, tenantId, id))!;
      const [company] = await tx<{ name: string }[]>`select t.name from public.tenants t where t.id = ${tenantId}`;
      return { status, result, companyName: company.name, locale: query.locale ?? await profileLocale(tx) };
    });
    const bytes = await runPdf({ ...document, generatedAt: new Date() });
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="renum-run-${id.slice(0, 8)}.pdf"`,
      "cache-control": "no-store",
    });
  });

  app.get("/:id/logs", async (c) => {
    const { id } = parseParams(c, executionParams);
    const query = parseQuery(c, executionLogQuery);
    const page = await c.var.asUser((tx) =>
        executionLog(tx, c.var.tenant.id, id, { limit: query.limit, offset: query.offset, afterSeq: query.after_seq }),
    );
    if (!page) throw executionNotFound();
    return c.json(page satisfies ExecutionLogPage);
  });

  app.post("/:id/stop", async (c) => {
    const { id } = parseParams(c, executionParams);
    const tenantId = c.var.tenant.id;
    const status = await c.var.asUser(async (tx) => {
      const [run] = await tx`select 1 from public.executions e where e.id = ${id} and e.tenant_id = ${tenantId}`;
      if (!run) throw executionNotFound();
      // Raises 42501 for analysts (403); cancels the steps that have not finished.
      await tx`select 1 from public.stop_execution(${id})`;
      return (await executionStatus(tx, tenantId, id))!;
    });
    return c.json(status satisfies ExecutionStatusResponse);
  });

  app.post("/:id/steps/:step_id/approve", async (c) => {
    const { id, step_id } = parseParams(c, executionStepParams);
    const body = await parseOptionalJsonBody(c, approveStepBody);
    const status = await decideStep(c.var.asUser, c.var.tenant.id, id, step_id, (tx) =>
      tx`select 1 from public.approve_execution_step(${step_id}, ${body.output ?? null})`);
    return c.json(status satisfies ExecutionStatusResponse);
  });

  app.post("/:id/steps/:step_id/reject", async (c) => {
    const { id, step_id } = parseParams(c, executionStepParams);
    const body = await parseJsonBody(c, rejectStepBody);
    const status = await decideStep(c.var.asUser, c.var.tenant.id, id, step_id, (tx) =>
      tx`select 1 from public.reject_execution_step(${step_id}, ${body.reason})`);
    return c.json(status satisfies ExecutionStatusResponse);
  });

  return app;
}

/**
 * Runs a decision on a step of one of the current company's runs and answers the run's status. A
 * step of another run (or company) is 404 before the database is asked, so the step id in the
 * path can only name a step of the run in the path.
 */
function decideStep(
  asUser: RouteEnv["Variables"]["asUser"],
  tenantId: string,
  executionId: string,
  stepId: string,
  decide: (tx: TransactionSql) => Promise<unknown>,
): Promise<ExecutionStatusResponse> {
  return asUser(async (tx) => {
    const [step] = await tx`
      select 1 from public.execution_steps s
      where s.id = ${stepId} and s.execution_id = ${executionId} and s.tenant_id = ${tenantId}`;
    if (!step) throw new ApiError(404, "not_found", "Execution step not found.");
    await decide(tx);
    return (await executionStatus(tx, tenantId, executionId))!;
  });
}

/**
 * POST /teams/:id/execute (mounted by teams.ts) — starts a run of the team on `initial_prompt`:
 * 202 `{ execution_id, status }` at once (`running`, or `pending` while the company's plan has no
 * room for another run in flight), then wakes the engine without waiting. 402 `budget_exhausted`
 * when the monthly budget is spent, 403 for analysts and suspended companies, 404 for a team that
 * is not the current company's, 422 for an inactive team or one without agents.
 */
export function executeTeam({ kickEngine }: ExecutionDependencies): Handler<RouteEnv> {
  return async (c) => {
    const { id } = parseParams(c, teamParams);
    const body = await parseJsonBody(c, executeTeamBody);
    const tenantId = c.var.tenant.id;
    const started = await c.var.asUser(async (tx) => {
      const [team] = await tx`select 1 from public.teams t where t.id = ${id} and t.tenant_id = ${tenantId}`;
      if (!team) throw new ApiError(404, "not_found", "Team not found.");
      const [run] = await tx<ExecutionStarted[]>`
        select e.id as execution_id, e.status
        from public.start_execution(${id}, ${body.initial_prompt}, ${tx.json((body.variables ?? {}) as never)}) e`;
      return run;
    });
    try {
      kickEngine();
    } catch (error) {
      c.var.log("warn", "could not wake the engine; the database's own kick will", { error: String(error) });
    }
    return c.json(started satisfies ExecutionStarted, 202, {
      Location: `/functions/v1/api/v1/executions/${started.execution_id}/status`,
    });
  };
}

function executionNotFound(): ApiError {
  return new ApiError(404, "not_found", "Execution not found.");
}
