import type { MiddlewareHandler } from "hono";
import type { Sql } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";

export type InboxProvider = "meta_cloud" | "zapi" | "evolution";
export type InboxSecretKind = "meta_app_secret" | "meta_verify_token" | "zapi_client_token" | "evolution_api_key";

export interface WebhookInbox {
  id: string;
  provider: InboxProvider;
  tenantId: string;
  /** Meta only: the number this inbox is; notifications for the app's other numbers are skipped. */
  metaPhoneNumberId: string | null;
  /** The one secret that authenticates this request (app secret, verify token, client token, API key). */
  secret: string | null;
}

export interface InboxVariables {
  inbox: WebhookInbox;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds the inbox the path names (`:inboxId`), active and of `provider`, with its secret of
 * `secretKind`, before any of the body is read. Anything else — not a uuid, unknown, disabled, of
 * another provider — is the same 404, so the URL tells a stranger nothing.
 */
export function webhookInbox(
  sql: Sql,
  provider: InboxProvider,
  secretKind: InboxSecretKind,
): MiddlewareHandler<{ Variables: InboxVariables }> {
  return async (c, next) => {
    const inboxId = c.req.param("inboxId") ?? "";
    const [row] = uuidPattern.test(inboxId)
      ? await sql<{ tenant_id: string; meta_phone_number_id: string | null; secret: string | null }[]>`
          select tenant_id, meta_phone_number_id, secret
          from private.webhook_inbox(${inboxId}::uuid, ${provider}::public.inbox_provider, ${secretKind}::public.inbox_secret_kind)`
      : [];
    if (!row) throw new ApiError(404, "inbox_not_found", "There is no active inbox of this provider at this address.");
    c.set("inbox", {
      id: inboxId,
      provider,
      tenantId: row.tenant_id,
      metaPhoneNumberId: row.meta_phone_number_id,
      secret: row.secret,
    });
    await next();
  };
}
