// The whatsapp_send tool end to end: a person runs a team whose demo agent calls whatsapp_send; the
// executor asks the database (private.send_whatsapp_for_step), which appends the run's assistant
// message to the contact's conversation on the number they wrote to, and the outbound function
// delivers it to the fake Meta (real HTTP, Meta's wire format). What the database refuses (a number
// that is no contact, a contact who opted out, a conversation a person holds) reaches the model as
// the tool's error, the run still completes, and nothing is sent. The retry rule (a retried step
// sends nothing twice) is proven in pgTAP 210.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  type Company,
  connectMetaInbox,
  createTeam,
  databaseConnection,
  demoAgent,
  events,
  expectStatus,
  type FakeWhatsAppProviders,
  newCompany,
  receiveMessage,
  removeCompanies,
  runFinished,
  startFakeWhatsAppProviders,
  startRun,
  steps,
  waitForOutbound,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = databaseConnection();
let company: Company;
let teamId: string;
let fake: FakeWhatsAppProviders;
let inbox: { id: string; phoneNumberId: string };

const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  company = await newCompany(sql, "whatsapp-send");
  const connected = await connectMetaInbox(company.owner, company.tenantId, "Vendas");
  fake.meta({ phoneNumberId: connected.phoneNumberId, accessToken: connected.accessToken });
  inbox = { id: connected.id, phoneNumberId: connected.phoneNumberId };
  const agentId = await demoAgent(company, "Follow-up");
  await expectStatus(call(company.owner, "PATCH", `/agents/${agentId}`, { tenant: company.tenantId, body: { tools: ["whatsapp_send"] } }), 200);
  teamId = await createTeam(company, { name: "Follow-ups", workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
});

afterAll(async () => {
  await fake?.close();
  if (company) await removeCompanies(sql, [company]);
  await sql.end();
});

async function toolEvents(executionId: string) {
  return (await events(sql, executionId)).filter((event) => event.event === "tool_call");
}

describe("an agent writing on WhatsApp with whatsapp_send", () => {
  it("sends to an existing contact from the number they wrote to, and refuses what the company's rules refuse", async () => {
    const ana = aContact();
    const optedOut = aContact();
    const heldByPerson = aContact();
    for (const phone of [ana, optedOut, heldByPerson]) await receiveMessage(sql, inbox.id, { phone, name: "Cliente", body: "Oi" });
    await sql`update public.contacts set opted_out_at = now() where tenant_id = ${company.tenantId} and phone = ${`+${optedOut}`}`;
    await sql`
      update public.conversations c set assignee = 'member', assignee_user_id = ${company.owner.id}
      from public.contacts ct where ct.id = c.contact_id and ct.phone = ${`+${heldByPerson}`} and c.tenant_id = ${company.tenantId}`;
    const sentBefore = fake.sent.length;

    const script = [
      `@tool whatsapp_send {"to":"+${ana}","text":"Seu pedido saiu para entrega."}`,
      '@tool whatsapp_send {"to":"+5511900000000","text":"Oi"}',
      `@tool whatsapp_send {"to":"+${optedOut}","text":"Promoção!"}`,
      `@tool whatsapp_send {"to":"+${heldByPerson}","text":"Oi"}`,
    ].join("\n");
    const run = await runFinished(sql, (await startRun(company, teamId, `Avise a Ana\n${script}`)).id);
    expect(run.status, run.error_message ?? "").toBe("completed");
    expect((await toolEvents(run.id)).map((event) => [event.payload.tool, event.payload.status])).toEqual([
      ["whatsapp_send", "succeeded"],
      ["whatsapp_send", "failed"],
      ["whatsapp_send", "failed"],
      ["whatsapp_send", "failed"],
    ]);
    const output = (await steps(sql, run.id))[0].output;
    expect(output).toContain("whatsapp_send writes only to existing contacts");
    expect(output).toContain("asked not to receive messages");
    expect(output).toContain("a person is handling this contact's conversation");

    // Ana's conversation holds the run's message, which reached Meta once.
    const [message] = await sql<{ id: string; role: string; execution_id: string; inbox_id: string }[]>`
      select m.id, m.role::text, m.execution_id, m.inbox_id from public.messages m join public.contacts ct on ct.id = m.contact_id
      where ct.phone = ${`+${ana}`} and m.direction = 'out'`;
    expect(message).toMatchObject({ role: "assistant", execution_id: run.id, inbox_id: inbox.id });
    const sent = await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the tool's message sent to the fake Meta");
    expect(fake.sent.slice(sentBefore)).toEqual([
      { provider: "meta_cloud", account: inbox.phoneNumberId, to: ana, body: "Seu pedido saiu para entrega.", providerMessageId: sent.provider_message_id },
    ]);
    const [{ refused }] = await sql<{ refused: number }[]>`
      select count(*)::int as refused from public.messages m join public.contacts ct on ct.id = m.contact_id
      where ct.tenant_id = ${company.tenantId} and ct.phone in (${`+${optedOut}`}, ${`+${heldByPerson}`}) and m.direction = 'out'`;
    expect(refused).toBe(0);
  });
});
