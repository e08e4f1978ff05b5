import { ApiError } from "../../_shared/errors.ts";
import {
  type Contact,
  contactListQuery,
  type ContactPage,
  contactParams,
  updateContactBody,
} from "../../_shared/schemas/contacts.ts";
import type { TenantContext } from "../../_shared/tenant-context.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { decodeCursor, encodeCursor } from "../queries/keyset.ts";
import { columnList, givenColumns, refusedOrMissing, requireCapability, type RouteDependencies, routes } from "./context.ts";
import { contactStageRoutes } from "./leads.ts";

/**
 * /contacts — the people who wrote to the current tenant (X-Tenant-Id), one per phone (E.164).
 *   GET    /contacts              members: ?status&limit&cursor, keyset pages ordered by phone;     200, 422
 *                                 ?search (name or phone): the best matches, one page
 *                                 → { items, next_cursor }
 *   GET    /contacts/:id          members                                                         200, 404
 *   PATCH  /contacts/:id          handle_conversations: { name?, email?, metadata?, status?, tags?, 200, 403, 404, 422
 *                                 opted_out?, opt_out_reason? } (opted out: no proactive messages)
 *   POST   /contacts/:id/block    handle_conversations: status blocked                            200, 403, 404
 * Contacts are created by incoming messages (webhooks), not here. Another tenant's is 404.
 * A contact's stage, its history and conversion: routes/leads.ts (contactStageRoutes).
 */
export function contactRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, contactListQuery);
    const after = decodeCursor(query.cursor, { phone: "text" });
    const tenantId = c.var.tenant.id;
    const page = await c.var.asUser(async (tx) => {
      if (query.search !== undefined) {
        const rows = await tx<{ contact: Contact }[]>`
          select to_jsonb(s) as contact
          from public.search_contacts(${tenantId}, ${query.search}, ${query.limit}) s
          where ${query.status ?? null}::public.contact_status is null or s.status = ${query.status ?? null}::public.contact_status`;
        return { items: rows.map((row) => row.contact), next_cursor: null };
      }
      const rows = await tx<{ contact: Contact }[]>`
        select to_jsonb(ct) as contact from public.contacts ct
        where ct.tenant_id = ${tenantId}
          and (${query.status ?? null}::public.contact_status is null or ct.status = ${query.status ?? null}::public.contact_status)
          and (${after?.phone ?? null}::text is null or ct.phone > ${after?.phone ?? null}::text)
        order by ct.phone
        limit ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => row.contact);
      const more = rows.length > query.limit;
      return { items, next_cursor: more ? encodeCursor({ phone: items[items.length - 1].phone }) : null };
    });
    return c.json(page satisfies ContactPage);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, contactParams);
    const contact = await c.var.asUser((tx) => visibleContact(tx, c.var.tenant.id, id));
    return c.json(contact satisfies Contact);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, contactParams);
    const { opted_out, ...body } = await parseJsonBody(c, updateContactBody);
    // The database stamps opted_out_at with the moment it happened, whatever time is given.
    const changes = opted_out === undefined ? body : { ...body, opted_out_at: opted_out ? new Date().toISOString() : null };
    const contact = await c.var.asUser((tx) => changeContact(tx, c.var.tenant, id, changes as Record<string, unknown>));
    return c.json(contact satisfies Contact);
  });

  app.post("/:id/block", async (c) => {
    const { id } = parseParams(c, contactParams);
    const contact = await c.var.asUser((tx) => changeContact(tx, c.var.tenant, id, { status: "blocked" }));
    return c.json(contact satisfies Contact);
  });

  app.route("/", contactStageRoutes());

  return app;
}

const refusal = "Only people who handle conversations can change contacts (analysts read them).";

async function changeContact(
  tx: TransactionSql,
  tenant: TenantContext,
  id: string,
  changes: Record<string, unknown>,
): Promise<Contact> {
  await visibleContact(tx, tenant.id, id);
  requireCapability(tenant, "handle_conversations", refusal);
  const columns = givenColumns(changes);
  const [row] = await tx<{ contact: Contact }[]>`
    update public.contacts ct set (${columnList(tx, columns)}) =
      (select ${columnList(tx, columns)} from jsonb_populate_record(null::public.contacts, ${tx.json(changes as never)}))
    where ct.id = ${id} and ct.tenant_id = ${tenant.id}
    returning to_jsonb(ct) as contact`;
  if (!row) throw refusedOrMissing(true, "Contact", refusal);
  return row.contact;
}

async function visibleContact(tx: TransactionSql, tenantId: string, id: string): Promise<Contact> {
  const [row] = await tx<{ contact: Contact }[]>`
    select to_jsonb(ct) as contact from public.contacts ct where ct.id = ${id} and ct.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "not_found", "No contact with this id in this company.");
  return row.contact;
}
