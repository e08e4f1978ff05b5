import type { Context, MiddlewareHandler } from "hono";
import type { Sql } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import { createFunctionApp, type FunctionEnv } from "../_shared/function-app.ts";
import { requireProviderSignature } from "../_shared/function-auth.ts";
import type { ProviderSignatureVariables } from "../_shared/provider-signature.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { isPostgresError } from "../_shared/sql-errors.ts";
import {
  type InboxLookup,
  inboxLookup,
  type InboxProvider,
  type InboxSecretKind,
  type InboxVariables,
  type WebhookInbox,
} from "./inbox-lookup.ts";
import { requireSecretHeader, sameSecret } from "./secret-header.ts";

/** Meta sends notifications of up to 3 MB; anything larger is refused before it is read whole. */
export const maxWebhookBytes = 3 * 1024 * 1024;

export interface WebhooksAppOptions {
  sql: Sql;
  /** Where inboxes are looked up; one remembering them for 30 s unless said. */
  inboxes?: InboxLookup;
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
// deno-lint-ignore no-explicit-any
type AnyMiddleware = MiddlewareHandler<any>;

// Kept with the event: what helps tell deliveries apart later; never a signature or a token.
const keptHeaders = ["content-type", "user-agent", "x-request-id"];
const inboxNotFound = () => new ApiError(404, "inbox_not_found", "There is no active inbox of this provider at this address.");

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
  const inboxes = options.inboxes ?? inboxLookup(sql);
  // Providers are servers, never browsers: no origin may call these from a page.
  const app = createFunctionApp({
    basePath: "/webhooks",
    webOrigins: [],
    maxBodyBytes: maxWebhookBytes,
    logSink: options.logSink,
  });

  /**
   * Finds the inbox (404 before any of the body is read), checks the request with `auth` (401),
   * keeps the event. An inbox remembered by the lookup is trusted no further than the store's own
   * checks: a signature that does not match its remembered secret, or a store refusing it (the
   * inbox disabled, its secret rotated since), makes it look the inbox up afresh and try once more.
   */
  const accept = (provider: InboxProvider, secretKind: InboxSecretKind, auth: AnyMiddleware) => async (c: Context<WebhookEnv>) => {
    for (const fresh of [false, true]) {
      const inbox = await inboxes.find(c.req.param("inboxId") ?? "", provider, secretKind, { fresh });
      if (!inbox) throw inboxNotFound();
      c.set("inbox", inbox);
      if (!(await passes(auth, c))) {
        if (inbox.cached) continue;
        throw new ApiError(401, "invalid_signature", "The request's signature or token does not match this inbox's secret.");
      }
      try {
        return await store(c, inbox);
      } catch (error) {
        if (inbox.cached && isStaleInbox(error)) continue;
        // Rotated between this request's check and its store: it was checked with an old secret.
        if (isPostgresError(error) && error.constraint_name === "inbox_secret_changed") {
          throw new ApiError(401, "invalid_signature", "The inbox's secret changed while this request was checked.");
        }
        throw error;
      }
    }
    throw inboxNotFound();
  };

  const store = async (c: Context<WebhookEnv>, inbox: WebhookInbox) => {
    const rawBody = c.var.rawBody ?? new Uint8Array(await c.req.arrayBuffer());
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
      select event_id, duplicate
      from private.store_webhook_event(${inbox.id}::uuid, ${text}, ${sql.json(headers)},
                                       ${inbox.secretKind}::public.inbox_secret_kind,
                                       -- As text: postgres.js would send a timestamptz parameter through a Date (milliseconds).
                                       ${inbox.secretUpdatedAt}::text::timestamptz)`;
    options.onStored?.({ eventId: Number(stored.event_id), duplicate: stored.duplicate, inbox });
    return c.json({ received: true, duplicate: stored.duplicate });
  };

  app.get("/meta/:inboxId", async (c) => {
    const inbox = await inboxes.find(c.req.param("inboxId"), "meta_cloud", "meta_verify_token", { fresh: true });
    if (!inbox) throw inboxNotFound();
    const token = c.req.query("hub.verify_token");
    const challenge = c.req.query("hub.challenge");
    if (
      c.req.query("hub.mode") !== "subscribe" || !token || !challenge || !inbox.secret ||
      !(await sameSecret(token, inbox.secret))
    ) {
      throw new ApiError(403, "verify_token_mismatch", "The verify token does not match this inbox's.");
    }
    return c.text(challenge);
  });

  const metaSignature = requireProviderSignature({
    header: "X-Hub-Signature-256",
    prefix: "sha256=",
    secret: (c: Context<WebhookEnv>) => c.var.inbox.secret,
  });
  app.post("/meta/:inboxId", (c) => accept("meta_cloud", "meta_app_secret", metaSignature)(c as unknown as Context<WebhookEnv>));
  app.post("/zapi/:inboxId", (c) => accept("zapi", "zapi_client_token", requireSecretHeader("Client-Token"))(c as unknown as Context<WebhookEnv>));
  app.post("/evolution/:inboxId", (c) => accept("evolution", "evolution_api_key", requireSecretHeader("apikey"))(c as unknown as Context<WebhookEnv>));

  return app;
}

/** Whether `auth` lets the request through; its 401 is a no, anything else it throws is thrown. */
async function passes(auth: AnyMiddleware, c: Context<WebhookEnv>): Promise<boolean> {
  let passed = false;
  try {
    await auth(c, async () => {
      passed = true;
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
  return passed;
}

// The store's refusals that a remembered inbox can cause: disabled since, or its secret rotated.
function isStaleInbox(error: unknown): boolean {
  return isPostgresError(error) && ["inbox_not_found", "inbox_secret_changed"].includes(error.constraint_name ?? "");
}
