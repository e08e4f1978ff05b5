// Contact opt-out (#13), end to end: a contact's signed "SAIR" through the webhooks function opts
// them out of proactive messages, recorded in the audit log and shown by the API, and the inbox's
// bot answers nothing to it; "VOLTAR" brings them back; people opt a contact out or in through PATCH /contacts/:id (analysts and other
// companies cannot), and bad input is a clear 4xx in the one error shape.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  addMember,
  call,
  type Company,
  conversationReplies,
  conversationTurns,
  createTeam,
  createWebhookInbox,
  databaseConnection,
  demoAgent,
  eventsSettled,
  expectStatus,
  inboxConversation,
  newCompany,
  repliesArrive,
  removeCompanies,
  setInboxResponder,
  signUp,
  stackEnv,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = databaseConnection();
let company: Company;
let outsider: Company;
let teamId: string;
const companies: Company[] = [];

beforeAll(async () => {
  company = await newCompany(sql, "opt-out");
  outsider = await newCompany(sql, "opt-out-outsider");
  companies.push(company, outsider);
  const agentId = await demoAgent(company, "Receptionist", { reply: "Resposta a: {input}" });
  teamId = await createTeam(company, { name: "Front desk", workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
});

afterAll(async () => {
  await removeCompanies(sql, companies);
  await sql.end();
});

const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

async function say(inbox: whatsAppSender.SenderInbox, from: string, text: string): Promise<void> {
  const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from, name: "Ana Souza", text }));
  expect(delivery.status).toBe(200);
  await eventsSettled(sql, inbox.inboxId);
}

async function contactOf(inboxId: string): Promise<{ id: string }> {
  const [contact] = await sql<{ id: string }[]>`
    select distinct c.id from public.contacts c join public.conversations v on v.contact_id = c.id where v.inbox_id = ${inboxId}`;
  return contact;
}

describe("a contact's own words", () => {
  it("opts out on a signed SAIR, recorded and shown by the API, with no bot reply, and comes back on VOLTAR", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: teamId, debounce_ms: 0 });
    const phone = aContact();
    await say(inbox, phone, "Quero sair dessa lista? Como faço");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    await repliesArrive(sql, conversation.id);
    const { id } = await contactOf(inbox.inboxId);
    const path = `/contacts/${id}`;
    expect(await expectStatus(call(company.owner, "GET", path, { tenant: company.tenantId }), 200)).toMatchObject({ opted_out_at: null });

    await say(inbox, phone, "  Sáir! ");
    const out = await expectStatus(call(company.owner, "GET", path, { tenant: company.tenantId }), 200);
    expect(out).toMatchObject({ opted_out_at: expect.any(String), opt_out_reason: "word:sair" });
    const audit = await sql`
      select actor_id, before ->> 'opted_out_at' as before, after ->> 'opt_out_reason' as reason
      from public.audit_log where table_name = 'contacts' and record_id = ${id} and action = 'update' order by id`;
    // No person did it: the webhooks' drain recorded the contact's own word.
    expect(audit).toEqual([{ actor_id: null, before: null, reason: "word:sair" }]);
    // With debounce 0 a turn would have opened in the message's own transaction: none did.
    expect((await conversationTurns(sql, conversation.id)).map((turn) => turn.status)).toEqual(["answered"]);

    await say(inbox, phone, "VOLTAR");
    expect(await expectStatus(call(company.owner, "GET", path, { tenant: company.tenantId }), 200)).toMatchObject({
      opted_out_at: null,
      opt_out_reason: null,
    });
    expect((await conversationTurns(sql, conversation.id)).map((turn) => turn.status)).toEqual(["answered"]);
    expect(await conversationReplies(sql, conversation.id)).toHaveLength(1);
  });
});

describe("people opt a contact out and back in", () => {
  it("lets handlers do it, not analysts nor another company, and answers bad input in the one shape", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    await say(inbox, aContact(), "Oi");
    const { id } = await contactOf(inbox.inboxId);
    const path = `/contacts/${id}`;
    const member = await signUp("opt-out-member");
    const analyst = await signUp("opt-out-analyst");
    await addMember(sql, company.tenantId, member, "member");
    await addMember(sql, company.tenantId, analyst, "analyst");
    try {
      const out = await expectStatus(
        call(member, "PATCH", path, { tenant: company.tenantId, body: { opted_out: true, opt_out_reason: "Pediu por telefone" } }),
        200,
      );
      expect(out).toMatchObject({ opted_out_at: expect.any(String), opt_out_reason: "Pediu por telefone" });
      // Opting out again keeps the moment it first happened.
      const again = await expectStatus(call(member, "PATCH", path, { tenant: company.tenantId, body: { opted_out: true } }), 200);
      expect(again.opted_out_at).toBe(out.opted_out_at);

      const refused = await call(analyst, "PATCH", path, { tenant: company.tenantId, body: { opted_out: false } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("forbidden");
      const hidden = await call(outsider.owner, "PATCH", path, { tenant: outsider.tenantId, body: { opted_out: false } });
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe("not_found");

      for (const [body, field] of [
        [{ opted_out: "yes" }, "opted_out"],
        [{ opted_out: false, opt_out_reason: "porque sim" }, "opt_out_reason"],
        [{ opt_out_reason: "x".repeat(501) }, "opt_out_reason"],
        [{ opted_out_at: "2020-01-01T00:00:00Z" }, ""],
      ] as const) {
        const answer = await call(member, "PATCH", path, { tenant: company.tenantId, body });
        expect(answer.status, JSON.stringify(body)).toBe(422);
        expect(answer.body.error.code).toBe("validation_failed");
        if (field) expect(JSON.stringify(answer.body.error.details)).toContain(field);
      }
      const [unchanged] = await sql<{ opt_out_reason: string }[]>`select opt_out_reason from public.contacts where id = ${id}`;
      expect(unchanged.opt_out_reason).toBe("Pediu por telefone");

      const back = await expectStatus(call(member, "PATCH", path, { tenant: company.tenantId, body: { opted_out: false } }), 200);
      expect(back).toMatchObject({ opted_out_at: null, opt_out_reason: null });
    } finally {
      await sql`delete from auth.users where id in ${sql([member.id, analyst.id])}`;
    }
  });
});
