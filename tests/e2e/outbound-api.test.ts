// People and outbound delivery over HTTP, through the gateway: a member replies by hand
// (POST /conversations/:id/messages) — a human message written by them, delivered like the bot's,
// and the conversation becomes theirs; analysts cannot, another company's conversation is 404, bad
// input is a clear 4xx in the one error shape. Owners and admins list their company's dead letters
// (GET /dead-letters), retry one (sent once) and discard one; members cannot, another company's
// letter is 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  appendClaimedByDyingWorker,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  connectEvolutionInbox,
  type ConnectedInbox,
  createTenant,
  expectStatus,
  type FakeWhatsAppProviders,
  outboundState,
  receiveMessage,
  signUp,
  startFakeWhatsAppProviders,
  testDatabase,
  waitForOutbound,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let admin: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let fake: FakeWhatsAppProviders;
let inbox: ConnectedInbox;
let phoneSerial = 0;

async function conversation(): Promise<string> {
  const phone = `+55 21 9${String(Date.now() % 10_000).padStart(4, "0")}-${String(1000 + (++phoneSerial % 9000))}`;
  return (await receiveMessage(sql, inbox.id, { phone, name: "Cliente" })).conversation_id;
}

/** A reply whose worker died mid-send: a dead letter once the watchdog reaps its 5 s lease. */
async function deadLetter(body: string): Promise<{ id: string; messageId: string }> {
  const messageId = await appendClaimedByDyingWorker(sql, await conversation(), body, "outbound:died-in-api-test", 5);
  const dead = await waitForOutbound(sql, messageId, (state) => state.delivery_status === "dead", "the dead letter", 90_000);
  return { id: dead.delivery_id, messageId };
}

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders();
  [owner, admin, member, analyst, stranger] = await Promise.all(
    ["out-owner", "out-admin", "out-member", "out-analyst", "out-stranger"].map((label) => signUp(label)),
  );
  people.push(owner, admin, member, analyst, stranger);
  company = await createTenant(owner, "Atendimento Ltda");
  strangersCompany = await createTenant(stranger, "Outra Empresa SA");
  await addMember(sql, company, admin, "admin");
  await addMember(sql, company, member, "member");
  await addMember(sql, company, analyst, "analyst");
  inbox = await connectEvolutionInbox(owner, company, fake.url, "Atendimento");
  fake.evolution({ instanceName: inbox.instanceName!, apiKey: inbox.apiKey! });
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /conversations/:id/messages", () => {
  it("sends a member's reply as theirs, delivered like the bot's, and gives them the conversation", async () => {
    const id = await conversation();
    const body = `Olá, aqui é a equipe ${crypto.randomUUID()}`;
    const message = await expectStatus(call(member, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body } }), 201);
    expect(message).toMatchObject({ conversation_id: id, direction: "out", role: "human", body, status: "queued", sent_by: member.id, message_index: 2 });

    await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the member's reply sent");
    expect(fake.sent.filter((sent) => sent.body === body)).toHaveLength(1);
    expect(await expectStatus(call(member, "GET", `/conversations/${id}`, { tenant: company }), 200))
      .toMatchObject({ assignee: "member", assignee_user_id: member.id });
    const thread = await expectStatus(call(analyst, "GET", `/conversations/${id}/messages`, { tenant: company }), 200);
    expect(thread.items[0]).toMatchObject({ id: message.id, role: "human", sent_by: member.id, status: "sent" });
  });

  it("lets another person take the conversation by replying", async () => {
    const id = await conversation();
    await expectStatus(call(member, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body: "primeiro" } }), 201);
    await expectStatus(call(owner, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body: "assumo daqui" } }), 201);
    expect(await expectStatus(call(owner, "GET", `/conversations/${id}`, { tenant: company }), 200))
      .toMatchObject({ assignee: "member", assignee_user_id: owner.id });
  });

  it("refuses analysts, other companies and closed conversations", async () => {
    const id = await conversation();
    const refused = await call(analyst, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body: "oi" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");

    expect((await call(stranger, "POST", `/conversations/${id}/messages`, { tenant: strangersCompany, body: { body: "oi" } })).status).toBe(404);
    expect((await call(stranger, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body: "oi" } })).status).toBe(404);
    expect((await call(member, "POST", `/conversations/${aUuid()}/messages`, { tenant: company, body: { body: "oi" } })).status).toBe(404);

    await expectStatus(call(member, "POST", `/conversations/${id}/close`, { tenant: company }), 200);
    const closed = await call(member, "POST", `/conversations/${id}/messages`, { tenant: company, body: { body: "oi" } });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe("conversation_closed");
    const [{ replies }] = await sql<{ replies: number }[]>`
      select count(*)::int as replies from public.messages where conversation_id = ${id} and direction = 'out'`;
    expect(replies).toBe(0);
  });

  it("answers bad input with a clear 4xx in the one error shape, writing nothing", async () => {
    const id = await conversation();
    const post = (options: Parameters<typeof call>[3], who: ApiUser | null = member) =>
      call(who, "POST", `/conversations/${id}/messages`, { tenant: company, ...options });
    const cases: [string, Awaited<ReturnType<typeof post>>, number][] = [
      ["no token", await post({ body: { body: "oi" } }, null), 401],
      ["malformed JSON", await post({ rawBody: '{"body": "oi"' }), 400],
      ["an unknown field", await post({ body: { body: "oi", role: "assistant" } }), 422],
      ["a number as the body", await post({ body: { body: 42 } }), 422],
      ["a blank body", await post({ body: { body: "   " } }), 422],
      ["no body", await post({ body: {} }), 422],
      ["a body over 65,536 characters", await post({ body: { body: "x".repeat(65537) } }), 422],
    ];
    for (const [what, answer, status] of cases) {
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect(answer.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(Object.keys(answer.body)).toEqual(["error"]);
    }
    expect((await call(member, "POST", "/conversations/not-a-uuid/messages", { tenant: company, body: { body: "oi" } })).status).toBe(422);
    const [{ replies }] = await sql<{ replies: number }[]>`
      select count(*)::int as replies from public.messages where conversation_id = ${id} and direction = 'out'`;
    expect(replies).toBe(0);
  });
});

describe("/dead-letters", () => {
  it("lists the company's dead letters for owners and admins only, and retrying one sends it once", async () => {
    const body = `Vai para a lista ${crypto.randomUUID()}`;
    const letter = await deadLetter(body);

    const listed = await expectStatus(call(admin, "GET", "/dead-letters", { tenant: company }), 200);
    expect(listed.items).toContainEqual(expect.objectContaining({
      id: letter.id,
      message_id: letter.messageId,
      inbox_id: inbox.id,
      inbox_name: "Atendimento",
      role: "assistant",
      body,
      attempts: 1,
      last_error: expect.objectContaining({ code: "delivery_interrupted" }),
    }));
    expect((await call(member, "GET", "/dead-letters", { tenant: company })).status).toBe(403);
    expect((await call(analyst, "GET", "/dead-letters", { tenant: company })).status).toBe(403);
    expect((await expectStatus(call(stranger, "GET", "/dead-letters", { tenant: strangersCompany }), 200)).items).toEqual([]);
    expect((await call(stranger, "POST", `/dead-letters/${letter.id}/retry`, { tenant: strangersCompany })).status).toBe(404);
    expect((await call(member, "POST", `/dead-letters/${letter.id}/retry`, { tenant: company })).status).toBe(403);

    expect(await expectStatus(call(owner, "POST", `/dead-letters/${letter.id}/retry`, { tenant: company }), 200))
      .toEqual({ message_id: letter.messageId, status: "queued" });
    await waitForOutbound(sql, letter.messageId, (state) => state.status === "sent", "the retried letter sent");
    expect(fake.sent.filter((sent) => sent.body === body)).toHaveLength(1);
    const again = await call(owner, "POST", `/dead-letters/${letter.id}/retry`, { tenant: company });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("dead_letter_not_found");
  });

  it("discards a dead letter: off the list, its message failed and marked discarded, never sent", async () => {
    const body = `Descartada ${crypto.randomUUID()}`;
    const letter = await deadLetter(body);
    expect(await expectStatus(call(owner, "POST", `/dead-letters/${letter.id}/discard`, { tenant: company }), 200))
      .toEqual({ message_id: letter.messageId, status: "failed" });
    const listed = await expectStatus(call(owner, "GET", "/dead-letters", { tenant: company }), 200);
    expect(listed.items.map((item: { id: string }) => item.id)).not.toContain(letter.id);
    expect(await outboundState(sql, letter.messageId)).toMatchObject({ status: "failed", delivery_status: "discarded", error: { discarded: true } });
    expect(fake.sendAttempts.filter((attempt) => attempt.body === body)).toEqual([]);
  });

  it("pages with a cursor and refuses bad input", async () => {
    const page = await expectStatus(call(owner, "GET", "/dead-letters?limit=1", { tenant: company }), 200);
    expect(page.items.length).toBeLessThanOrEqual(1);
    expect((await call(owner, "GET", "/dead-letters?limit=0", { tenant: company })).status).toBe(422);
    expect((await call(owner, "GET", "/dead-letters?cursor=garbage", { tenant: company })).status).toBe(422);
    expect((await call(owner, "GET", "/dead-letters?colour=red", { tenant: company })).status).toBe(422);
    expect((await call(owner, "POST", "/dead-letters/not-a-uuid/retry", { tenant: company })).status).toBe(422);
    expect((await call(owner, "POST", `/dead-letters/${aUuid()}/discard`, { tenant: company })).status).toBe(404);
    expect((await call(null, "GET", "/dead-letters", { tenant: company })).status).toBe(401);
  });
});
