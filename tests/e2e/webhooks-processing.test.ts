// What a provider's POST becomes, through the gateway: each provider's inbound message → one
// contact, one conversation, one message, processed right after the 200 (no pg_cron wait); a
// message sent from the phone → human and outgoing; statuses before their message applied when it
// comes; the same payload five times and twenty copies at once → one of each; groups kept as
// ignored events; the database stopped during a POST → 503, and the provider's retry lands the
// message once; owners and admins list the events and replay one through the api, nobody else.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  databaseConnection,
  eventsSettled,
  expectStatus,
  inboxCounts,
  inboxMessages,
  type InboxProvider,
  createWebhookInbox,
  signUp,
  stackEnv,
  startDatabase,
  stopDatabase,
  TenantFixtures,
  webhookEvents,
  whatsAppSender,
  type ApiUser,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = databaseConnection();
const tenants = new TenantFixtures(sql);
const providers: InboxProvider[] = ["meta_cloud", "zapi", "evolution"];
let owner: ApiUser;
let member: ApiUser;

beforeAll(async () => {
  owner = await signUp("webhooks-owner");
  member = await signUp("webhooks-member");
});

afterAll(async () => {
  await tenants.cleanup();
  await sql`delete from auth.users where id in ${sql([owner.id, member.id])}`;
  await sql.end();
});

const functionsUrl = () => stackEnv.functionsUrl;
const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
const newTenant = () => tenants.tenant([[owner, "owner"], [member, "member"]]);

describe.each(providers)("a %s inbox", (provider) => {
  it("turns an inbound message into a contact, a conversation and a message, without waiting for the cron job", async () => {
    const inbox = await createWebhookInbox(sql, await newTenant(), provider);
    const phone = aContact();
    const delivery = await whatsAppSender.deliver(functionsUrl(), inbox, whatsAppSender.inboundText(inbox, { from: phone, name: "Ana Souza", text: "Quero saber o preço" }));
    expect(delivery.status).toBe(200);

    // Well under the minute of the pg_cron job: the function drains right after answering.
    const started = Date.now();
    await eventsSettled(sql, inbox.inboxId, 20_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    const [message] = await inboxMessages(sql, inbox.inboxId);
    expect(message).toMatchObject({ message_index: 1, direction: "in", role: "user", type: "text", body: "Quero saber o preço", status: "received" });
    const [contact] = await sql`select phone, name from public.contacts where id = ${message.contact_id}`;
    expect(contact).toEqual({ phone: `+${phone}`, name: "Ana Souza" });
    const [conversation] = await sql`select status::text, unread_count from public.conversations where id = ${message.conversation_id}`;
    expect(conversation).toEqual({ status: "open", unread_count: 1 });
    expect((await webhookEvents(sql, inbox.inboxId))[0].status).toBe("processed");
  });

  it("keeps a message sent from the phone as human and outgoing, with the status that came before it", async () => {
    const inbox = await createWebhookInbox(sql, await newTenant(), provider);
    const phone = aContact();
    const id = provider === "meta_cloud" ? whatsAppSender.metaMessageId() : `OUT${Date.now()}`;
    // The provider reports the read before it posts the message itself.
    expect((await whatsAppSender.deliver(functionsUrl(), inbox, whatsAppSender.statusUpdate(inbox, { id, status: "read", recipient: phone }))).status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);
    expect((await whatsAppSender.deliver(functionsUrl(), inbox, whatsAppSender.inboundText(inbox, { id, from: phone, text: "Oi, aqui é a loja", fromMe: true }))).status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);

    const messages = await inboxMessages(sql, inbox.inboxId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ direction: "out", role: "human", body: "Oi, aqui é a loja", status: "read", provider_message_id: id });
  });

  it("records the same payload five times, and twenty copies at once, as one message, one conversation, one contact", async () => {
    const inbox = await createWebhookInbox(sql, await newTenant(), provider);
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), name: "Bia", text: "repeated" });
    for (let i = 0; i < 5; i++) expect((await whatsAppSender.deliver(functionsUrl(), inbox, payload)).status).toBe(200);
    const copies = whatsAppSender.inboundText(inbox, { from: aContact(), name: "Caio", text: "at once" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => whatsAppSender.deliver(functionsUrl(), inbox, copies)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await eventsSettled(sql, inbox.inboxId);

    expect(await inboxCounts(sql, inbox.inboxId)).toEqual({ contacts: 2, conversations: 2, messages: 2 });
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(2);
  });

  it("keeps a group message as an ignored event and records nothing", async () => {
    if (provider === "meta_cloud") return; // Cloud API numbers are not in groups.
    const inbox = await createWebhookInbox(sql, await newTenant(), provider);
    const group = provider === "zapi"
      ? whatsAppSender.zapiGroupMessage(inbox.provider === "zapi" ? inbox.instanceId : "", { from: aContact(), text: "hi all" })
      : whatsAppSender.evolutionGroupMessage(inbox.provider === "evolution" ? inbox.instanceName : "", { from: aContact(), text: "hi all" });
    expect((await whatsAppSender.deliver(functionsUrl(), inbox, group)).status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);
    expect((await webhookEvents(sql, inbox.inboxId)).map((event) => event.status)).toEqual(["ignored"]);
    expect((await inboxCounts(sql, inbox.inboxId)).messages).toBe(0);
  });
});

describe("a Meta payload with several messages and statuses", () => {
  it("records every message of every entry, for this number only", async () => {
    const inbox = await createWebhookInbox(sql, await newTenant(), "meta_cloud");
    if (inbox.provider !== "meta_cloud") throw new Error("expected a Meta inbox");
    const [ana, bia] = [aContact(), aContact()];
    const ours = whatsAppSender.metaPayload(inbox.phoneNumberId, {
      messages: [{ from: ana, name: "Ana", text: "um" }, { from: ana, name: "Ana", text: "dois" }, { from: bia, name: "Bia", text: "três" }],
    });
    const sibling = whatsAppSender.metaPayload("999999999", { messages: [{ from: ana, text: "another number of the same app" }] });
    const payload = { ...ours, entry: [...ours.entry, ...sibling.entry] };
    expect((await whatsAppSender.deliver(functionsUrl(), inbox, payload)).status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);

    const messages = await inboxMessages(sql, inbox.inboxId);
    expect(messages.map((message) => message.body).sort()).toEqual(["dois", "três", "um"]);
    expect(new Set(messages.map((message) => message.conversation_id)).size).toBe(2);
    const [event] = await sql`select outcome from public.webhook_events where inbox_id = ${inbox.inboxId}`;
    expect(event.outcome.skipped).toEqual([{ reason: "other_phone_number", phone_number_id: "999999999" }]);
  });
});

describe("the database stopped during a POST", () => {
  it("answers 503 so the provider retries, and the retry lands the message once", async () => {
    const inbox = await createWebhookInbox(sql, await newTenant(), "meta_cloud");
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), text: "during the outage" });
    await stopDatabase();
    let first: whatsAppSender.Delivery;
    try {
      first = await whatsAppSender.deliver(functionsUrl(), inbox, payload, { timeoutMs: 60_000 });
    } finally {
      await startDatabase(sql);
    }
    expect(first.status).toBe(503);
    expect(JSON.parse(first.body).error.code).toBe("database_unavailable");

    // Meta retries the same bytes until it gets a 200 (the function's pool reconnects).
    const retried = await whatsAppSender.deliver(functionsUrl(), inbox, payload, { retryDelaysMs: Array(30).fill(500) });
    expect(retried.status).toBe(200);
    await whatsAppSender.deliver(functionsUrl(), inbox, payload);
    await eventsSettled(sql, inbox.inboxId);
    expect(await inboxCounts(sql, inbox.inboxId)).toMatchObject({ conversations: 1, messages: 1 });
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(1);
  });
});

describe("GET /webhook-events and replay", () => {
  it("lets owners list and replay their events; members get 403, other companies' events 404", async () => {
    const tenantId = await newTenant();
    const inbox = await createWebhookInbox(sql, tenantId, "zapi");
    if (inbox.provider !== "zapi") throw new Error("expected a Z-API inbox");
    await whatsAppSender.deliver(functionsUrl(), inbox, whatsAppSender.inboundText(inbox, { from: aContact(), text: "recorded" }));
    await whatsAppSender.deliver(functionsUrl(), inbox, whatsAppSender.zapiGroupMessage(inbox.instanceId, { from: aContact(), text: "group" }));
    await eventsSettled(sql, inbox.inboxId);

    const all = await expectStatus(call(owner, "GET", "/webhook-events", { tenant: tenantId }), 200);
    expect(all.total).toBe(2);
    expect(all.items[0]).not.toHaveProperty("raw_body");
    const ignored = await expectStatus(call(owner, "GET", `/webhook-events?status=ignored&inbox_id=${inbox.inboxId}`, { tenant: tenantId }), 200);
    expect(ignored.items.map((event: { status: string }) => event.status)).toEqual(["ignored"]);
    const [ignoredId, processedId] = [ignored.items[0].id, all.items.find((event: { status: string }) => event.status === "processed").id];

    const one = await expectStatus(call(owner, "GET", `/webhook-events/${ignoredId}`, { tenant: tenantId }), 200);
    expect(one.raw_body).toContain("-group");

    const replayed = await expectStatus(call(owner, "POST", `/webhook-events/${ignoredId}/replay`, { tenant: tenantId }), 200);
    expect(replayed).toMatchObject({ id: ignoredId, status: "ignored", attempts: 1 });
    const again = await call(owner, "POST", `/webhook-events/${processedId}/replay`, { tenant: tenantId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("webhook_event_already_processed");

    expect((await call(member, "GET", "/webhook-events", { tenant: tenantId })).status).toBe(403);
    expect((await call(member, "POST", `/webhook-events/${ignoredId}/replay`, { tenant: tenantId })).status).toBe(403);
    const otherTenant = await newTenant();
    const elsewhere = await call(owner, "GET", `/webhook-events/${ignoredId}`, { tenant: otherTenant });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("webhook_event_not_found");
    expect((await call(owner, "POST", `/webhook-events/${ignoredId}/replay`, { tenant: otherTenant })).status).toBe(404);
    expect((await call(owner, "GET", "/webhook-events?status=lost", { tenant: tenantId })).status).toBe(422);
  });
});
