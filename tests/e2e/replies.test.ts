// Agents answer on WhatsApp (responder, #13), end to end with the fakes: a provider's signed POST
// reaches the webhooks function, the ingest opens a turn, the turn starts a run of the inbox's
// demo-provider team in the engine, and the run's answer becomes the conversation's assistant
// message with the run's id, tokens and cost, which the outbound function sends to the fake Meta. Three quick
// messages make one reply; a person who took over gets no bot reply until they give it back; a
// handoff keyword hands the conversation to people, announced on the inbox's topic, with no reply.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  type Company,
  conversationReplies,
  connectMetaInbox,
  conversationTurns,
  createTeam,
  createWebhookInbox,
  databaseConnection,
  demoAgent,
  eventsSettled,
  expectStatus,
  type FakeWhatsAppProviders,
  inboxConversation,
  newCompany,
  removeCompanies,
  repliesArrive,
  setInboxResponder,
  signUp,
  stackEnv,
  startFakeWhatsAppProviders,
  waitForOutbound,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = databaseConnection();
let company: Company;
let teamId: string;
let fake: FakeWhatsAppProviders;
const companies: Company[] = [];

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  company = await newCompany(sql, "replies");
  companies.push(company);
  const agentId = await demoAgent(company, "Receptionist", { reply: "Resposta a: {input}", tokens_per_reply: 7 });
  teamId = await createTeam(company, { name: "Front desk", workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
});

afterAll(async () => {
  await fake?.close();
  await removeCompanies(sql, companies);
  await sql.end();
});

const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

/** A Meta inbox of the company answered by the team with these settings. */
async function answeredInbox(settings: { debounce_ms: number }) {
  const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
  await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: teamId, ...settings });
  return inbox;
}

async function say(inbox: whatsAppSender.SenderInbox, from: string, text: string): Promise<void> {
  const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from, name: "Ana Souza", text }));
  expect(delivery.status).toBe(200);
  await eventsSettled(sql, inbox.inboxId);
}

describe("the bot's reply", () => {
  it("answers a signed inbound message with the team's reply, sent to the fake Meta, with its run, tokens and cost from the ledger", async () => {
    // A Meta inbox connected through the API, whose number the fake Meta knows.
    const connected = await connectMetaInbox(company.owner, company.tenantId, "Vendas");
    fake.meta({ phoneNumberId: connected.phoneNumberId, accessToken: connected.accessToken });
    const inbox = { provider: "meta_cloud" as const, inboxId: connected.id, appSecret: connected.secrets[0], phoneNumberId: connected.phoneNumberId };
    await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: teamId, debounce_ms: 0 });
    const phone = aContact();
    await say(inbox, phone, "Quero saber o preço");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    const [reply] = await repliesArrive(sql, conversation.id);

    expect(reply).toMatchObject({ message_index: 2, role: "assistant", direction: "out", body: "Resposta a: Quero saber o preço" });
    const sent = await waitForOutbound(sql, reply.id, (state) => state.status === "sent", "the reply sent to the fake Meta");
    expect(fake.sent.filter((message) => message.body === reply.body)).toEqual([
      { provider: "meta_cloud", account: connected.phoneNumberId, to: phone, body: reply.body, providerMessageId: sent.provider_message_id },
    ]);
    const [run] = await sql`select team_id, status::text, created_by from public.executions where id = ${reply.execution_id}`;
    expect(run).toEqual({ team_id: teamId, status: "completed", created_by: null });
    const [ledger] = await sql`
      select sum(input_tokens)::int as input_tokens, sum(output_tokens)::int as output_tokens, sum(cost_usd)::text as cost_usd
      from public.usage_ledger where execution_id = ${reply.execution_id}`;
    expect({ input_tokens: reply.input_tokens, output_tokens: reply.output_tokens, cost_usd: reply.cost_usd }).toEqual(ledger);
    expect(reply.output_tokens).toBe(7);
    expect((await conversationTurns(sql, conversation.id)).map((turn) => turn.status)).toEqual(["answered"]);

    // The provider received the conversation as chat messages: the step's input is the contact's
    // latest message, the earlier exchange its history (the demo echoes the input).
    await say(inbox, phone, "E o anual?");
    const replies = await repliesArrive(sql, conversation.id, 2);
    expect(replies[1].body).toBe("Resposta a: E o anual?");
    const [{ transcript }] = await sql`
      select private.step_conversation_transcript(s.id) as transcript from public.execution_steps s where s.execution_id = ${replies[1].execution_id}`;
    expect(transcript.map((entry: { role: string }) => entry.role)).toEqual(["user", "assistant", "user"]);
  });

  it("gives three quick messages one reply", async () => {
    const inbox = await answeredInbox({ debounce_ms: 5_000 });
    const phone = aContact();
    for (const text of ["Oi", "tudo bem?", "Quanto custa?"]) await say(inbox, phone, text);
    const conversation = await inboxConversation(sql, inbox.inboxId);
    const [reply] = await repliesArrive(sql, conversation.id);

    expect(reply.body).toBe("Resposta a: Oi\ntudo bem?\nQuanto custa?");
    const turns = await conversationTurns(sql, conversation.id);
    expect(turns).toEqual([expect.objectContaining({ status: "answered", first_message_index: 1, last_message_index: 3 })]);
    expect(await conversationReplies(sql, conversation.id)).toHaveLength(1);
  });
});

describe("people in the loop", () => {
  it("pauses the bot when the business writes from its own phone (an echo), and opens no turn for it", async () => {
    const inbox = await answeredInbox({ debounce_ms: 0 });
    const phone = aContact();
    await say(inbox, phone, "Oi");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    await repliesArrive(sql, conversation.id);

    // A Meta number shared with the WhatsApp Business app: what the person typed comes back as an echo.
    const echo = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox,
      whatsAppSender.inboundText(inbox, { from: phone, text: "Oi Ana, aqui é o João da loja", fromMe: true }));
    expect(echo.status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);
    const [written] = await sql`
      select direction::text, role::text, sent_by from public.messages where conversation_id = ${conversation.id} and message_index = 3`;
    expect(written).toEqual({ direction: "out", role: "human", sent_by: null });
    const [held] = await sql`select assignee::text, status::text from public.conversations where id = ${conversation.id}`;
    expect(held).toEqual({ assignee: "unassigned", status: "open" });

    await say(inbox, phone, "Ah, oi João!");
    // The contact's message would open a turn in its own transaction: none was, and no run started.
    expect((await conversationTurns(sql, conversation.id)).map((turn) => turn.status)).toEqual(["answered"]);
    expect((await conversationReplies(sql, conversation.id)).map((reply) => reply.role)).toEqual(["assistant", "human"]);
  });

  it("keeps the bot quiet while a person holds the conversation, and answers again once released", async () => {
    const inbox = await answeredInbox({ debounce_ms: 0 });
    const phone = aContact();
    await say(inbox, phone, "Oi");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    await repliesArrive(sql, conversation.id);

    const taken = await expectStatus(call(company.owner, "POST", `/conversations/${conversation.id}/takeover`, { tenant: company.tenantId }), 200);
    expect(taken).toMatchObject({ assignee: "member", assignee_user_id: company.owner.id });
    await say(inbox, phone, "Ainda está aí?");
    // The turn would be opened in the message's own transaction: none was.
    expect((await conversationTurns(sql, conversation.id)).map((turn) => turn.status)).toEqual(["answered"]);
    expect(await conversationReplies(sql, conversation.id)).toHaveLength(1);

    const released = await expectStatus(call(company.owner, "POST", `/conversations/${conversation.id}/release`, { tenant: company.tenantId }), 200);
    expect(released).toMatchObject({ assignee: "bot", assignee_user_id: null });
    await say(inbox, phone, "Voltei");
    const replies = await repliesArrive(sql, conversation.id, 2);
    expect(replies[1].body).toContain("Voltei");
  });

  it("hands the conversation to people on a handoff keyword, announced on the inbox's topic, with no reply", async () => {
    const inbox = await answeredInbox({ debounce_ms: 0 });
    await say(inbox, aContact(), "Quero falar com um ATENDENTE");
    const conversation = await inboxConversation(sql, inbox.inboxId);

    expect(conversation).toMatchObject({ assignee: "unassigned", status: "pending" });
    expect(await conversationTurns(sql, conversation.id)).toEqual([]);
    expect(await conversationReplies(sql, conversation.id)).toEqual([]);
    const announcements = await sql`
      select payload ->> 'reason' as reason from realtime.messages
      where topic = ${`inbox:${inbox.inboxId}`} and event = 'handoff_requested' and payload ->> 'conversation_id' = ${conversation.id}`;
    expect(announcements).toEqual([{ reason: "handoff_keyword" }]);
  });

  it("lets only the company's handlers take over and release", async () => {
    const inbox = await answeredInbox({ debounce_ms: 0 });
    await say(inbox, aContact(), "Oi");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    const analyst = await signUp("replies-analyst");
    const outsider = await newCompany(sql, "replies-outsider");
    companies.push(outsider);
    await sql`insert into public.memberships (tenant_id, user_id, role) values (${company.tenantId}, ${analyst.id}, 'analyst')`;
    try {
      await expectStatus(call(analyst, "POST", `/conversations/${conversation.id}/takeover`, { tenant: company.tenantId }), 403);
      await expectStatus(call(outsider.owner, "POST", `/conversations/${conversation.id}/takeover`, { tenant: outsider.tenantId }), 404);
      await expectStatus(call(company.owner, "POST", "/conversations/not-a-uuid/release", { tenant: company.tenantId }), 422);
      expect((await inboxConversation(sql, inbox.inboxId)).assignee).toBe("bot");
    } finally {
      await sql`delete from auth.users where id = ${analyst.id}`;
    }
  });
});
