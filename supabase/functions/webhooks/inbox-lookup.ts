import type { Sql } from "../_shared/db.ts";

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
  secretKind: InboxSecretKind;
  /**
   * When that secret was set, as Postgres writes it (text: microseconds, which a Date would lose):
   * the store refuses the event if it has been set since (a rotation).
   */
  secretUpdatedAt: string | null;
  /** Answered from the lookup's memory rather than the database. */
  cached: boolean;
}

export interface InboxVariables {
  inbox: WebhookInbox;
}

export interface InboxLookup {
  /** The active inbox of `provider` with its secret of `kind`; null for anything else. */
  find(inboxId: string, provider: InboxProvider, kind: InboxSecretKind, options?: { fresh?: boolean }): Promise<WebhookInbox | null>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds the inbox a webhook address names (private.webhook_inbox), remembering a found one for
 * `ttlMs` so that a busy inbox costs one database round trip per POST (the store) instead of two.
 * What is remembered is never trusted alone: the store re-checks that the inbox is active and
 * that the secret is the one the request was checked with, and a cached secret that does not
 * match makes the caller look again (webhooks/app.ts), so a disabled inbox or a rotated secret
 * take effect at once. Unknown inboxes are not remembered (a new inbox answers at once).
 */
export function inboxLookup(sql: Sql, options: { ttlMs?: number; maxEntries?: number } = {}): InboxLookup {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const remembered = new Map<string, { inbox: WebhookInbox; until: number }>();

  return {
    async find(inboxId, provider, kind, { fresh = false } = {}) {
      if (!uuidPattern.test(inboxId)) return null;
      const key = `${provider}/${kind}/${inboxId.toLowerCase()}`;
      const entry = remembered.get(key);
      if (!fresh && entry && entry.until > Date.now()) return { ...entry.inbox, cached: true };
      remembered.delete(key);
      const [row] = await sql<
        { tenant_id: string; meta_phone_number_id: string | null; secret: string | null; secret_updated_at: string | null }[]
      >`
        select tenant_id, meta_phone_number_id, secret, secret_updated_at::text as secret_updated_at
        from private.webhook_inbox(${inboxId}::uuid, ${provider}::public.inbox_provider, ${kind}::public.inbox_secret_kind)`;
      if (!row) return null;
      const inbox: WebhookInbox = {
        id: inboxId,
        provider,
        tenantId: row.tenant_id,
        metaPhoneNumberId: row.meta_phone_number_id,
        secret: row.secret,
        secretKind: kind,
        secretUpdatedAt: row.secret_updated_at,
        cached: false,
      };
      if (remembered.size >= maxEntries) remembered.clear();
      remembered.set(key, { inbox, until: Date.now() + ttlMs });
      return inbox;
    },
  };
}
