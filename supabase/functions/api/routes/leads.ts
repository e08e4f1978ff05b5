import { ApiError } from "../../_shared/errors.ts";
import {
  convertBody,
  type Customer,
  type CustomerList,
  customerListQuery,
  decideQualificationBody,
  fileQualificationBody,
  idParams,
  putQualificationRulesBody,
  type QualificationRequest,
  type QualificationRequestList,
  qualificationListQuery,
  type QualificationRules,
  setStageBody,
  type StageChange,
  type StageChangeList,
} from "../../_shared/schemas/leads.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { containsPattern, requireCapability, type RouteDependencies, routes } from "./context.ts";

// Leads → customers (issue 17). The database owns every rule (20261122004100_lead_stages.sql,
// 20261122004110_lead_qualification.sql): the stage moves only through its recorded history, the
// company's rules decide requests, and another company's contact or request is not found.

const handlerRefusal = "Only people who handle conversations can move, qualify or convert contacts (analysts read them).";

/**
 * Inside /contacts (mounted by contactRoutes, which signs in and picks the tenant):
 *   GET  /contacts/:id/stage-changes   members: the contact's moves, newest first         200, 404
 *                                      → { items }
 *   POST /contacts/:id/stage           handle_conversations: { stage: qualified | lost |   200, 403, 404,
 *                                      lead, reason? } a person's move → the move          422 stage_transition_invalid
 *   POST /contacts/:id/convert         handle_conversations: { notes? } a qualified        201, 403, 404,
 *                                      contact becomes a customer → the customer           422 stage_transition_invalid
 */
export function contactStageRoutes() {
  const app = routes();

  app.get("/:id/stage-changes", async (c) => {
    const { id } = parseParams(c, idParams);
    const items = await c.var.asUser(async (tx) => {
      await visibleContact(tx, c.var.tenant.id, id);
      const rows = await tx<{ change: StageChange }[]>`
        select to_jsonb(s) as change from public.contact_stage_changes s
        where s.contact_id = ${id} and s.tenant_id = ${c.var.tenant.id}
        order by s.created_at desc, s.id limit 200`;
      return rows.map((row) => row.change);
    });
    return c.json({ items } satisfies StageChangeList);
  });

  app.post("/:id/stage", async (c) => {
    const { id } = parseParams(c, idParams);
    const body = await parseJsonBody(c, setStageBody);
    requireCapability(c.var.tenant, "handle_conversations", handlerRefusal);
    const change = await c.var.asUser(async (tx) => {
      await visibleContact(tx, c.var.tenant.id, id);
      const [row] = await tx<{ change: StageChange }[]>`
        select to_jsonb(s) as change from public.set_contact_stage(${id}, ${body.stage}::public.lifecycle_stage, ${body.reason ?? null}) s`;
      return row.change;
    });
    return c.json(change satisfies StageChange);
  });

  app.post("/:id/convert", async (c) => {
    const { id } = parseParams(c, idParams);
    const body = await parseJsonBody(c, convertBody);
    requireCapability(c.var.tenant, "handle_conversations", handlerRefusal);
    const converted = await c.var.asUser(async (tx) => {
      await visibleContact(tx, c.var.tenant.id, id);
      const [row] = await tx<{ customer: Customer }[]>`
        select to_jsonb(cu) as customer from public.convert_contact(${id}, ${body.notes ?? null}) cu`;
      return row.customer;
    });
    return c.json(converted satisfies Customer, 201);
  });

  return app;
}

/**
 * /qualification-requests — the current tenant's requests to qualify a lead (X-Tenant-Id).
 *   GET  /qualification-requests              members: ?status&contact_id&limit, newest first      200, 422
 *                                             → { items } (each with its contact)
 *   POST /qualification-requests              handle_conversations: { contact_id, evidence,         201, 403, 404,
 *                                             summary? } the rules decide it or it waits → the      409 qualification_request_pending,
 *                                             request                                               422 contact_not_a_lead
 *   POST /qualification-requests/:id/approve  handle_conversations: { reason? } → the request;      200, 403, 404,
 *                                             the contact becomes qualified                          409 qualification_request_decided
 *   POST /qualification-requests/:id/reject   handle_conversations: { reason? } → the request       200, 403, 404, 409
 */
export function qualificationRequestRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, qualificationListQuery);
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ request: QualificationRequestList["items"][number] }[]>`
        select to_jsonb(q) || jsonb_build_object('contact', jsonb_build_object('id', ct.id, 'name', ct.name, 'phone', ct.phone,
                                                                               'lifecycle_stage', ct.lifecycle_stage)) as request
        from public.qualification_requests q join public.contacts ct on ct.id = q.contact_id
        where q.tenant_id = ${c.var.tenant.id}
          and (${query.status ?? null}::public.qualification_status is null or q.status = ${query.status ?? null}::public.qualification_status)
          and (${query.contact_id ?? null}::uuid is null or q.contact_id = ${query.contact_id ?? null}::uuid)
        order by q.created_at desc, q.id
        limit ${query.limit}`;
      return rows.map((row) => row.request);
    });
    return c.json({ items } satisfies QualificationRequestList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, fileQualificationBody);
    requireCapability(c.var.tenant, "handle_conversations", handlerRefusal);
    const filed = await c.var.asUser(async (tx) => {
      await visibleContact(tx, c.var.tenant.id, body.contact_id);
      const [row] = await tx<{ request: QualificationRequest }[]>`
        select to_jsonb(q) as request
        from public.request_qualification(${body.contact_id}, ${tx.json(body.evidence as never)}, ${body.summary ?? null}) q`;
      return row.request;
    });
    return c.json(filed satisfies QualificationRequest, 201);
  });

  for (const [action, approve] of [["approve", true], ["reject", false]] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const { id } = parseParams(c, idParams);
      const body = await parseJsonBody(c, decideQualificationBody);
      requireCapability(c.var.tenant, "handle_conversations", handlerRefusal);
      const decided = await c.var.asUser(async (tx) => {
        const [visible] = await tx`select 1 from public.qualification_requests q where q.id = ${id} and q.tenant_id = ${c.var.tenant.id}`;
        if (!visible) throw new ApiError(404, "not_found", "No qualification request with this id in this company.");
        const [row] = await tx<{ request: QualificationRequest }[]>`
          select to_jsonb(q) as request from public.decide_qualification_request(${id}, ${approve}, ${body.reason ?? null}) q`;
        return row.request;
      });
      return c.json(decided satisfies QualificationRequest);
    });
  }

  return app;
}

/**
 * /qualification-rules — how the current tenant's requests are decided.
 *   GET    /qualification-rules   members → the rules (configured false: none, a person decides)   200
 *   PUT    /qualification-rules   change_tenant: { required_evidence, minimum_score, auto_approve }  200, 403, 422
 *   DELETE /qualification-rules   change_tenant: back to "a person decides every request"          204, 403
 */
export function qualificationRuleRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);
  const refusal = "Only owners and admins set how qualification requests are decided.";

  app.get("/", async (c) => {
    const rules = await c.var.asUser((tx) => currentRules(tx, c.var.tenant.id));
    return c.json(rules satisfies QualificationRules);
  });

  app.put("/", async (c) => {
    const body = await parseJsonBody(c, putQualificationRulesBody);
    requireCapability(c.var.tenant, "change_tenant", refusal);
    const rules = await c.var.asUser(async (tx) => {
      await tx`
        insert into public.qualification_rules (tenant_id, required_evidence, minimum_score, auto_approve)
        values (${c.var.tenant.id}, ${body.required_evidence}::text[], ${body.minimum_score}, ${body.auto_approve})
        on conflict (tenant_id) do update
          set required_evidence = excluded.required_evidence, minimum_score = excluded.minimum_score, auto_approve = excluded.auto_approve`;
      return currentRules(tx, c.var.tenant.id);
    });
    return c.json(rules satisfies QualificationRules);
  });

  app.delete("/", async (c) => {
    requireCapability(c.var.tenant, "change_tenant", refusal);
    await c.var.asUser((tx) => tx`delete from public.qualification_rules r where r.tenant_id = ${c.var.tenant.id}`);
    return c.body(null, 204);
  });

  return app;
}

/**
 * /customers — the current tenant's converted contacts.
 *   GET /customers   members: ?search (name or phone)&limit, newest first → { items } (with contact)  200, 422
 */
export function customerRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, customerListQuery);
    const search = containsPattern(query.search);
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ customer: CustomerList["items"][number] }[]>`
        select to_jsonb(cu) || jsonb_build_object('contact', jsonb_build_object('id', ct.id, 'name', ct.name, 'phone', ct.phone,
                                                                                'email', ct.email)) as customer
        from public.customers cu join public.contacts ct on ct.id = cu.contact_id
        where cu.tenant_id = ${c.var.tenant.id}
          and (${search}::text is null or ct.name ilike ${search} or ct.phone like ${search})
        order by cu.created_at desc, cu.id
        limit ${query.limit}`;
      return rows.map((row) => row.customer);
    });
    return c.json({ items } satisfies CustomerList);
  });

  return app;
}

async function currentRules(tx: TransactionSql, tenantId: string): Promise<QualificationRules> {
  const [row] = await tx<{ rules: QualificationRules }[]>`
    select jsonb_build_object('tenant_id', ${tenantId}::uuid, 'required_evidence', coalesce(to_jsonb(r.required_evidence), '[]'),
                              'minimum_score', r.minimum_score, 'auto_approve', coalesce(r.auto_approve, false),
                              'configured', r.tenant_id is not null, 'updated_at', r.updated_at) as rules
    from (select ${tenantId}::uuid as wanted) w
    left join public.qualification_rules r on r.tenant_id = w.wanted`;
  return row.rules;
}

async function visibleContact(tx: TransactionSql, tenantId: string, id: string): Promise<void> {
  const [row] = await tx`select 1 from public.contacts ct where ct.id = ${id} and ct.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "not_found", "No contact with this id in this company.");
}
