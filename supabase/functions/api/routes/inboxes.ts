import { ApiError } from "../../_shared/errors.ts";
import { checkInboxConnection, type InboxConnectionSecrets } from "../../_shared/inbox-connection.ts";
import { addressNotAllowed, requirePublicAddress } from "../../_shared/outbound-address.ts";
import { InvalidPhoneError, normalizePhone } from "../../_shared/phone.ts";
import {
  type CreatedInbox,
  createInboxBody,
  type Inbox,
  type InboxList,
  inboxParams,
  type InboxProvider,
  type InboxSecretKind,
  inboxSecretParams,
  type RotatedSecret,
  rotateSecretBody,
  secretKindsOf,
  type SecretHintList,
  updateInboxBody,
} from "../../_shared/schemas/inboxes.ts";
import { type TransactionSql, withServiceTransaction } from "../../_shared/user-transaction.ts";
import { type IssueDetail, parseJsonBody, parseParams, validationFailed } from "../../_shared/validation.ts";
import { columnList, givenColumns, refusedOrMissing, requireCapability, type RouteDependencies, routes } from "./context.ts";
import { addInboxTemplateRoutes } from "./message-templates.ts";
import { addInboxResponderRoutes } from "./responders.ts";

/**
 * /inboxes — the current tenant's WhatsApp numbers (X-Tenant-Id). Secrets go in and never come
 * out: answers carry hints (last four characters) only, and the one value ever shown is a verify
 * token Renum generated for the person to paste into Meta.
 *   GET    /inboxes                        members (analysts too)                                  200
 *   POST   /inboxes                        manage_inboxes: { provider, display_name, phone_number?, 201, 403, 409, 422
 *                                          provider_ids, secrets } → { inbox, webhook_url, verify_token }
 *   GET    /inboxes/:id                    members                                                 200, 404
 *   PATCH  /inboxes/:id                    manage_inboxes: { display_name?, phone_number?, status? } 200, 403, 404, 422
 *                                          (status "disabled" disables it: its webhooks answer 404)
 *   DELETE /inboxes/:id                    manage_inboxes (its conversations and messages go too)  204, 403, 404
 *   GET    /inboxes/:id/secrets            members: { items: [{ kind, last_four, updated_at }] }    200, 404
 *   POST   /inboxes/:id/secrets/:kind/rotate  manage_inboxes: { value? } (none: generate; only   200, 403, 404, 422
 *                                          meta_verify_token) → { kind, generated_value, hint }
 *   POST   /inboxes/:id/test               manage_inboxes: one read-only call to the provider with  200 (ok or not), 403, 404,
 *                                          the inbox's credentials → { ok, outcome, status,         422 address_not_allowed,
 *                                          latency_ms, message }                                     502, 504
 *   GET|PUT|DELETE /inboxes/:id/responder  who answers the inbox: routes/responders.ts
 *   GET /inboxes/:id/templates, POST /inboxes/:id/templates/sync, PUT /inboxes/:id/window-template  a Meta number's message templates:
 *                                          routes/message-templates.ts
 * Another tenant's inbox is 404, as a missing one.
 */
export function inboxRoutes({ sql, signedIn, inTenant, providers, functionsUrl }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ inbox: Inbox }[]>`
        select to_jsonb(i) as inbox from public.inboxes i
        where i.tenant_id = ${c.var.tenant.id}
        order by i.display_name, i.id`;
      return rows.map((row) => row.inbox);
    });
    return c.json({ items } satisfies InboxList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createInboxBody);
    requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can connect numbers.");
    const phone = body.phone_number === undefined ? null : e164(body.phone_number, "phone_number");
    if (body.provider === "evolution") {
      await requirePublicAddress(body.provider_ids.evolution_base_url, "provider_ids.evolution_base_url");
    }
    const created = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ created: { inbox: Inbox; verify_token: string | null } }[]>`
        select public.create_inbox(${c.var.tenant.id}, ${body.provider}, ${body.display_name}, ${phone},
                                   ${tx.json(body.provider_ids)}, ${tx.json(body.secrets)}) as created`;
      return row.created;
    });
    const answer: CreatedInbox = {
      inbox: created.inbox,
      webhook_url: webhookUrl(functionsUrl, created.inbox.provider, created.inbox.id),
      verify_token: created.verify_token,
    };
    return c.json(answer, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const inbox = await c.var.asUser((tx) => visibleInbox(tx, c.var.tenant.id, id));
    return c.json(inbox satisfies Inbox);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const body = await parseJsonBody(c, updateInboxBody);
    const changes: Record<string, unknown> = { ...body };
    if (typeof body.phone_number === "string") changes.phone_number = e164(body.phone_number, "phone_number");
    const columns = givenColumns(changes);
    const inbox = await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can change numbers.");
      const [row] = await tx<{ inbox: Inbox }[]>`
        update public.inboxes i set (${columnList(tx, columns)}) =
          (select ${columnList(tx, columns)} from jsonb_populate_record(null::public.inboxes, ${tx.json(changes as never)}))
        where i.id = ${id} and i.tenant_id = ${c.var.tenant.id}
        returning to_jsonb(i) as inbox`;
      if (!row) throw refusedOrMissing(true, "Inbox", "Only the company's owners and admins can change numbers.");
      return row.inbox;
    });
    return c.json(inbox satisfies Inbox);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, inboxParams);
    await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can delete numbers.");
      const deleted = await tx`delete from public.inboxes i where i.id = ${id} and i.tenant_id = ${c.var.tenant.id} returning i.id`;
      if (deleted.length === 0) throw refusedOrMissing(true, "Inbox", "Only the company's owners and admins can delete numbers.");
    });
    return c.body(null, 204);
  });

  app.get("/:id/secrets", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const items = await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      return [...await tx<SecretHintList["items"]>`
        select h.kind::text as kind, h.last_four, to_jsonb(h.updated_at) #>> '{}' as updated_at
        from public.inbox_secret_hints(${id}) h order by h.kind`];
    });
    return c.json({ items } satisfies SecretHintList);
  });

  app.post("/:id/secrets/:kind/rotate", async (c) => {
    const { id, kind } = parseParams(c, inboxSecretParams);
    const { value } = await parseJsonBody(c, rotateSecretBody);
    const rotated = await c.var.asUser(async (tx) => {
      const inbox = await visibleInbox(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can change an inbox's secrets.");
      requireSecretOf(inbox.provider, kind);
      if (value === undefined && kind !== "meta_verify_token") {
        throw validationFailed("The request body", [{ path: "value", message: "Send the new value: only Meta's verify token is generated." }]);
      }
      const [row] = await tx<{ generated: string | null }[]>`
        select public.rotate_inbox_secret(${id}, ${kind}, ${value ?? null}) as generated`;
      const [hint] = await tx<RotatedSecret["hint"][]>`
        select h.kind::text as kind, h.last_four, to_jsonb(h.updated_at) #>> '{}' as updated_at
        from public.inbox_secret_hints(${id}) h where h.kind = ${kind}`;
      return { kind, generated_value: row.generated, hint } satisfies RotatedSecret;
    });
    return c.json(rotated);
  });

  app.post("/:id/test", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const inbox = await c.var.asUser((tx) => visibleInbox(tx, c.var.tenant.id, id));
    requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can test a number's connection.");
    // Before any secret is decrypted: an internal address gets nothing, not even a connection.
    if (inbox.provider === "evolution") await requirePublicAddress(inbox.evolution_base_url ?? "", "evolution_base_url");
    const secrets = await withServiceTransaction(sql, async (tx) => {
      const wanted = secretKindsOf[inbox.provider].filter((kind) => kind !== "meta_verify_token" && kind !== "meta_app_secret");
      const rows = await tx<{ kind: InboxSecretKind; value: string | null }[]>`
        select k.kind, private.inbox_secret(${id}, k.kind::public.inbox_secret_kind) as value
        from unnest(${wanted}::text[]) as k(kind)`;
      return Object.fromEntries(rows.map((row) => [row.kind, row.value ?? ""])) as InboxConnectionSecrets;
    });
    const outcome = await checkInboxConnection(inbox, secrets, providers).catch((error) => {
      throw addressNotAllowed(error, "evolution_base_url");
    });
    return c.json(outcome.result, outcome.httpStatus);
  });

  addInboxResponderRoutes(app, visibleInbox);
  addInboxTemplateRoutes(app, visibleInbox, { sql, providers });

  return app;
}

/** The inbox as the caller sees it, or 404 (missing, or another tenant's). */
async function visibleInbox(tx: TransactionSql, tenantId: string, id: string): Promise<Inbox> {
  const [row] = await tx<{ inbox: Inbox }[]>`
    select to_jsonb(i) as inbox from public.inboxes i where i.id = ${id} and i.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "inbox_not_found", "No inbox with this id in this company.");
  return row.inbox;
}

function requireSecretOf(provider: InboxProvider, kind: InboxSecretKind): void {
  if (!secretKindsOf[provider].includes(kind)) {
    throw validationFailed("The path", [{
      path: "kind",
      message: `A ${provider} inbox has no ${kind}; its secrets are ${secretKindsOf[provider].join(", ")}.`,
    }]);
  }
}

/** The E.164 form of a phone the caller typed, or 422 naming the field. */
export function e164(raw: string, path: string): string {
  try {
    return normalizePhone(raw);
  } catch (error) {
    if (!(error instanceof InvalidPhoneError)) throw error;
    const detail: IssueDetail & { constraint: string } = { path, message: error.message, constraint: error.code };
    throw validationFailed("The request body", [detail]);
  }
}

const webhookPaths: Record<InboxProvider, string> = { meta_cloud: "meta", zapi: "zapi", evolution: "evolution" };

/** Where the provider posts this inbox's events (the `webhooks` function). */
export function webhookUrl(functionsUrl: string, provider: InboxProvider, inboxId: string): string {
  return `${functionsUrl.replace(/\/+$/, "")}/webhooks/${webhookPaths[provider]}/${inboxId}`;
}
