import {
  type DeadLetter,
  deadLetterListQuery,
  type DeadLetterOutcome,
  type DeadLetterPage,
  deadLetterParams,
} from "../../_shared/schemas/dead-letters.ts";
import { parseParams, parseQuery } from "../../_shared/validation.ts";
import { decodeCursor, encodeCursor } from "../queries/keyset.ts";
import { requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /dead-letters — replies of the current tenant (X-Tenant-Id) that could not be delivered after
 * every retry, or whose sending was interrupted, for its owners and admins (manage_inboxes).
 *   GET  /dead-letters              ?inbox_id&limit&cursor, newest failure first → { items, next_cursor }   200, 403, 422
 *   POST /dead-letters/:id/retry    sends it again, once (the message is queued)                            200, 403, 404, 409
 *   POST /dead-letters/:id/discard  gives it up (the message stays failed, marked discarded)                 200, 403, 404
 * Another company's dead letter answers 404 (dead_letter_not_found). The database checks the caller in each function.
 */
export function deadLetterRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);
  app.use("*", async (c, next) => {
    requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can see, retry and discard failed messages.");
    await next();
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, deadLetterListQuery);
    const after = decodeCursor(query.cursor, { failed_at: "timestamp-or-null", id: "uuid" });
    const page = await c.var.asUser(async (tx) => {
      const rows = await tx<{ letter: DeadLetter }[]>`
        select to_jsonb(d) as letter
        from public.dead_letters(${c.var.tenant.id}, ${query.inbox_id ?? null}::uuid, ${after?.failed_at ?? null}::timestamptz,
                                 ${after?.id ?? null}::uuid, ${query.limit + 1}) d`;
      const items = rows.slice(0, query.limit).map((row) => row.letter);
      const last = items[items.length - 1];
      return { items, next_cursor: rows.length > query.limit ? encodeCursor({ failed_at: last.failed_at, id: last.id }) : null };
    });
    return c.json(page satisfies DeadLetterPage);
  });

  app.post("/:id/retry", async (c) => {
    const { id } = parseParams(c, deadLetterParams);
    const outcome = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ message_id: string }[]>`select public.retry_dead_letter(${c.var.tenant.id}, ${id}) as message_id`;
      return { message_id: row.message_id, status: "queued" } satisfies DeadLetterOutcome;
    });
    return c.json(outcome);
  });

  app.post("/:id/discard", async (c) => {
    const { id } = parseParams(c, deadLetterParams);
    const outcome = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ message_id: string }[]>`select public.discard_dead_letter(${c.var.tenant.id}, ${id}) as message_id`;
      return { message_id: row.message_id, status: "failed" } satisfies DeadLetterOutcome;
    });
    return c.json(outcome);
  });

  return app;
}
