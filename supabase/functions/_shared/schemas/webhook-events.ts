// The raw webhook events WhatsApp providers posted to the current tenant's inboxes, for its owners
// and admins: /webhook-events.
import { z } from "zod";
import { isoMoment, paginated, paginationQuery, timestamp, uuid } from "./common.ts";

export const webhookEventStatuses = ["pending", "processed", "ignored", "failed"] as const;
export const webhookEventStatus = z.enum(webhookEventStatuses);

/** `GET /webhook-events`: newest first; `from` inclusive and `to` exclusive, on when it was received. */
export const webhookEventListQuery = z.strictObject({
  ...paginationQuery,
  status: webhookEventStatus.optional(),
  inbox_id: uuid().optional(),
  from: isoMoment().optional(),
  to: isoMoment().optional(),
});

export const webhookEventParams = z.strictObject({
  id: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(Number.MAX_SAFE_INTEGER, { error: "Must be a webhook event id." }),
});

/** One POST of a provider, as kept, and what processing made of it (`raw_body` only when asked for one). */
export const webhookEvent = z.object({
  id: z.number().int(),
  tenant_id: uuid(),
  inbox_id: uuid(),
  provider: z.enum(["meta_cloud", "zapi", "evolution"]),
  status: webhookEventStatus,
  attempts: z.number().int(),
  next_attempt_at: timestamp().nullable(),
  error: z.string().nullable(),
  outcome: z.record(z.string(), z.unknown()).nullable(),
  headers: z.record(z.string(), z.string()),
  received_at: timestamp(),
  processed_at: timestamp().nullable(),
  raw_body: z.string().optional(),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;

export const webhookEventPage = paginated(webhookEvent);
export type WebhookEventPage = z.infer<typeof webhookEventPage>;
