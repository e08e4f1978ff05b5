// The inbox updating live, as the web app's /inbox does: a member joins the private topics
// `inbox:<id>` and `conversation:<id>` with realtime-js and, while a provider posts to the webhooks
// function, receives the new message, the conversation's change and each delivery status in
// order — ids and statuses only, never a body; a member of another company is refused both topics
// with the hosted server's reason.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type ApiUser,
  type BroadcastReceived,
  closeAllClients,
  collectBroadcasts,
  createWebhookInbox,
  databaseConnection,
  eventsSettled,
  inboxMessages,
  realtimeClient,
  signUp,
  stackEnv,
  subscribe,
  subscribed,
  TenantFixtures,
  waitFor,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = databaseConnection();
const tenants = new TenantFixtures(sql);
let member: ApiUser;
let outsider: ApiUser;

beforeAll(async () => {
  [member, outsider] = await Promise.all([signUp("live-inbox-member"), signUp("live-inbox-outsider")]);
  // The outsider belongs to a company of their own, so the refusal is about the topic, not about having none.
  await tenants.tenant([[outsider, "owner"]]);
});

afterEach(closeAllClients);

afterAll(async () => {
  await tenants.cleanup();
  await sql`delete from auth.users where id in ${sql([member.id, outsider.id])}`;
  await sql.end();
});

async function channelAs(user: ApiUser, topic: string) {
  const client = realtimeClient();
  await client.setAuth(user.token);
  return client.channel(topic, { config: { private: true } });
}

function events(received: BroadcastReceived[], event: string) {
  return received.filter((message) => message.event === event).map((message) => message.payload);
}

const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

describe("a WhatsApp inbox, live", () => {
  it("tells a member of each new message, the conversation's change and every status, in order and without bodies", async () => {
    const inbox = await createWebhookInbox(sql, await tenants.tenant([[member, "member"]]), "meta_cloud");
    const inboxChannel = await channelAs(member, `inbox:${inbox.inboxId}`);
    const onInbox = collectBroadcasts(inboxChannel);
    await subscribed(inboxChannel);

    const phone = aContact();
    const inbound = whatsAppSender.inboundText(inbox, { from: phone, name: "Ana Souza", text: "segredo do cliente" });
    expect((await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, inbound)).status).toBe(200);
    const [created] = await waitFor(async () => events(onInbox, "message_created").length > 0 && events(onInbox, "message_created"), "the inbox's message_created");
    const [stored] = await inboxMessages(sql, inbox.inboxId);
    expect(created).toMatchObject({ message_id: stored.id, conversation_id: stored.conversation_id, message_index: 1, direction: "in", role: "user", status: "received" });
    expect(JSON.stringify(onInbox)).not.toContain("segredo do cliente");
    const opened = await waitFor(async () => events(onInbox, "conversation_updated").find((change) => change.unread_count === 1), "the conversation's unread count");
    expect(opened).toMatchObject({ conversation_id: stored.conversation_id, status: "open" });

    // The open thread: a message sent from the phone, then its statuses as the provider reports them.
    const threadChannel = await channelAs(member, `conversation:${stored.conversation_id}`);
    const onThread = collectBroadcasts(threadChannel);
    await subscribed(threadChannel);
    const id = whatsAppSender.metaMessageId();
    await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { id, from: phone, text: "Oi, aqui é a loja", fromMe: true }));
    await eventsSettled(sql, inbox.inboxId);
    for (const status of ["delivered", "read"] as const) {
      await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.statusUpdate(inbox, { id, status, recipient: phone }));
      await eventsSettled(sql, inbox.inboxId);
    }

    const statuses = await waitFor(async () => events(onThread, "message_status").length >= 2 && events(onThread, "message_status"), "two statuses");
    expect(statuses.map((change) => change.status)).toEqual(["delivered", "read"]);
    expect(events(onThread, "message_created")).toEqual([expect.objectContaining({ message_index: 2, direction: "out", role: "human" })]);
    expect(JSON.stringify(onThread)).not.toContain("aqui é a loja");
  });

  it("refuses both topics to a member of another company", async () => {
    const inbox = await createWebhookInbox(sql, await tenants.tenant([[member, "member"]]), "zapi");
    await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from: aContact(), text: "oi" }));
    await eventsSettled(sql, inbox.inboxId);
    const [stored] = await inboxMessages(sql, inbox.inboxId);

    for (const topic of [`inbox:${inbox.inboxId}`, `conversation:${stored.conversation_id}`]) {
      const [own, theirs] = await Promise.all([subscribe(await channelAs(member, topic)), subscribe(await channelAs(outsider, topic))]);
      expect(own.status).toBe("SUBSCRIBED");
      expect(theirs.status).toBe("CHANNEL_ERROR");
      expect(theirs.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
    }
  });
});
