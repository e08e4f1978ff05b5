import type { Context } from "hono";
import type { Sql } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import { createFunctionApp, type FunctionEnv } from "../_shared/function-app.ts";
import { requireProviderSignature } from "../_shared/function-auth.ts";
import type { ProviderSignatureVariables } from "../_shared/provider-signature.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { type InboxVariables, type WebhookInbox, webhookInbox } from "./inbox-lookup.ts";
import { requireSecretHeader, sameSecret } from "./secret-header.ts";

/** Meta sends notifications of up to 3 MB; anything larger is refused before it is read whole. */
export const maxWebhookBytes = 3 * 1024 * 1024;

export interface WebhooksAppOptions {
  sql: Sql;
  /**
   * Told of each stored event once it is committed, a provider's retry of one already kept too (it
   * may still wait to be processed): processing is started from here, after the answer.
   */
  onStored?: (event: StoredEvent) => void;
  logSink?: LogSink;
}

export interface StoredEvent {
  eventId: number;
  duplicate: boolean;
  inbox: WebhookInbox;
}

type WebhookEnv = FunctionEnv & { Variables: InboxVariables & Partial<ProviderSignatureVariables> };

// Kept with the event: what helps tell deliveries apart later; never a signature or a token.
const keptHeaders = ["content-type", "user-agent", "x-request-id"];

/**
 * The addresses WhatsApp providers post to, one per inbox:
 *   GET  /webhooks/meta/:inboxId       Meta's subscription check (hub.verify_token → hub.challenge)
 *   POST /webhooks/meta/:inboxId       X-Hub-Signature-256 over the raw body, keyed by the app secret
 *   POST /webhooks/zapi/:inboxId       the inbox's Client-Token header
 *   POST /webhooks/evolution/:inboxId  the inbox's apikey header
 * Each POST is kept raw (private.store_webhook_event) and answered 200 only once it is committed;
 * the same body again answers 200 and stores nothing. An unknown or disabled inbox is 404, a bad
 * signature or token 401 with nothing stored, a body over 3 MB 413, a database that does not
 * answer 503 (the provider retries). What the body says is parsed afterwards, in SQL, by the
 * processing `onStored` starts (event-drain.ts), so a payload we cannot parse never costs a 200.
 */
export function buildWebhooksApp(options: WebhooksAppOptions) {
  const { sql } = options;
  // Providers are servers, never browsers: no origin may call these from a page.
  const app = createFunctionApp({
    basePath: "/webhooks",
    webOrigins: [],
    maxBodyBytes: maxWebhookBytes,
    logSink: options.logSink,
  });

  const store = async (c: Context<WebhookEnv>, rawBody: Uint8Array) => {
    const inbox = c.var.inbox;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(rawBody);
    } catch {
      throw new ApiError(400, "invalid_body", "The body is not UTF-8 text.");
    }
    const headers = Object.fromEntries(
      keptHeaders.flatMap((name) => (c.req.header(name) ? [[name, c.req.header(name)!.slice(0, 500)]] : [])),
    );
    const [stored] = await sql<{ event_id: string; duplicate: boolean }[]>`
      select event_id, duplicate from private.store_webhook_event(${inbox.id}::uuid, ${text}, ${sql.json(headers)})`;
    options.onStored?.({ eventId: Number(stored.event_id), duplicate: stored.duplicate, inbox });
    return c.json({ received: true, duplicate: stored.duplicate });
  };

  app.get("/meta/:inboxId", webhookInbox(sql, "meta_cloud", "meta_verify_token"), async (c) => {
    const token = c.req.query("hub.verify_token");
    const challenge = c.req.query("hub.challenge");
    const secret = c.var.inbox.secret;
    if (c.req.query("hub.mode") !== "subscribe" || !token || !challenge || !secret || !(await sameSecret(token, secret))) {
      throw new ApiError(403, "verify_token_mismatch", "The verify token does not match this inbox's.");
    }
    return c.text(challenge);
  });

  app.post(
    "/meta/:inboxId",
    webhookInbox(sql, "meta_cloud", "meta_app_secret"),
    requireProviderSignature({
      header: "X-Hub-Signature-256",
      prefix: "sha256=",
      secret: (c: Context<WebhookEnv>) => c.var.inbox.secret,
    }),
    (c) => store(c as Context<WebhookEnv>, c.var.rawBody),
  );

  app.post(
    "/zapi/:inboxId",
    webhookInbox(sql, "zapi", "zapi_client_token"),
    requireSecretHeader("Client-Token"),
    async (c) => store(c as Context<WebhookEnv>, new Uint8Array(await c.req.arrayBuffer())),
  );

  app.post(
    "/evolution/:inboxId",
    webhookInbox(sql, "evolution", "evolution_api_key"),
    requireSecretHeader("apikey"),
    async (c) => store(c as Context<WebhookEnv>, new Uint8Array(await c.req.arrayBuffer())),
  );

  return app;
}
