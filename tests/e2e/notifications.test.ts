// Notifications with fallback through the running stack (#13): a handoff queues a notice for the
// company's people (private.notify) and wakes the `notify` function through pg_net, which tries
// WhatsApp through the company's inbox (the fake Meta at the stack's Graph address), then SMS
// (the fake Twilio), then e-mail (the fake Resend), recording each attempt. Covered: WhatsApp
// delivers; WhatsApp failing falls back to SMS; SMS failing too falls back to e-mail; every channel
// failing ends dead, visible to owners and not to members; an opt-out is respected; and the
// /notifications API's answers, including its refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  call,
  cleanUp,
  connectMetaInbox,
  createTenant,
  expectStatus,
  type FakeNotificationChannels,
  type FakeWhatsAppProviders,
  receiveMessage,
  signUp,
  startFakeNotificationChannels,
  startFakeWhatsAppProviders,
  testDatabase,
  waitFor,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let member: ApiUser;
let company: string;
let whatsapp: FakeWhatsAppProviders;
let channels: FakeNotificationChannels;
let meta: Awaited<ReturnType<typeof connectMetaInbox>>;
let serial = 0;
const ownerPhone = `+55219${String(Date.now() % 100_000_000).padStart(8, "0")}`;

interface NotificationRow {
  id: string;
  status: string;
  sent_channel: string | null;
  attempts: { channel: string; outcome: string; code?: string }[];
  payload: { conversation_id?: string };
}

/** A contact writes and the conversation is handed to people (as a handoff keyword does): its conversation id. */
async function handOff(): Promise<string> {
  const phone = `+55119${String(Date.now() % 10_000_000).padStart(7, "0")}${++serial % 10}`;
  const arrived = await receiveMessage(sql, meta.id, { phone, name: `Lead ${serial}` });
  await sql`select private.hand_off_conversation(${arrived.conversation_id}, 'handoff_keyword')`;
  return arrived.conversation_id;
}

/** The owner's notification of the handoff of `conversationId`, once it is settled (sent or dead). */
function settledNotice(conversationId: string): Promise<NotificationRow> {
  return waitFor(async () => {
    const answer = await expectStatus(call<{ items: NotificationRow[] }>(owner, "GET", "/notifications?limit=100", { tenant: company }), 200);
    const row = answer.items.find((item) => item.payload.conversation_id === conversationId);
    return row && (row.status === "sent" || row.status === "dead") ? row : null;
  }, `the notification of ${conversationId} settled`, 60_000, 200);
}

beforeAll(async () => {
  whatsapp = await startFakeWhatsAppProviders({ atStackAddress: true });
  channels = await startFakeNotificationChannels({ atStackAddress: true });
  owner = await signUp("notify-owner");
  member = await signUp("notify-member");
  people.push(owner, member);
  company = await createTenant(owner, "Avisos Ltda");
  await addMember(sql, company, member, "member");
  meta = await connectMetaInbox(owner, company, "Vendas Meta");
  whatsapp.meta({ phoneNumberId: meta.phoneNumberId, accessToken: meta.accessToken });
  await expectStatus(call(owner, "PUT", "/notifications/phone", { tenant: company, body: { phone: ownerPhone } }), 200);
  // Only the owner hears of handoffs here, so each test follows one notice.
  await expectStatus(call(owner, "PUT", "/notifications/rules/handoff_requested", {
    tenant: company,
    body: { enabled: true, roles: ["owner"], channels: ["whatsapp", "sms", "email"] },
  }), 200);
});

afterAll(async () => {
  await whatsapp?.close();
  await channels?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("a handoff notifies the owner, falling back channel by channel", () => {
  it("on WhatsApp, through the company's inbox", async () => {
    const conversationId = await handOff();
    const notice = await settledNotice(conversationId);
    expect(notice).toMatchObject({ status: "sent", sent_channel: "whatsapp" });
    expect(notice.attempts.map((attempt) => [attempt.channel, attempt.outcome])).toEqual([["whatsapp", "sent"]]);
    const sent = whatsapp.sent.filter((message) => message.to === ownerPhone.replace(/\D/g, ""));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ provider: "meta_cloud", account: meta.phoneNumberId });
    expect(sent[0].body).toContain(`Lead ${serial}`);
  });

  it("on SMS when WhatsApp fails", async () => {
    whatsapp.scriptSends([{ status: 500 }]);
    const smsBefore = channels.sms.length;
    const conversationId = await handOff();
    const notice = await settledNotice(conversationId);
    expect(notice).toMatchObject({ status: "sent", sent_channel: "sms" });
    expect(notice.attempts.map((attempt) => [attempt.channel, attempt.outcome, attempt.code ?? null])).toEqual([
      ["whatsapp", "failed", "provider_unavailable"],
      ["sms", "sent", null],
    ]);
    expect(channels.sms.slice(smsBefore)).toEqual([
      expect.objectContaining({ to: ownerPhone, from: "+15005550006", body: expect.stringContaining("Avisos Ltda") }),
    ]);
  });

  it("on e-mail when WhatsApp and SMS fail", async () => {
    whatsapp.scriptSends([{ status: 400, body: { error: { message: "(#131026) Message undeliverable", type: "OAuthException", code: 131026 } } }]);
    channels.scriptSms([{ status: 400 }]);
    const emailsBefore = channels.emails.length;
    const conversationId = await handOff();
    const notice = await settledNotice(conversationId);
    expect(notice).toMatchObject({ status: "sent", sent_channel: "email" });
    expect(notice.attempts.map((attempt) => [attempt.channel, attempt.outcome, attempt.code ?? null])).toEqual([
      ["whatsapp", "failed", "recipient_not_on_whatsapp"],
      ["sms", "failed", "sms_number_invalid"],
      ["email", "sent", null],
    ]);
    expect(channels.emails.slice(emailsBefore)).toEqual([
      expect.objectContaining({ to: [owner.email], from: "Renum <avisos@renum.test>", subject: expect.stringContaining("Avisos Ltda") }),
    ]);
  });

  it("ends dead when every channel fails, for the owners to see and not the members", async () => {
    whatsapp.scriptSends([{ status: 503 }]);
    channels.scriptSms([{ status: 429 }]);
    channels.scriptEmails([{ status: 422 }]);
    const conversationId = await handOff();
    const notice = await settledNotice(conversationId);
    expect(notice.status).toBe("dead");
    expect(notice.attempts.map((attempt) => [attempt.channel, attempt.code])).toEqual([
      ["whatsapp", "provider_unavailable"],
      ["sms", "rate_limited"],
      ["email", "email_rejected"],
    ]);
    const dead = await expectStatus(call<{ items: NotificationRow[] }>(owner, "GET", "/notifications?status=dead", { tenant: company }), 200);
    expect(dead.items.map((item) => item.id)).toContain(notice.id);
    const theirs = await expectStatus(call<{ items: NotificationRow[] }>(member, "GET", "/notifications", { tenant: company }), 200);
    expect(theirs.items).toEqual([]);
  });

  it("respects an opt-out: nobody is notified when the only recipient turned the event off", async () => {
    await expectStatus(call(owner, "PUT", "/notifications/preferences/handoff_requested", { tenant: company, body: { enabled: false } }), 200);
    const attemptsBefore = whatsapp.sendAttempts.length + channels.attempts.length;
    const conversationId = await handOff();
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.notifications where payload ->> 'conversation_id' = ${conversationId}`;
    expect(row.count).toBe(0);
    const prefs = await expectStatus(call(owner, "GET", "/notifications/preferences", { tenant: company }), 200);
    expect(prefs.items).toContainEqual({ event: "handoff_requested", enabled: false });
    expect(whatsapp.sendAttempts.length + channels.attempts.length).toBe(attemptsBefore);
    await expectStatus(call(owner, "PUT", "/notifications/preferences/handoff_requested", { tenant: company, body: { enabled: true } }), 200);
  });
});

describe("the /notifications API", () => {
  it("keeps each member's own channels on or off (private.notify leaves an off one out: pgTAP 126)", async () => {
    const all = await expectStatus(call(member, "GET", "/notifications/channels", { tenant: company }), 200);
    expect(all.items).toEqual([{ channel: "whatsapp", enabled: true }, { channel: "sms", enabled: true }, { channel: "email", enabled: true }]);
    expect(await expectStatus(call(member, "PUT", "/notifications/channels/whatsapp", { tenant: company, body: { enabled: false } }), 200))
      .toEqual({ channel: "whatsapp", enabled: false });
    const mine = await expectStatus(call(member, "GET", "/notifications/channels", { tenant: company }), 200);
    expect(mine.items).toContainEqual({ channel: "whatsapp", enabled: false });
    const theirs = await expectStatus(call(owner, "GET", "/notifications/channels", { tenant: company }), 200);
    expect(theirs.items).toContainEqual({ channel: "whatsapp", enabled: true });
    const unknown = await call(member, "PUT", "/notifications/channels/pigeon", { tenant: company, body: { enabled: false } });
    expect(unknown.status).toBe(422);
    const extra = await call(member, "PUT", "/notifications/channels/sms", { tenant: company, body: { enabled: false, also: 1 } });
    expect(extra.status).toBe(422);
    await expectStatus(call(member, "PUT", "/notifications/channels/whatsapp", { tenant: company, body: { enabled: true } }), 200);
  });

  it("reads the rules, the defaults until changed", async () => {
    const rules = await expectStatus(call(member, "GET", "/notifications/rules", { tenant: company }), 200);
    expect(rules.items).toEqual([
      expect.objectContaining({ event: "handoff_requested", roles: ["owner"], is_default: false }),
      expect.objectContaining({ event: "dead_letter", roles: ["owner", "admin"], channels: ["whatsapp", "sms", "email"], is_default: true }),
      expect.objectContaining({ event: "budget_80", roles: ["owner"], is_default: true }),
      expect.objectContaining({ event: "approval_requested", roles: ["owner", "admin"], channels: ["email"], is_default: true }),
      expect.objectContaining({ event: "project_finished", roles: ["owner", "admin"], channels: ["whatsapp", "sms", "email"], is_default: true }),
    ]);
  });

  it("refuses a member changing a rule (403), a bad rule (422) and an unknown event (422)", async () => {
    const rule = { enabled: true, roles: ["owner"], channels: ["email"] };
    const refused = await call(member, "PUT", "/notifications/rules/dead_letter", { tenant: company, body: rule });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    const twice = await call(owner, "PUT", "/notifications/rules/dead_letter", { tenant: company, body: { ...rule, channels: ["sms", "sms"] } });
    expect(twice.status).toBe(422);
    expect(twice.body.error.code).toBe("validation_failed");
    const unknown = await call(owner, "PUT", "/notifications/rules/party", { tenant: company, body: rule });
    expect(unknown.status).toBe(422);
    const extra = await call(owner, "PUT", "/notifications/preferences/budget_80", { tenant: company, body: { enabled: false, also: 1 } });
    expect(extra.status).toBe(422);
  });

  it("keeps each person's phone in E.164 and refuses what is no phone", async () => {
    const saved = await expectStatus(call(member, "PUT", "/notifications/phone", { tenant: company, body: { phone: "(11) 98888-7777" } }), 200);
    expect(saved).toEqual({ phone: "+5511988887777" });
    const bad = await call(member, "PUT", "/notifications/phone", { tenant: company, body: { phone: "12345678-abc" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(await expectStatus(call(owner, "GET", "/notifications/phone", { tenant: company }), 200)).toEqual({ phone: ownerPhone });
    expect((await call(member, "DELETE", "/notifications/phone", { tenant: company })).status).toBe(204);
    expect(await expectStatus(call(member, "GET", "/notifications/phone", { tenant: company }), 200)).toEqual({ phone: null });
  });

  it("answers 401 without a token and 4xx without a company", async () => {
    expect((await call(null, "GET", "/notifications", { tenant: company })).status).toBe(401);
    const stranger = await signUp("notify-stranger");
    people.push(stranger);
    const outsider = await call(stranger, "GET", "/notifications", { tenant: company });
    expect([403, 404]).toContain(outsider.status);
  });
});
