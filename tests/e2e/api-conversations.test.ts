// The `api` function's contacts, conversations and messages over HTTP, through the gateway.
// Traffic arrives as the webhooks record it (private.record_webhook_message), so contacts,
// conversations, message indexes and unread counts are the database's own. Covered: filters and
// keyset pages that neither skip nor repeat, messages newest first by message_index, close /
// reopen / assign / mark read with who may do them, contacts edited and blocked, another
// company's ids answered 404, and bad input as a clear 4xx in the one error shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  connectEvolutionInbox,
  type ConnectedInbox,
  createTenant,
  expectStatus,
  receiveMessage,
  signUp,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let outsider: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let sales: ConnectedInbox;
let support: ConnectedInbox;
let theirs: ConnectedInbox;
let theirConversation: string;
let theirContact: string;
// Conversations of `sales`, one per contact, in the order their last message arrived.
const salesConversations: string[] = [];

beforeAll(async () => {
  [owner, member, analyst, outsider, stranger] = await Promise.all(
    ["conv-owner", "conv-member", "conv-analyst", "conv-outsider", "conv-stranger"].map((label) => signUp(label)),
  );
  people.push(owner, member, analyst, outsider, stranger);
  company = await createTenant(owner, "Conversas Ltda");
  strangersCompany = await createTenant(stranger, "Conversas Alheias SA");
  await addMember(sql, company, member, "member");
  await addMember(sql, company, analyst, "analyst");
  // The addresses are never called in this suite.
  sales = await connectEvolutionInbox(owner, company, "https://evolution.example.com", "Vendas");
  support = await connectEvolutionInbox(owner, company, "https://evolution.example.com", "Suporte");
  theirs = await connectEvolutionInbox(stranger, strangersCompany, "https://evolution.example.com", "Deles");

  for (let n = 0; n < 7; n++) {
    const recorded = await receiveMessage(sql, sales.id, { phone: `+55 11 9${String(n).padStart(4, "0")}-${1000 + n}`, name: `Lead ${n}` });
    salesConversations.push(recorded.conversation_id);
  }
  // Lead 0 writes twice more: three messages, three unread, and the newest conversation.
  await receiveMessage(sql, sales.id, { phone: "+55 11 90000-1000", body: "segunda" });
  await receiveMessage(sql, sales.id, { phone: "551190000-1000", body: "terceira" });
  salesConversations.push(salesConversations.shift()!);
  await receiveMessage(sql, support.id, { phone: "+55 21 98888-7777", name: "Maria Suporte" });
  const their = await receiveMessage(sql, theirs.id, { phone: "+55 31 97777-6666", name: "Cliente Deles" });
  theirConversation = their.conversation_id;
  theirContact = their.contact_id;
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

async function allPages(who: ApiUser, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; next_cursor: string | null } = await expectStatus(
      call(who, "GET", `/conversations?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { tenant: company }),
      200,
    );
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe("conversations", () => {
  it("lists an inbox's conversations newest first, in keyset pages that neither skip nor repeat", async () => {
    const ids = await allPages(analyst, `inbox_id=${sales.id}`, 3);
    expect(ids).toEqual([...salesConversations].reverse());
  });

  it("filters by status, assignee and search (name or phone digits); carries the contact, inbox and preview", async () => {
    const byName = await expectStatus(call(member, "GET", "/conversations?search=maria", { tenant: company }), 200);
    expect(byName.items).toHaveLength(1);
    expect(byName.items[0]).toMatchObject({
      inbox: { id: support.id, display_name: "Suporte", provider: "evolution" },
      contact: { phone: "+5521988887777", name: "Maria Suporte" },
      last_message: { direction: "in", type: "text", body: "Olá!" },
      unread_count: 1,
    });
    const byPhone = await expectStatus(call(member, "GET", "/conversations?search=90000", { tenant: company }), 200);
    expect(byPhone.items.map((item: { id: string }) => item.id)).toEqual([salesConversations[salesConversations.length - 1]]);
    expect(byPhone.items[0]).toMatchObject({ unread_count: 3, last_message: { body: "terceira" } });
    const closed = await expectStatus(call(member, "GET", "/conversations?status=closed", { tenant: company }), 200);
    expect(closed.items).toEqual([]);
    const bots = await allPages(member, "assignee=bot", 50);
    expect(bots).toHaveLength(8);
  });

  it("never lists another company's conversations", async () => {
    const ids = await allPages(owner, "status=open", 100);
    expect(ids).not.toContain(theirConversation);
  });

  it("pages messages newest first by message_index", async () => {
    const conversation = salesConversations[salesConversations.length - 1];
    const first = await expectStatus(call(analyst, "GET", `/conversations/${conversation}/messages?limit=2`, { tenant: company }), 200);
    expect(first.items.map((message: { message_index: number }) => message.message_index)).toEqual([3, 2]);
    expect(first.items[0]).toMatchObject({ body: "terceira", direction: "in", role: "user", status: "received" });
    expect(first.next_before).toBe(2);
    const rest = await expectStatus(call(analyst, "GET", `/conversations/${conversation}/messages?limit=2&before=2`, { tenant: company }), 200);
    expect(rest.items.map((message: { message_index: number }) => message.message_index)).toEqual([1]);
    expect(rest.next_before).toBeNull();
  });

  it("closes, reopens, assigns to a member and marks read; an analyst may not (403)", async () => {
    const id = salesConversations[0];
    const closed = await expectStatus(call(member, "POST", `/conversations/${id}/close`, { tenant: company }), 200);
    expect(closed.status).toBe("closed");
    expect(closed.closed_at).not.toBeNull();
    expect((await expectStatus(call(member, "POST", `/conversations/${id}/reopen`, { tenant: company }), 200)).status).toBe("open");

    expect(closed.handed_to_person_at).toBeNull();
    const assigned = await expectStatus(call(member, "POST", `/conversations/${id}/assign`, { tenant: company, body: { assignee: "member", user_id: member.id } }), 200);
    expect(assigned).toMatchObject({ assignee: "member", assignee_user_id: member.id });
    // Taking it from the bot is when it was handed to a person (the analytics funnel counts it).
    expect(Date.parse(assigned.handed_to_person_at)).not.toBeNaN();
    const mine = await expectStatus(call(member, "GET", "/conversations?assignee=me", { tenant: company }), 200);
    expect(mine.items.map((item: { id: string }) => item.id)).toEqual([id]);

    expect((await expectStatus(call(member, "POST", `/conversations/${id}/read`, { tenant: company }), 200)).unread_count).toBe(0);

    for (const action of ["close", "read"]) {
      const answer = await call(analyst, "POST", `/conversations/${id}/${action}`, { tenant: company });
      expect(answer.status, action).toBe(403);
      expect(answer.body.error.code).toBe("forbidden");
    }
  });

  it("refuses an assignee who is not a member of the company (422) and leaves the conversation as it was", async () => {
    const id = salesConversations[1];
    const answer = await call(owner, "POST", `/conversations/${id}/assign`, { tenant: company, body: { assignee: "member", user_id: outsider.id } });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: "validation_failed", details: [{ path: "user_id" }] });
    const still = await expectStatus(call(owner, "GET", `/conversations/${id}`, { tenant: company }), 200);
    expect(still).toMatchObject({ assignee: "bot", assignee_user_id: null, handed_to_person_at: null });
  });

  it("refuses to reopen a conversation when the contact has another open one in the inbox (409)", async () => {
    const phone = "+55 11 97654-0000";
    const old = await receiveMessage(sql, sales.id, { phone });
    await expectStatus(call(owner, "POST", `/conversations/${old.conversation_id}/close`, { tenant: company }), 200);
    const next = await receiveMessage(sql, sales.id, { phone, body: "voltei" });
    expect(next.conversation_id).not.toBe(old.conversation_id);
    const answer = await call(owner, "POST", `/conversations/${old.conversation_id}/reopen`, { tenant: company });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toMatch(/^(conversation_already_open|conflict)$/);
  });
});

describe("contacts", () => {
  it("pages by phone, searches by name, edits and blocks; an analyst may not edit", async () => {
    const phones: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { phone: string }[]; next_cursor: string | null } = await expectStatus(
        call(analyst, "GET", `/contacts?limit=4${cursor ? `&cursor=${cursor}` : ""}`, { tenant: company }),
        200,
      );
      phones.push(...page.items.map((item) => item.phone));
      cursor = page.next_cursor;
    } while (cursor);
    expect(phones).toEqual([...phones].sort());
    expect(new Set(phones).size).toBe(phones.length);
    expect(phones).toContain("+5511900001000");
    expect(phones).not.toContain("+5531977776666");

    const found = await expectStatus(call(member, "GET", "/contacts?search=Lead%203", { tenant: company }), 200);
    const lead = found.items.find((item: { name: string }) => item.name === "Lead 3");
    expect(lead).toBeDefined();

    const edited = await expectStatus(call(member, "PATCH", `/contacts/${lead.id}`, { tenant: company, body: { name: "Lead Três", email: "LEAD3@Example.com", metadata: { origem: "site" } } }), 200);
    expect(edited).toMatchObject({ name: "Lead Três", email: "lead3@example.com", metadata: { origem: "site" } });
    expect((await expectStatus(call(member, "POST", `/contacts/${lead.id}/block`, { tenant: company }), 200)).status).toBe("blocked");
    const refused = await call(analyst, "PATCH", `/contacts/${lead.id}`, { tenant: company, body: { name: "Analista" } });
    expect(refused.status).toBe(403);
  });
});

describe("bad input and other companies' ids", () => {
  it("answers 404 for another company's conversation and contact, and changes nothing", async () => {
    for (const [method, path, body] of [
      ["GET", `/conversations/${theirConversation}`, undefined],
      ["GET", `/conversations/${theirConversation}/messages`, undefined],
      ["POST", `/conversations/${theirConversation}/close`, undefined],
      ["POST", `/conversations/${theirConversation}/assign`, { assignee: "unassigned" }],
      ["POST", `/conversations/${theirConversation}/read`, undefined],
      ["GET", `/contacts/${theirContact}`, undefined],
      ["PATCH", `/contacts/${theirContact}`, { name: "Meu" }],
      ["POST", `/contacts/${theirContact}/block`, undefined],
      ["GET", `/conversations?inbox_id=${theirs.id}`, undefined],
    ] as const) {
      const answer = await call(owner, method, path, { tenant: company, body });
      if (path.startsWith("/conversations?")) {
        expect(answer.status).toBe(200);
        expect(answer.body.items).toEqual([]);
        continue;
      }
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error).toMatchObject({ code: "not_found", message: expect.any(String) });
    }
    const [conversation] = await sql<{ status: string; unread_count: number; assignee: string }[]>`
      select status, unread_count, assignee from public.conversations where id = ${theirConversation}`;
    expect(conversation).toMatchObject({ status: "open", unread_count: 1, assignee: "bot" });
    const [contact] = await sql<{ name: string; status: string }[]>`select name, status from public.contacts where id = ${theirContact}`;
    expect(contact).toMatchObject({ name: "Cliente Deles", status: "active" });
  });

  it("answers malformed JSON, unknown fields, wrong types, bad cursors and bad query values in the one shape", async () => {
    const id = salesConversations[2];
    const cases: [string, string, { body?: unknown; rawBody?: string }, number, string][] = [
      ["POST", `/conversations/${id}/assign`, { rawBody: "{assignee:" }, 400, "invalid_json"],
      ["POST", `/conversations/${id}/assign`, { body: { assignee: "bot", user_id: aUuid(), extra: 1 } }, 422, "validation_failed"],
      ["POST", `/conversations/${id}/assign`, { body: { assignee: "member", user_id: 7 } }, 422, "validation_failed"],
      ["POST", `/conversations/${id}/assign`, { body: { assignee: "robot" } }, 422, "validation_failed"],
      ["GET", "/conversations?cursor=bm90LWEtY3Vyc29y", {}, 422, "validation_failed"],
      ["GET", "/conversations?status=archived", {}, 422, "validation_failed"],
      ["GET", "/conversations?limit=1000", {}, 422, "validation_failed"],
      ["GET", "/conversations?colour=red", {}, 422, "validation_failed"],
      ["GET", `/conversations/${id}/messages?before=-1`, {}, 422, "validation_failed"],
      ["GET", "/conversations/123", {}, 422, "validation_failed"],
      ["GET", "/contacts?cursor=%7B%7D", {}, 422, "validation_failed"],
      ["PATCH", `/contacts/${aUuid()}`, { body: { phone: "+5511999999999" } }, 422, "validation_failed"],
      ["PATCH", `/contacts/${aUuid()}`, { body: { email: "not an email" } }, 422, "validation_failed"],
      ["PATCH", `/contacts/${aUuid()}`, { body: {} }, 422, "validation_failed"],
    ];
    for (const [method, path, options, status, code] of cases) {
      const answer = await call(member, method, path, { tenant: company, ...options });
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.body, `${method} ${path}`).toMatchObject({ error: { code, message: expect.any(String) } });
    }
    const [unchanged] = await sql<{ assignee: string }[]>`select assignee from public.conversations where id = ${id}`;
    expect(unchanged.assignee).toBe("bot");
  });

  it("answers 401 without a token", async () => {
    const answer = await call(null, "GET", "/conversations", { tenant: company });
    expect(answer.status).toBe(401);
  });
});
