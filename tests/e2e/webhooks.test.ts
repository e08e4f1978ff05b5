// The `webhooks` function through the gateway, posted to by the fake WhatsApp providers exactly as
// Meta, Z-API and Evolution post: Meta's subscription check; a signed (or tokened) POST kept raw
// and answered 200 once committed; the same body again, and twenty copies at once, kept once; a
// forged or missing signature or token 401 with nothing stored; an unknown, disabled or
// other-provider inbox 404; a body over 3 MB 413; a body that is not UTF-8 400.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type Company,
  createWebhookInbox,
  databaseConnection,
  type InboxProvider,
  newCompany,
  removeCompanies,
  setInboxSecret,
  stackEnv,
  webhookEvents,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 60_000 });

const sql = databaseConnection();
let company: Company;
const providers: InboxProvider[] = ["meta_cloud", "zapi", "evolution"];

beforeAll(async () => {
  company = await newCompany(sql, "webhooks");
});

afterAll(async () => {
  await removeCompanies(sql, [company]);
  await sql.end();
});

const functionsUrl = () => stackEnv.functionsUrl;
const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

describe("Meta's subscription check", () => {
  it("answers the challenge for the inbox's verify token and 403 for any other", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const good = await whatsAppSender.verifySubscription(functionsUrl(), inbox, inbox.verifyToken!);
    expect(good).toMatchObject({ status: 200, body: good.challenge });

    const bad = await whatsAppSender.verifySubscription(functionsUrl(), inbox, `${inbox.verifyToken}x`);
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body).error.code).toBe("verify_token_mismatch");
  });

  it("answers 404 for an inbox that does not exist", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const stranger = { ...inbox, inboxId: crypto.randomUUID() };
    expect((await whatsAppSender.verifySubscription(functionsUrl(), stranger, inbox.verifyToken!)).status).toBe(404);
  });
});

describe.each(providers)("a %s inbox", (provider) => {
  it("keeps the body exactly as posted, once, and answers 200 again for the same body", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, provider);
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), name: "Conceição / Ana", text: "Olá, tudo bem? 😀" });

    const first = await whatsAppSender.deliver(functionsUrl(), inbox, payload);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ received: true, duplicate: false });
    for (let i = 0; i < 4; i++) {
      const again = await whatsAppSender.deliver(functionsUrl(), inbox, payload);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body).duplicate).toBe(true);
    }

    const events = await webhookEvents(sql, inbox.inboxId);
    expect(events).toHaveLength(1);
    expect(events[0].raw_body).toBe(whatsAppSender.providerBody(inbox, payload));
    expect(events[0].headers["content-type"]).toBe("application/json");
    // Never the signature or the token.
    expect(JSON.stringify(events[0].headers)).not.toMatch(/hub-signature|client-token|apikey/i);
  });

  it("keeps twenty copies posted at once as one event", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, provider);
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), text: "twenty at once" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => whatsAppSender.deliver(functionsUrl(), inbox, payload)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((answer) => JSON.parse(answer.body).duplicate === false)).toHaveLength(1);
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(1);
  });

  it("answers 401 for a forged or missing signature or token and stores nothing", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, provider);
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), text: "forged" });
    const forged = await whatsAppSender.deliver(functionsUrl(), inbox, payload, { forgedSecret: "not-the-secret" });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error.code).toBe("invalid_signature");
    const unsigned = await whatsAppSender.deliver(functionsUrl(), inbox, payload, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(0);
  });

  it("answers 404 for an unknown inbox, a disabled one, and one of another provider", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, provider);
    const payload = whatsAppSender.inboundText(inbox, { from: aContact(), text: "where to?" });

    const unknown = await whatsAppSender.deliver(functionsUrl(), { ...inbox, inboxId: crypto.randomUUID() }, payload);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe("inbox_not_found");
    expect((await whatsAppSender.deliver(functionsUrl(), { ...inbox, inboxId: "not-a-uuid" }, payload)).status).toBe(404);

    const other = await createWebhookInbox(sql, company.tenantId, provider === "zapi" ? "evolution" : "zapi");
    expect((await whatsAppSender.deliver(functionsUrl(), { ...inbox, inboxId: other.inboxId }, payload)).status).toBe(404);

    await sql`update public.inboxes set status = 'disabled' where id = ${inbox.inboxId}`;
    expect((await whatsAppSender.deliver(functionsUrl(), inbox, payload)).status).toBe(404);
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(0);
  });

  it("answers 413 for a body over 3 MB, signed or not, and stores nothing", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, provider);
    const huge = JSON.stringify({ padding: "x".repeat(3 * 1024 * 1024) });
    const answer = await whatsAppSender.deliver(functionsUrl(), inbox, huge);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe("payload_too_large");
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(0);
  });
});

describe("an inbox the function has seen before", () => {
  it("is refused at once once disabled, and takes a rotated secret at once (old one refused)", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    if (inbox.provider !== "meta_cloud") throw new Error("expected a Meta inbox");
    const post = (target: whatsAppSender.SenderInbox, text: string) =>
      whatsAppSender.deliver(functionsUrl(), target, whatsAppSender.inboundText(target, { from: aContact(), text }));
    // Seen (and remembered) by the function.
    expect((await post(inbox, "first")).status).toBe(200);

    const rotated = { ...inbox, appSecret: `${inbox.appSecret}-rotated` };
    await setInboxSecret(sql, inbox.inboxId, "meta_app_secret", rotated.appSecret);
    expect((await post(rotated, "signed with the new secret")).status).toBe(200);
    const old = await post(inbox, "signed with the old secret");
    expect(old.status).toBe(401);

    await sql`update public.inboxes set status = 'disabled' where id = ${inbox.inboxId}`;
    expect((await post(rotated, "after it was disabled")).status).toBe(404);
    expect((await webhookEvents(sql, inbox.inboxId)).length).toBe(2);
  });
});

describe("bodies", () => {
  it("answers 400 for a signed body that is not UTF-8, storing nothing", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    if (inbox.provider !== "meta_cloud") throw new Error("expected a Meta inbox");
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const answer = await fetch(whatsAppSender.webhookUrl(functionsUrl(), inbox), {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": whatsAppSender.metaSignature(bytes, inbox.appSecret) },
      body: bytes,
    });
    expect(answer.status).toBe(400);
    expect((await answer.json()).error.code).toBe("invalid_body");
    expect(await webhookEvents(sql, inbox.inboxId)).toHaveLength(0);
  });

  it("keeps a signed body that is not JSON (it is the provider's; processing decides what it means)", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "zapi");
    const answer = await whatsAppSender.deliver(functionsUrl(), inbox, "this is not json");
    expect(answer.status).toBe(200);
    expect((await webhookEvents(sql, inbox.inboxId)).map((event) => event.raw_body)).toEqual(["this is not json"]);
  });
});
