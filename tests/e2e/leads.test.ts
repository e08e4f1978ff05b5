// Leads → customers (#17), end to end with the fakes: a contact's signed WhatsApp message reaches
// the webhooks function, the inbox's demo-provider seller answers and, scripted by the message,
// calls the built-in request_qualification tool from its run; the company's rules (required
// evidence, minimum score, auto-approve) approve it and the contact becomes qualified, with the
// run, the rule and the evidence in its history; a person converts it into a customer through the
// API. Requests the rules leave to a person are approved or rejected through the API, and bad input
// and other companies' ids answer the one error shape.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  type Company,
  contactByPhone,
  contactConversation,
  createWebhookInbox,
  databaseConnection,
  eventsSettled,
  expectStatus,
  newCompany,
  qualificationScript,
  removeCompanies,
  repliesArrive,
  sellerTeam,
  setInboxResponder,
  stackEnv,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = databaseConnection();
let company: Company;
let other: Company;
let inbox: Awaited<ReturnType<typeof createWebhookInbox>>;

beforeAll(async () => {
  [company, other] = await Promise.all([newCompany(sql, "leads"), newCompany(sql, "leads-other")]);
  const teamId = await sellerTeam(company);
  inbox = await createWebhookInbox(sql, company.tenantId, "zapi");
  await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: teamId, debounce_ms: 0 });
});

afterAll(async () => {
  await removeCompanies(sql, [company, other].filter(Boolean));
  await sql.end();
});

const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

async function say(from: string, text: string): Promise<void> {
  const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from, name: "Paula Reis", text }));
  expect(delivery.status).toBe(200);
  await eventsSettled(sql, inbox.inboxId);
}

const asOwner = (method: string, path: string, body?: unknown) => call(company.owner, method, path, { tenant: company.tenantId, body });

describe("a lead qualified by the agent's tool under the company's rules", () => {
  it("is approved by rule from the run, recorded with its evidence, and converted into a customer by a person", async () => {
    const rules = await expectStatus(asOwner("PUT", "/qualification-rules", { required_evidence: ["need", "budget"], minimum_score: 60, auto_approve: true }), 200);
    expect(rules).toMatchObject({ tenant_id: company.tenantId, required_evidence: ["need", "budget"], minimum_score: 60, auto_approve: true, configured: true });

    const phone = aContact();
    const evidence = { need: "50 licenças do plano anual", budget: "R$ 20 mil", timeline: "este mês", score: 80 };
    await say(phone, `Quero fechar 50 licenças este mês, orçamento de 20 mil.\n${qualificationScript(evidence, "Pronta para comprar 50 licenças")}`);
    const conversation = await contactConversation(sql, company.tenantId, phone);
    const [reply] = await repliesArrive(sql, conversation.id);

    // The model heard the decision as the tool's answer.
    expect(reply.body).toContain("request_qualification -> ");
    expect(reply.body).toContain('"status":"approved"');
    const contact = await contactByPhone(sql, company.tenantId, phone);
    const seen = await expectStatus(asOwner("GET", `/contacts/${contact.id}`), 200);
    expect(seen.lifecycle_stage).toBe("qualified");

    const history = await expectStatus(asOwner("GET", `/contacts/${contact.id}/stage-changes`), 200);
    expect(history.items).toEqual([
      expect.objectContaining({ from_stage: "lead", to_stage: "qualified", actor_kind: "rule", actor_id: null, execution_id: reply.execution_id, evidence }),
    ]);
    const requests = await expectStatus(asOwner("GET", `/qualification-requests?contact_id=${contact.id}`), 200);
    expect(requests.items).toEqual([
      expect.objectContaining({
        status: "approved",
        requested_by_kind: "agent",
        decided_by_kind: "rule",
        conversation_id: conversation.id,
        execution_id: reply.execution_id,
        summary: "Pronta para comprar 50 licenças",
        contact: expect.objectContaining({ id: contact.id, lifecycle_stage: "qualified" }),
      }),
    ]);

    const customer = await expectStatus(asOwner("POST", `/contacts/${contact.id}/convert`, { notes: "Plano anual, 50 licenças" }), 201);
    expect(customer).toMatchObject({ contact_id: contact.id, tenant_id: company.tenantId, qualification_request_id: requests.items[0].id,
                                     converted_by: company.owner.id, notes: "Plano anual, 50 licenças" });
    expect((await contactByPhone(sql, company.tenantId, phone)).lifecycle_stage).toBe("customer");
    const customers = await expectStatus(asOwner("GET", "/customers"), 200);
    expect(customers.items.map((item: { contact: { phone: string } }) => item.contact.phone)).toContain(`+${phone}`);
    const audited = await sql`
      select after ->> 'lifecycle_stage' as stage from public.audit_log
      where table_name = 'contacts' and record_id = ${contact.id} and action = 'update'
        and before ->> 'lifecycle_stage' is distinct from after ->> 'lifecycle_stage'
      order by id`;
    expect(audited.map((row) => row.stage)).toEqual(["qualified", "customer"]);
  });

  it("tells the agent what evidence is missing, and leaves passing evidence to a person without auto-approve", async () => {
    await expectStatus(asOwner("PUT", "/qualification-rules", { required_evidence: ["need", "budget"], minimum_score: null, auto_approve: false }), 200);
    const phone = aContact();
    await say(phone, `Tenho interesse.\n${qualificationScript({ need: "CRM" }, "Interessada")}`);
    const conversation = await contactConversation(sql, company.tenantId, phone);
    const [rejected] = await repliesArrive(sql, conversation.id);
    expect(rejected.body).toContain('"status":"rejected"');
    expect(rejected.body).toContain("the evidence lacks budget");

    await say(phone, `Orçamento de 5 mil.\n${qualificationScript({ need: "CRM", budget: "R$ 5 mil" }, "Tem orçamento")}`);
    const replies = await repliesArrive(sql, conversation.id, 2);
    expect(replies[1].body).toContain('"status":"pending"');
    const contact = await contactByPhone(sql, company.tenantId, phone);
    expect(contact.lifecycle_stage).toBe("lead");

    const pending = await expectStatus(asOwner("GET", `/qualification-requests?status=pending&contact_id=${contact.id}`), 200);
    expect(pending.items).toHaveLength(1);
    const approved = await expectStatus(asOwner("POST", `/qualification-requests/${pending.items[0].id}/approve`, { reason: "Liguei e confirmei" }), 200);
    expect(approved).toMatchObject({ status: "approved", decided_by_kind: "person", decided_by: company.owner.id, decision_reason: "Liguei e confirmei" });
    expect((await contactByPhone(sql, company.tenantId, phone)).lifecycle_stage).toBe("qualified");
    const again = await call(company.owner, "POST", `/qualification-requests/${pending.items[0].id}/reject`, { tenant: company.tenantId, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("qualification_request_decided");
  });
});

describe("bad input and other companies' ids", () => {
  it("answers each with the one error shape and changes nothing", async () => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.contacts (tenant_id, phone, name) values (${company.tenantId}, ${`+${aContact()}`}, 'Rui Alves') returning id`;
    const lead = row.id;

    const customerStage = await asOwner("POST", `/contacts/${lead}/stage`, { stage: "customer" });
    expect(customerStage.status).toBe(422);
    expect(customerStage.body.error.code).toBe("validation_failed");
    const unknownField = await asOwner("POST", `/contacts/${lead}/stage`, { stage: "lost", by: "me" });
    expect(unknownField.status).toBe(422);
    const malformed = await call(company.owner, "POST", "/qualification-requests", { tenant: company.tenantId, rawBody: '{"contact_id": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    const badRules = await asOwner("PUT", "/qualification-rules", { required_evidence: ["Bad Key"], minimum_score: 101, auto_approve: "yes" });
    expect(badRules.status).toBe(422);
    expect(badRules.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(["auto_approve", "minimum_score", "required_evidence.0"]);

    const notQualified = await asOwner("POST", `/contacts/${lead}/convert`, {});
    expect(notQualified.status).toBe(422);
    expect(notQualified.body.error.code).toBe("stage_transition_invalid");

    // Another company sees none of it.
    const asOther = (method: string, path: string, body?: unknown) => call(other.owner, method, path, { tenant: other.tenantId, body });
    for (const answer of [
      await asOther("POST", `/contacts/${lead}/stage`, { stage: "lost" }),
      await asOther("POST", `/contacts/${lead}/convert`, {}),
      await asOther("GET", `/contacts/${lead}/stage-changes`),
      await asOther("POST", "/qualification-requests", { contact_id: lead, evidence: { need: "x" } }),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe("not_found");
    }
    const theirs = await expectStatus(asOther("GET", "/qualification-requests"), 200);
    expect(theirs.items).toEqual([]);
    const noAuth = await call(null, "GET", "/qualification-requests", { tenant: company.tenantId });
    expect(noAuth.status).toBe(401);

    const lost = await expectStatus(asOwner("POST", `/contacts/${lead}/stage`, { stage: "lost", reason: "Sem orçamento" }), 200);
    expect(lost).toMatchObject({ from_stage: "lead", to_stage: "lost", actor_kind: "person", actor_id: company.owner.id, reason: "Sem orçamento" });
    const twice = await asOwner("POST", `/contacts/${lead}/stage`, { stage: "lost" });
    expect(twice.status).toBe(422);
    expect(twice.body.error.code).toBe("stage_transition_invalid");
    const [{ stage }] = await sql`select lifecycle_stage::text as stage from public.contacts where id = ${lead}`;
    expect(stage).toBe("lost");
  });
});
