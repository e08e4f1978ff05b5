import type { Hono } from "hono";
import { ApiError } from "../../_shared/errors.ts";
import { fetchMetaTemplates, type TemplateSyncFailureCode } from "../../_shared/meta-templates.ts";
import { type Inbox, inboxParams } from "../../_shared/schemas/inboxes.ts";
import { type MessageTemplate, type MessageTemplateList, type TemplateSyncResult, windowTemplateBody } from "../../_shared/schemas/message-templates.ts";
import { type TransactionSql, withServiceTransaction } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { requireCapability, type RouteDependencies, type RouteEnv } from "./context.ts";

/**
 * A Meta inbox's message templates (public.message_templates), copied from its WhatsApp Business
 * Account: outside Meta's 24-hour customer window only an approved template may start a
 * conversation.
 *   GET  /inboxes/:id/templates        members: { items } by name, language, each with what it     200, 404, 422 inbox_not_meta
 *                                      needs beyond its body (parameters_beyond_body), what of that
 *                                      nobody can give (parameters_unsendable: not sendable) and the
 *                                      header and button values a person gives (values_to_give)
 *   POST /inboxes/:id/templates/sync   manage_inboxes: reads Meta's list (every page) with the    200, 403, 404,
 *                                      inbox's access token and replaces the inbox's templates in 422 inbox_not_meta / inbox_waba_missing,
 *                                      one transaction → { synced, items }                        502 the provider's refusal, 504
 *   PUT  /inboxes/:id/window-template  manage_inboxes: {template: {name, language} | null} — the  200, 403, 404, 422 inbox_not_meta /
 *                                      approved template (no variable or one) free text goes as    template_not_found / template_not_approved /
 *                                      outside the window (public.set_inbox_window_template) → inbox  window_template_parameters /
 *                                      (a template that needs header or button values is refused)   template_needs_more_parameters
 * Another tenant's inbox is 404, as a missing one. Z-API and Evolution numbers have no templates
 * (they send free text at any time): 422 inbox_not_meta.
 */
export function addInboxTemplateRoutes(
  app: Hono<RouteEnv>,
  visibleInbox: (tx: TransactionSql, tenantId: string, id: string) => Promise<Inbox>,
  { sql, providers }: Pick<RouteDependencies, "sql" | "providers">,
) {
  app.get("/:id/templates", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const items = await c.var.asUser(async (tx) => {
      requireMeta(await visibleInbox(tx, c.var.tenant.id, id));
      return inboxTemplates(tx, id);
    });
    return c.json({ items } satisfies MessageTemplateList);
  });

  app.post("/:id/templates/sync", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const inbox = await c.var.asUser((tx) => visibleInbox(tx, c.var.tenant.id, id));
    requireMeta(inbox);
    requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins can sync message templates.");
    if (!inbox.meta_waba_id) {
      throw new ApiError(422, "inbox_waba_missing", "This number has no WhatsApp Business Account id: add it in the number's settings to read its templates.");
    }
    const token = await withServiceTransaction(sql, async (tx) => {
      const [row] = await tx<{ value: string | null }[]>`select private.inbox_secret(${id}, 'meta_access_token') as value`;
      return row?.value ?? "";
    });
    const outcome = await fetchMetaTemplates(inbox.meta_waba_id, token, { whatsappGraph: providers.whatsappGraph, timeoutMs: providers.testTimeoutMs });
    if (!outcome.ok) throw syncFailure(outcome.code, outcome.httpStatus);
    const result = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ synced: number }[]>`
        select public.replace_message_templates(${id}, ${tx.json(outcome.templates as never)}) as synced`;
      return { synced: row.synced, items: await inboxTemplates(tx, id) };
    });
    return c.json(result satisfies TemplateSyncResult);
  });

  app.put("/:id/window-template", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const { template } = await parseJsonBody(c, windowTemplateBody);
    const inbox = await c.var.asUser(async (tx) => {
      requireMeta(await visibleInbox(tx, c.var.tenant.id, id));
      requireCapability(c.var.tenant, "manage_inboxes", "Only the company's owners and admins choose a number's templates.");
      const [row] = await tx<{ inbox: Inbox }[]>`
        select to_jsonb(i) as inbox from public.set_inbox_window_template(${id}, ${template?.name ?? null}, ${template?.language ?? null}) i`;
      return row.inbox;
    });
    return c.json(inbox satisfies Inbox);
  });
}

function requireMeta(inbox: Inbox): void {
  if (inbox.provider !== "meta_cloud") {
    throw new ApiError(422, "inbox_not_meta", "Only Meta Cloud API numbers have message templates; this number sends free text at any time.");
  }
}

async function inboxTemplates(tx: TransactionSql, inboxId: string): Promise<MessageTemplate[]> {
  const rows = await tx<{ template: MessageTemplate }[]>`
    select jsonb_build_object('id', t.id, 'inbox_id', t.inbox_id, 'name', t.name, 'language', t.language, 'category', t.category,
             'status', t.status, 'body_text', t.body_text, 'body_parameter_count', t.body_parameter_count,
             'parameters_beyond_body', t.parameters_beyond_body, 'parameters_unsendable', t.parameters_unsendable,
             'values_to_give', t.values_to_give,
             'synced_at', t.synced_at) as template
    from public.message_templates t where t.inbox_id = ${inboxId}
    order by t.name, t.language`;
  return rows.map((row) => row.template);
}

const syncFailureWords: Record<TemplateSyncFailureCode, string> = {
  provider_credentials_invalid: "Meta refused the number's access token: it expired or was revoked. Update it in the number's settings.",
  provider_permission_denied: "The access token has no permission to read this account's templates (whatsapp_business_management).",
  provider_account_not_found: "Meta does not know this WhatsApp Business Account id, or the token cannot see it.",
  rate_limited: "Meta asked us to slow down; try again in a minute.",
  provider_unavailable: "Meta had an error; try again later.",
  provider_timeout: "Meta did not answer in time.",
  provider_unreachable: "Could not reach Meta.",
  provider_address_not_allowed: "The provider's address is not allowed (an internal address).",
  provider_answer_unreadable: "Meta answered something we could not read.",
  provider_too_many_templates: "The account has more templates than we can keep (5,000).",
};

function syncFailure(code: TemplateSyncFailureCode, providerStatus: number | null): ApiError {
  const status = code === "provider_timeout" ? 504 : code === "provider_too_many_templates" ? 422 : 502;
  return new ApiError(status, code, syncFailureWords[code], { details: { provider_status: providerStatus } });
}
