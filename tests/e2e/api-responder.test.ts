// Who answers an inbox, over HTTP (responder settings, #13): an inbox follows its own settings, else
// the company default, else nobody (built in), and every answer says which; owners and admins
// write them, members read; another company's inbox is 404 and its team 422; bad input is a clear
// 4xx in the one error shape and stores nothing; and the bot's next reply follows a change made
// through the API (a signed inbound message, the demo-provider team's answer).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
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
  removeCompanies,
  repliesArrive,
  signUp,
  stackEnv,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = databaseConnection();
let company: Company;
let other: Company;
let member: ApiUser;
let teamId: string;
let othersTeamId: string;
const companies: Company[] = [];

beforeAll(async () => {
  [company, other] = await Promise.all([newCompany(sql, "responder"), newCompany(sql, "responder-other")]);
  companies.push(company, other);
  member = await signUp("responder-member");
  await addMember(sql, company.tenantId, member, "member");
  const agentId = await demoAgent(company, "Atendente", { reply: "Equipe A: {input}" });
  teamId = await createTeam(company, { name: "Equipe A", workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
  const theirAgent = await demoAgent(other, "Deles", { reply: "x" });
  othersTeamId = await createTeam(other, { name: "Deles", workflow_type: "sequential", agents: [{ agent_id: theirAgent, execution_order: 1 }] });
});

afterAll(async () => {
  await removeCompanies(sql, companies);
  if (member) await sql`delete from auth.users where id = ${member.id}`;
  await sql.end();
});

function expectOneErrorShape(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

const rowsOf = async (tenantId: string) =>
  (await sql<{ count: number }[]>`select count(*)::int as count from public.responder_settings where tenant_id = ${tenantId}`)[0].count;

describe("which settings apply", () => {
  it("built in, then the company default, then the inbox's own; deleting the inbox's falls back to the default", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const path = `/inboxes/${inbox.inboxId}/responder`;
    const tenant = company.tenantId;

    const builtIn = await expectStatus(call(member, "GET", path, { tenant }), 200);
    expect(builtIn).toMatchObject({ source: "built_in", settings: { team_id: null, debounce_ms: 3000, history_messages: 20, updated_at: null } });
    expect(await expectStatus(call(member, "GET", "/responder-defaults", { tenant }), 200)).toMatchObject({ source: "built_in" });

    const hours = { mon: [["09:00", "12:00"], ["13:00", "18:00"]], sat: [["09:00", "13:00"]] };
    const defaults = await expectStatus(call(company.owner, "PUT", "/responder-defaults", {
      tenant,
      body: { team_id: teamId, time_zone: "America/Manaus", business_hours: hours, out_of_hours_reply: "Voltamos às 9h.", max_bot_turns: 5 },
    }), 200);
    expect(defaults).toMatchObject({
      source: "company",
      settings: { team_id: teamId, time_zone: "America/Manaus", business_hours: hours, out_of_hours_reply: "Voltamos às 9h.", max_bot_turns: 5, debounce_ms: 3000 },
    });
    expect(await expectStatus(call(member, "GET", path, { tenant }), 200)).toEqual(defaults);

    const own = await expectStatus(call(company.owner, "PUT", path, {
      tenant,
      body: { team_id: null, handoff_keywords: ["  Gerente ", "gerente", "Humano"], opt_out_words: ["Sáir!", "parar"], opt_in_words: ["Voltar"] },
    }), 200);
    // Kept as the database compares them: keywords lower case and once, opt words folded.
    expect(own.source).toBe("inbox");
    expect(own.settings).toMatchObject({ team_id: null, time_zone: "America/Sao_Paulo", business_hours: null, max_bot_turns: 10 });
    expect([...own.settings.handoff_keywords].sort()).toEqual(["gerente", "humano"]);
    expect([...own.settings.opt_out_words].sort()).toEqual(["parar", "sair"]);
    expect(own.settings.opt_in_words).toEqual(["voltar"]);
    // A second PUT replaces the row, it does not add one.
    await expectStatus(call(company.owner, "PUT", path, { tenant, body: { team_id: teamId, debounce_ms: 0 } }), 200);
    expect(await rowsOf(tenant)).toBe(2);

    const back = await expectStatus(call(company.owner, "DELETE", path, { tenant }), 200);
    expect(back).toEqual(defaults);
    const none = await expectStatus(call(company.owner, "DELETE", "/responder-defaults", { tenant }), 200);
    expect(none.source).toBe("built_in");
    expect(await rowsOf(tenant)).toBe(0);
  });
});

describe("who may", () => {
  it("a member reads but may not write (403) and nothing changes; another company's inbox is 404 on every route", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const theirs = await createWebhookInbox(sql, other.tenantId, "meta_cloud");
    const tenant = company.tenantId;
    for (const [method, path, body] of [
      ["PUT", `/inboxes/${inbox.inboxId}/responder`, { team_id: teamId }],
      ["DELETE", `/inboxes/${inbox.inboxId}/responder`, undefined],
      ["PUT", "/responder-defaults", { team_id: teamId }],
      ["DELETE", "/responder-defaults", undefined],
    ] as const) {
      const answer = await call(member, method, path, { tenant, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expectOneErrorShape(answer.body, "forbidden");
    }
    expect(await rowsOf(tenant)).toBe(0);

    for (const [method, body] of [["GET", undefined], ["PUT", { team_id: teamId }], ["DELETE", undefined]] as const) {
      const answer = await call(company.owner, method, `/inboxes/${theirs.inboxId}/responder`, { tenant, body });
      expect(answer.status, method).toBe(404);
      expectOneErrorShape(answer.body, "inbox_not_found");
    }
    expect(await rowsOf(other.tenantId)).toBe(0);
    // Their tenant in the header: not a company of the caller's.
    expect((await call(company.owner, "GET", "/responder-defaults", { tenant: other.tenantId })).status).toBe(404);
  });
});

describe("bad input", () => {
  it("malformed JSON is 400; unknown fields, wrong types, bad hours, a bad time zone, bounds and another company's team are 422; nothing is stored", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const path = `/inboxes/${inbox.inboxId}/responder`;
    const tenant = company.tenantId;
    const malformed = await call(company.owner, "PUT", path, { tenant, rawBody: '{"team_id": ' });
    expect(malformed.status).toBe(400);
    expectOneErrorShape(malformed.body, "invalid_json");

    const cases: [string, unknown, string][] = [
      ["team missing", {}, "team_id"],
      ["unknown field", { team_id: null, owner_id: aUuid() }, "owner_id"],
      ["team not a uuid", { team_id: "equipe" }, "team_id"],
      ["wrong type", { team_id: null, max_bot_turns: "5" }, "max_bot_turns"],
      ["fraction", { team_id: null, debounce_ms: 1.5 }, "debounce_ms"],
      ["turn limit 0", { team_id: null, max_bot_turns: 0 }, "max_bot_turns"],
      ["debounce too long", { team_id: null, debounce_ms: 60_001 }, "debounce_ms"],
      ["history too long", { team_id: null, history_messages: 101 }, "history_messages"],
      ["unknown day", { team_id: null, business_hours: { monday: [["09:00", "18:00"]] } }, "monday"],
      ["bad time", { team_id: null, business_hours: { mon: [["9h", "18:00"]] } }, "mon"],
      ["closes before it opens", { team_id: null, business_hours: { tue: [["18:00", "09:00"]] } }, "tue"],
      ["five periods", { team_id: null, business_hours: { wed: Array(5).fill(["09:00", "10:00"]) } }, "wed"],
      ["unknown time zone", { team_id: null, time_zone: "America/Atlantis" }, "time_zone"],
      ["empty keyword", { team_id: null, handoff_keywords: ["  "] }, "handoff_keywords"],
      ["keyword too long", { team_id: null, handoff_keywords: ["x".repeat(65)] }, "handoff_keywords"],
      ["too many keywords", { team_id: null, handoff_keywords: Array.from({ length: 51 }, (_, i) => `k${i}`) }, "handoff_keywords"],
      ["opt word in both lists", { team_id: null, opt_out_words: ["Parar"], opt_in_words: ["parar!"] }, "opt_in_words"],
      ["opt word only punctuation", { team_id: null, opt_out_words: ["!!"] }, "opt_out_words"],
      ["empty out-of-hours reply", { team_id: null, out_of_hours_reply: "   " }, "out_of_hours_reply"],
      ["another company's team", { team_id: othersTeamId }, "team_id"],
    ];
    for (const [label, body, field] of cases) {
      const answer = await call(company.owner, "PUT", path, { tenant, body });
      expect(answer.status, label).toBe(422);
      expectOneErrorShape(answer.body, "validation_failed");
      expect(JSON.stringify(answer.body.error.details), label).toContain(field);
    }
    expect((await call(company.owner, "GET", "/inboxes/not-a-uuid/responder", { tenant })).status).toBe(422);
    expect(await rowsOf(tenant)).toBe(0);
  });
});

describe("the bot follows the change", () => {
  const aContact = () => `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

  async function say(inbox: whatsAppSender.SenderInbox, from: string, text: string): Promise<void> {
    const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from, name: "Ana", text }));
    expect(delivery.status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);
  }

  it("answers through the team set by the API, not at all once the inbox is set to people only, and hands off on a keyword added by the API", async () => {
    const inbox = await createWebhookInbox(sql, company.tenantId, "meta_cloud");
    const path = `/inboxes/${inbox.inboxId}/responder`;
    const tenant = company.tenantId;
    const phone = aContact();

    await expectStatus(call(company.owner, "PUT", path, { tenant, body: { team_id: teamId, debounce_ms: 0 } }), 200);
    await say(inbox, phone, "Bom dia");
    const conversation = await inboxConversation(sql, inbox.inboxId);
    const [reply] = await repliesArrive(sql, conversation.id);
    expect(reply.body).toBe("Equipe A: Bom dia");

    // People only: the next message opens no turn and gets no reply.
    await expectStatus(call(company.owner, "PUT", path, { tenant, body: { team_id: null, debounce_ms: 0 } }), 200);
    await say(inbox, phone, "Alguém aí?");
    expect(await conversationTurns(sql, conversation.id)).toHaveLength(1);
    expect(await conversationReplies(sql, conversation.id)).toHaveLength(1);

    // The team again, with a keyword of the company's own: it hands off, with no reply.
    await expectStatus(call(company.owner, "PUT", path, { tenant, body: { team_id: teamId, debounce_ms: 0, handoff_keywords: ["gerente"] } }), 200);
    await say(inbox, phone, "quero o GERENTE");
    expect((await inboxConversation(sql, inbox.inboxId)).assignee).toBe("unassigned");
    expect(await conversationReplies(sql, conversation.id)).toHaveLength(1);
  });
});
