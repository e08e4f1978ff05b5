// Replies leaving for WhatsApp through the running stack: private.append_outbound_message queues a
// reply and wakes the `outbound` function through pg_net, which sends it to the fake providers (Meta
// and Z-API at the stack's provider addresses, Evolution at the inbox's own) and records what
// happened. Covered: sent once, with the provider's id, then delivered and read as the provider
// posts statuses to the webhooks function; 429 then 200 is one send; 500 four times is a dead
// letter, and retrying it from the API sends it once; a conversation's replies leave in order even when the
// first one waits for a retry; long bodies go in parts; Meta's 24-hour window fails a reply
// clearly; a refusal fails at once with its reason; a worker killed mid-send leaves a dead letter,
// never a second send (at most once); a suspended company's queued reply waits, then leaves once
// when the company is active again; a pass with every slot in flight keeps delivering while replies
// keep coming.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendClaimedByDyingWorker,
  appendReply,
  type ApiUser,
  call,
  cleanUp,
  connectEvolutionInbox,
  connectMetaInbox,
  type ConnectedInbox,
  createTenant,
  expectStatus,
  type FakeWhatsAppProviders,
  outboundState,
  pause,
  receiveMessage,
  signUp,
  stackEnv,
  startFakeWhatsAppProviders,
  testDatabase,
  waitFor,
  waitForOutbound,
  whatsAppSender,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let company: string;
let fake: FakeWhatsAppProviders;
let meta: Awaited<ReturnType<typeof connectMetaInbox>>;
let evolution: ConnectedInbox;
let serial = 0;

/** A fresh contact writing to the Meta inbox: its open conversation (the 24-hour window open). */
async function metaConversation(): Promise<{ conversationId: string; phone: string }> {
  const phone = `+55119${String(Date.now() % 10_000_000).padStart(7, "0")}${++serial % 10}`;
  const arrived = await receiveMessage(sql, meta.id, { phone, name: "Lead" });
  return { conversationId: arrived.conversation_id, phone };
}

const sentBodies = (body: string) => fake.sent.filter((sent) => sent.body === body);
const attemptsOf = (body: string) => fake.sendAttempts.filter((attempt) => attempt.body === body).map((attempt) => attempt.answeredStatus);

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  owner = await signUp("outbound-owner");
  people.push(owner);
  company = await createTenant(owner, "Respostas Ltda");
  meta = await connectMetaInbox(owner, company, "Vendas Meta");
  fake.meta({ phoneNumberId: meta.phoneNumberId, accessToken: meta.accessToken });
  evolution = await connectEvolutionInbox(owner, company, fake.url, "Vendas Evolution");
  fake.evolution({ instanceName: evolution.instanceName!, apiKey: evolution.apiKey! });
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("a reply leaves once", () => {
  it("is sent once with the provider's id, then moves to delivered and read as Meta posts statuses", async () => {
    const { conversationId, phone } = await metaConversation();
    const body = `Olá! Como posso ajudar? ${crypto.randomUUID()}`;
    const messageId = await appendReply(sql, conversationId, body);

    const sent = await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the reply sent");
    expect(sentBodies(body)).toEqual([
      { provider: "meta_cloud", account: meta.phoneNumberId, to: phone.replace(/\D/g, ""), body, providerMessageId: sent.provider_message_id },
    ]);
    expect(sent).toMatchObject({ delivery_status: "sent", attempts: 1, parts_sent: 1, error: null });
    const request = fake.requests.find((seen) => (seen.body as { text?: { body?: string } } | null)?.text?.body === body);
    expect(request?.headers.authorization).toBe(`Bearer ${meta.accessToken}`);

    const sender = { provider: "meta_cloud" as const, inboxId: meta.id, appSecret: meta.appSecret, phoneNumberId: meta.phoneNumberId };
    const recipient = phone.replace(/\D/g, "");
    for (const status of ["delivered", "read"] as const) {
      const posted = await whatsAppSender.deliver(
        stackEnv.functionsUrl,
        sender,
        whatsAppSender.statusUpdate(sender, { id: sent.provider_message_id!, status, recipient }),
      );
      expect(posted.status).toBe(200);
      await waitForOutbound(sql, messageId, (state) => state.status === status, `the reply ${status}`);
    }
    await pause(300);
    expect(sentBodies(body)).toHaveLength(1);
  });

  it("goes through Evolution at the inbox's own address", async () => {
    const arrived = await receiveMessage(sql, evolution.id, { phone: "+55 21 98765-0001", name: "Lead Evolution" });
    const body = `Oi pela Evolution ${crypto.randomUUID()}`;
    const messageId = await appendReply(sql, arrived.conversation_id, body, { role: "system" });
    const sent = await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the reply sent");
    expect(sentBodies(body)).toEqual([
      { provider: "evolution", account: evolution.instanceName, to: "5521987650001", body, providerMessageId: sent.provider_message_id },
    ]);
  });

  it("splits a body over 4,096 characters at word boundaries and sends the parts in order, once", async () => {
    const { conversationId } = await metaConversation();
    const marker = crypto.randomUUID();
    const words = Array.from({ length: 1200 }, (_, index) => `w${index}-${marker.slice(0, 4)}`);
    const messageId = await appendReply(sql, conversationId, words.join(" "));
    const sent = await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the long reply sent");
    const parts = fake.sent.filter((message) => message.body.includes(`-${marker.slice(0, 4)}`));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.body.length).toBeLessThanOrEqual(4096);
    expect(parts.map((part) => part.body).join(" ").split(" ")).toEqual(words);
    expect(sent.parts_sent).toBe(parts.length);
    expect(sent.provider_message_id).toBe(parts[0].providerMessageId);
  });
});

describe("retries and dead letters", () => {
  it("sends once after a 429, honouring Retry-After", async () => {
    const { conversationId } = await metaConversation();
    const body = `Depois do 429 ${crypto.randomUUID()}`;
    fake.scriptSends([{ status: 429, retryAfter: "2" }]);
    const messageId = await appendReply(sql, conversationId, body);
    const sent = await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the reply sent after the 429");
    expect(attemptsOf(body)).toEqual([429, 200]);
    expect(sentBodies(body)).toHaveLength(1);
    expect(sent).toMatchObject({ attempts: 2, delivery_status: "sent", last_error: { code: "rate_limited" } });
  });

  it("makes a dead letter of four 500s, and a retry of it sends the reply once", async () => {
    const { conversationId } = await metaConversation();
    const body = `Quatro 500 ${crypto.randomUUID()}`;
    fake.scriptSends([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    // The company-wide schedule (1 s, 5 s, 25 s: pgTAP 113) shortened for this test to 1 s, 2 s, 4 s,
    // which still outlasts the function's 2 s idle exit, so the heartbeat wakes it for the last one.
    const [{ delays }] = await sql<{ delays: number[] }[]>`
      select retry_delays_seconds::float8[] as delays from private.outbound_settings`;
    await sql`update private.outbound_settings set retry_delays_seconds = '{1,2,4}'`;
    let dead: Awaited<ReturnType<typeof waitForOutbound>>;
    let messageId: string;
    try {
      messageId = await appendReply(sql, conversationId, body);
      dead = await waitForOutbound(sql, messageId, (state) => state.delivery_status === "dead", "the dead letter", 120_000);
    } finally {
      await sql`update private.outbound_settings set retry_delays_seconds = ${delays}::numeric[]`;
    }
    expect(attemptsOf(body)).toEqual([500, 500, 500, 500]);
    expect(sentBodies(body)).toHaveLength(0);
    expect(dead).toMatchObject({
      status: "failed",
      attempts: 4,
      error: { code: "provider_unavailable", http_status: 500, dead_letter: true },
      last_error: { code: "provider_unavailable" },
    });

    const letters = await expectStatus(call(owner, "GET", "/dead-letters", { tenant: company }), 200);
    expect(letters.items).toContainEqual(expect.objectContaining({ id: dead.delivery_id, message_id: messageId, body, attempts: 4 }));
    expect(await expectStatus(call(owner, "POST", `/dead-letters/${dead.delivery_id}/retry`, { tenant: company }), 200))
      .toEqual({ message_id: messageId, status: "queued" });
    await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the retried reply sent");
    expect(attemptsOf(body)).toEqual([500, 500, 500, 500, 200]);
    expect(sentBodies(body)).toHaveLength(1);
  }, 300_000);

  it("keeps a conversation's order: later replies wait for the first one's retry", async () => {
    const { conversationId } = await metaConversation();
    const marker = crypto.randomUUID();
    const bodies = [1, 2, 3, 4, 5].map((n) => `${n} de 5 ${marker}`);
    fake.scriptSends([{ status: 503, retryAfter: "1" }]);
    const ids: string[] = [];
    for (const body of bodies) ids.push(await appendReply(sql, conversationId, body));
    for (const id of ids) await waitForOutbound(sql, id, (state) => state.status === "sent", "every reply sent");
    expect(fake.sent.filter((sent) => sent.body.endsWith(marker)).map((sent) => sent.body)).toEqual(bodies);
    expect(attemptsOf(bodies[0])).toEqual([503, 200]);
  });

  it("fails a refusal at once with the reason, without retrying", async () => {
    const { conversationId } = await metaConversation();
    const body = `Número sem WhatsApp ${crypto.randomUUID()}`;
    fake.scriptSends([{ status: 400, body: { error: { message: "(#131026) Message Undeliverable.", type: "OAuthException", code: 131026 } } }]);
    const messageId = await appendReply(sql, conversationId, body);
    const failed = await waitForOutbound(sql, messageId, (state) => state.status === "failed", "the refused reply failed");
    expect(failed).toMatchObject({
      delivery_status: "failed",
      attempts: 1,
      error: { code: "recipient_not_on_whatsapp", message: "This phone number is not on WhatsApp.", http_status: 400 },
    });
    expect(attemptsOf(body)).toEqual([400]);
  });
});

describe("never a silent drop, never twice", () => {
  it("fails a Meta reply outside the 24-hour window with its reason, sending nothing", async () => {
    // A conversation the company started from its phone: the contact never wrote.
    const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
      select private.record_webhook_message(${meta.id}, ${
      sql.json({
        contact_phone: "+5511955550000",
        contact_name: "Sem janela",
        direction: "out",
        role: "human",
        type: "text",
        body: "mensagem do celular",
        media: null,
        provider_message_id: `wamid.echo-${crypto.randomUUID()}`,
        sent_at: null,
        metadata: {},
      })
    }) as recorded`;
    const body = `Fora da janela ${crypto.randomUUID()}`;
    const messageId = await appendReply(sql, row.recorded.conversation_id, body);
    const failed = await waitForOutbound(sql, messageId, (state) => state.status === "failed", "the reply failed");
    expect(failed).toMatchObject({ delivery_status: "failed", error: { code: "outside_customer_window" } });
    expect(attemptsOf(body)).toEqual([]);
  });

  it("makes a dead letter of a reply whose worker died mid-send, and never sends it by itself (at most once)", async () => {
    const { conversationId } = await metaConversation();
    const body = `Trabalhador morto ${crypto.randomUUID()}`;
    const messageId = await appendClaimedByDyingWorker(sql, conversationId, body, "outbound:killed-in-a-test", 5);
    // The lease runs out after 5 s; the watchdog (every second) reaps it.
    const dead = await waitForOutbound(sql, messageId, (state) => state.delivery_status === "dead", "the interrupted reply reaped", 90_000);
    expect(dead).toMatchObject({ status: "failed", error: { code: "delivery_interrupted", dead_letter: true } });
    await pause(2_000);
    expect(attemptsOf(body)).toEqual([]);
    expect((await outboundState(sql, messageId)).delivery_status).toBe("dead");
  }, 150_000);
});

describe("a suspended company", () => {
  it("sends nothing it had queued while suspended, and sends it once when reactivated", async () => {
    const { conversationId } = await metaConversation();
    const body = `Em espera ${crypto.randomUUID()}`;
    // Queued, and the company suspended, in one commit: the job is there when the function looks.
    const messageId = await sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`select private.append_outbound_message(${conversationId}, 'assistant', ${body}) as id`;
      await tx`update public.tenants set status = 'suspended' where id = ${company}`;
      return row.id;
    });
    try {
      // The kick after the commit and a few watchdog passes (one a second) find nothing to claim.
      await pause(3_000);
      expect(attemptsOf(body)).toEqual([]);
      expect(await outboundState(sql, messageId)).toMatchObject({ status: "queued", delivery_status: "pending", attempts: 0, error: null });
    } finally {
      await sql`update public.tenants set status = 'active' where id = ${company}`;
    }
    // Reactivated: the status change wakes the function at once (20261122001980_reactivated_company.sql).
    await waitForOutbound(sql, messageId, (state) => state.status === "sent", "the held reply sent after reactivation");
    expect(attemptsOf(body)).toEqual([200]);
  });
});

// Last in the file: before its fix, this state left the outbound worker spinning for good.
describe("a pass with every slot in flight", () => {
  it("keeps delivering when replies are queued meanwhile (their kicks wait for a free slot)", async () => {
    const marker = crypto.randomUUID();
    // More conversations than a pass keeps in flight (64), each first reply held at Meta for a moment.
    const conversations: string[] = [];
    for (let n = 0; n < 70; n++) conversations.push((await metaConversation()).conversationId);
    fake.scriptSends(Array.from({ length: 70 }, () => ({ status: 200, acceptThenAnswer: true, delayMs: 1_500 })));
    const first = await Promise.all(conversations.map((id, n) => appendReply(sql, id, `ocupado ${marker} ${n} a`)));
    await waitFor(async () => fake.sent.filter((sent) => sent.body.startsWith(`ocupado ${marker}`)).length >= 64, "a full pass", 30_000, 20);

    // Each of these kicks the running pass while all of its slots wait on Meta.
    const second = await Promise.all(conversations.slice(0, 6).map((id, n) => appendReply(sql, id, `ocupado ${marker} ${n} b`)));

    for (const messageId of [...first, ...second]) {
      await waitForOutbound(sql, messageId, (state) => state.status === "sent", "every reply sent", 30_000);
    }
    const bodies = fake.sent.filter((sent) => sent.body.startsWith(`ocupado ${marker}`)).map((sent) => sent.body);
    expect(bodies).toHaveLength(76);
    expect(new Set(bodies).size).toBe(76);
  }, 120_000);
});
