import { ApiError } from "../../_shared/errors.ts";
import {
  type WebhookEvent,
  webhookEventListQuery,
  type WebhookEventPage,
  webhookEventParams,
} from "../../_shared/schemas/webhook-events.ts";
import { parseParams, parseQuery } from "../../_shared/validation.ts";
import { pageWindow, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /webhook-events — what WhatsApp providers posted to the current tenant's inboxes (X-Tenant-Id),
 * for its owners and admins (manage_inboxes), to see why a message did not arrive and replay it.
 *   GET  /webhook-events             ?status&inbox_id&from&to&page&limit, newest first, without bodies   200, 403, 422
 *   GET  /webhook-events/:id         one event with its raw body                                          200, 403, 404
 *   POST /webhook-events/:id/replay  processes a failed or ignored event again, now; answers how it went   200, 403, 404, 409
 * Another company's event answers 404.
 */
export function webhookEventRoutes({ sql, signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);
  app.use("*", async (c, next) => {
    // RLS would answer other roles an empty list; they are told instead.
    requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can see webhook events.");
    await next();
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, webhookEventListQuery);
    const { limit, offset } = pageWindow(query);
    const tenantId = c.var.tenant.id;
    const page = await c.var.asUser(async (tx) => {
      const matching = tx`
        from public.webhook_events e
        where e.tenant_id = ${tenantId}
          and (${query.status ?? null}::public.webhook_event_status is null or e.status = ${query.status ?? null}::public.webhook_event_status)
          and (${query.inbox_id ?? null}::uuid is null or e.inbox_id = ${query.inbox_id ?? null}::uuid)
          and (${query.from ?? null}::timestamptz is null or e.received_at >= ${query.from ?? null}::timestamptz)
          and (${query.to ?? null}::timestamptz is null or e.received_at < ${query.to ?? null}::timestamptz)`;
      const [{ total }] = await tx<{ total: number }[]>`select count(*)::int as total ${matching}`;
      const rows = await tx<{ event: WebhookEvent }[]>`
        select to_jsonb(e) - 'raw_body' - 'body_sha256' as event ${matching}
        order by e.received_at desc, e.id desc
        limit ${limit} offset ${offset}`;
      return { items: rows.map((row) => row.event), total, page: query.page, limit };
    });
    return c.json(page satisfies WebhookEventPage);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, webhookEventParams);
    const tenantId = c.var.tenant.id;
    const event = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ event: WebhookEvent }[]>`
        select to_jsonb(e) - 'body_sha256' as event from public.webhook_events e where e.id = ${id} and e.tenant_id = ${tenantId}`;
      return row?.event;
    });
    if (!event) throw webhookEventNotFound();
    return c.json(event);
  });

  app.post("/:id/replay", async (c) => {
    const { id } = parseParams(c, webhookEventParams);
    const tenantId = c.var.tenant.id;
    await c.var.asUser(async (tx) => {
      const [row] = await tx`select 1 from public.webhook_events e where e.id = ${id} and e.tenant_id = ${tenantId}`;
      if (!row) throw webhookEventNotFound();
      // Checks the caller (manage_inboxes) and the event (webhook_event_already_processed, 409), and
      // makes it due now.
      await tx`select public.replay_webhook_event(${id})`;
    });
    // Processed at once, as the service role (it records messages), so the answer says how it went;
    // if this fails the event stays due and the pg_cron job processes it within a minute.
    await sql`select private.process_webhook_event(${id})`;
    const [{ event }] = await sql<{ event: WebhookEvent }[]>`
      select to_jsonb(e) - 'raw_body' - 'body_sha256' as event from public.webhook_events e where e.id = ${id}`;
    return c.json(event);
  });

  return app;
}

const webhookEventNotFound = () => new ApiError(404, "webhook_event_not_found", "There is no such webhook event in this company.");
