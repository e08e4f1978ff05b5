import { ApiError } from "../../_shared/errors.ts";
import {
  type AdminCommandAnswer,
  adminCommandListQuery,
  type AdminCommandPage,
  runAdminCommandBody,
} from "../../_shared/schemas/admin-commands.ts";
import { parseJsonBody, parseQuery } from "../../_shared/validation.ts";
import { routes } from "./context.ts";

/**
 * /admin/commands — the audited admin console (mounted by adminRoutes, which signs the caller in).
 * public.run_admin_command decides who may run what: platform admins every command, a company's
 * owner the company-scoped ones on its own targets; each run is recorded, failed ones too.
 *   POST /admin/commands   { command, target_id, arguments?, reason? } → { command: the log entry,   200, 403, 404, 422
 *                          output: the export for export_contact }; a command that ran and failed
 *                          is recorded and answered as its error (details.command_id names the entry)
 *   GET  /admin/commands   ?tenant_id&command&before(id)&limit: the log the caller may read, newest  200, 422
 *                          first → { items, next_before }
 */
export function adminCommandRoutes() {
  const app = routes();

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, runAdminCommandBody);
    // The entry is committed before a failure is answered: the log keeps failed commands too.
    const answer = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ answer: AdminCommandAnswer }[]>`
        select public.run_admin_command(${body.command}::public.admin_command, ${body.target_id},
                                        ${tx.json((body.arguments ?? {}) as never)}, ${body.reason ?? null}) as answer`;
      return row.answer;
    });
    const failure = answer.command.error;
    if (failure) throw commandFailure(failure, answer.command.id);
    return c.json(answer satisfies AdminCommandAnswer);
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, adminCommandListQuery);
    const page = await c.var.asUser(async (tx) => {
      const rows = await tx<{ entry: AdminCommandPage["items"][number] }[]>`
        select to_jsonb(a) as entry from public.admin_commands a
        where (${query.tenant_id ?? null}::uuid is null or a.tenant_id = ${query.tenant_id ?? null}::uuid)
          and (${query.command ?? null}::public.admin_command is null or a.command = ${query.command ?? null}::public.admin_command)
          and (${query.before ?? null}::bigint is null or a.id < ${query.before ?? null}::bigint)
        order by a.id desc
        limit ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => row.entry);
      return { items, next_before: rows.length > query.limit ? items[items.length - 1].id : null };
    });
    return c.json(page satisfies AdminCommandPage);
  });

  return app;
}

/** A recorded failure as the one error shape: its code, and a status from its SQLSTATE. */
function commandFailure(failure: { state: string; code: string; message: string }, commandId: number): ApiError {
  const status = failure.state === "42501" ? 403
    : failure.state === "P0002" ? 404
    : ["40001", "40P01", "55P03"].includes(failure.state) ? 409
    : failure.state === "P0001" || failure.state.startsWith("22") || failure.state.startsWith("23") ? 422
    : 500;
  // Our SQL's refusals are written for people; anything else stays in the log only.
  const message = failure.code === "command_failed" ? "The command failed; the log has what happened." : failure.message;
  return new ApiError(status, status === 500 ? "command_failed" : failure.code, message, { details: { command_id: commandId } });
}
