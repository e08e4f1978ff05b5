// The `api` function's inboxes over HTTP, through the gateway, as people who signed up: connecting
// a number answers the webhook URL and Meta's verify token, secrets go in and never come out (not
// in an answer, not in the hints), members read and only owners and admins manage, another
// company's inbox is 404, bad input is a clear 4xx in the one error shape, and "test connection"
// calls the fake Evolution server with the inbox's own key (Meta and Z-API, whose addresses the
// running stack fixes, are tested in-process in supabase/functions/api/routes/inboxes.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  connectEvolutionInbox,
  connectMetaInbox,
  createTenant,
  expectStatus,
  type FakeWhatsAppProviders,
  receivedBodies,
  signUp,
  startFakeWhatsAppProviders,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
const secrets: string[] = [];
let owner: ApiUser;
let member: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let fake: FakeWhatsAppProviders;

beforeAll(async () => {
  [owner, member, stranger] = await Promise.all(["inbox-owner", "inbox-member", "inbox-stranger"].map((label) => signUp(label)));
  people.push(owner, member, stranger);
  company = await createTenant(owner, "Caixa de Entrada Ltda");
  strangersCompany = await createTenant(stranger, "Outra Empresa SA");
  await addMember(sql, company, member, "member");
  fake = await startFakeWhatsAppProviders();
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

function expectOneErrorShape(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe("connecting a number", () => {
  it("a Meta inbox answers the webhook URL and a generated verify token; hints show four characters only", async () => {
    const inbox = await connectMetaInbox(owner, company, "Vendas");
    secrets.push(...inbox.secrets);
    expect(inbox.webhook_url).toMatch(new RegExp(`/functions/v1/webhooks/meta/${inbox.id}$`));
    expect(inbox.verify_token).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const shown = await expectStatus(call(owner, "GET", `/inboxes/${inbox.id}`, { tenant: company }), 200);
    expect(shown).toMatchObject({ provider: "meta_cloud", display_name: "Vendas", phone_number: "+551140001000", status: "active" });

    const hints = await expectStatus(call(member, "GET", `/inboxes/${inbox.id}/secrets`, { tenant: company }), 200);
    expect(hints.items.map((hint: { kind: string }) => hint.kind).sort()).toEqual(["meta_access_token", "meta_app_secret", "meta_verify_token"]);
    for (const hint of hints.items) expect(hint.last_four).toHaveLength(4);
  });

  it("an Evolution inbox's webhook URL names its provider; the list shows it to members", async () => {
    const inbox = await connectEvolutionInbox(owner, company, fake.url, "Suporte");
    secrets.push(...inbox.secrets);
    expect(inbox.webhook_url).toMatch(new RegExp(`/webhooks/evolution/${inbox.id}$`));
    expect(inbox.verify_token).toBeNull();
    const list = await expectStatus(call(member, "GET", "/inboxes", { tenant: company }), 200);
    expect(list.items.map((item: { id: string }) => item.id)).toContain(inbox.id);
  });

  it("a member may not connect, change, rotate, test or delete (403); the inbox is unchanged", async () => {
    const inbox = await connectEvolutionInbox(owner, company, fake.url, "Só leitura");
    secrets.push(...inbox.secrets);
    const body = { provider: "evolution", display_name: "x", provider_ids: { evolution_instance_name: "x", evolution_base_url: fake.url }, secrets: { api_key: "a-long-enough-key" } };
    expectOneErrorShape((await call(member, "POST", "/inboxes", { tenant: company, body })).body, "forbidden");
    for (const [method, path, sent] of [
      ["PATCH", `/inboxes/${inbox.id}`, { display_name: "Tomada" }],
      ["POST", `/inboxes/${inbox.id}/secrets/evolution_api_key/rotate`, { value: "another-long-key" }],
      ["POST", `/inboxes/${inbox.id}/test`, undefined],
      ["DELETE", `/inboxes/${inbox.id}`, undefined],
    ] as const) {
      const answer = await call(member, method, path, { tenant: company, body: sent });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expectOneErrorShape(answer.body, "forbidden");
    }
    const still = await expectStatus(call(owner, "GET", `/inboxes/${inbox.id}`, { tenant: company }), 200);
    expect(still.display_name).toBe("Só leitura");
  });

  it("the same Meta number cannot be connected twice (409)", async () => {
    const first = await connectMetaInbox(owner, company, "Primeiro");
    secrets.push(...first.secrets);
    const again = await call(owner, "POST", "/inboxes", {
      tenant: company,
      body: { provider: "meta_cloud", display_name: "De novo", provider_ids: { meta_phone_number_id: first.phoneNumberId }, secrets: { app_secret: "app-secret-123", access_token: "access-token-123" } },
    });
    expect(again.status).toBe(409);
    expectOneErrorShape(again.body, "conflict");
  });
});

describe("bad input", () => {
  it("malformed JSON is 400, unknown fields, wrong types and a bad phone 422, each in the one shape; nothing is stored", async () => {
    const before = await sql<{ count: number }[]>`select count(*)::int as count from public.inboxes where tenant_id = ${company}`;
    const malformed = await call(owner, "POST", "/inboxes", { tenant: company, rawBody: '{"provider": "zapi",' });
    expect(malformed.status).toBe(400);
    expectOneErrorShape(malformed.body, "invalid_json");

    const base = { provider: "zapi", display_name: "Z", provider_ids: { zapi_instance_id: "ABC123" }, secrets: { instance_token: "instance-token-1", client_token: "client-token-1" } };
    const cases: [string, unknown, string][] = [
      ["unknown field", { ...base, owner_id: aUuid() }, "owner_id"],
      ["unknown secret", { ...base, secrets: { ...base.secrets, api_key: "x-long-enough" } }, "secrets.api_key"],
      ["missing secret", { ...base, secrets: { instance_token: "instance-token-1" } }, "secrets.client_token"],
      ["wrong type", { ...base, display_name: 42 }, "display_name"],
      ["unknown provider", { ...base, provider: "telegram" }, "provider"],
      ["bad phone", { ...base, phone_number: "call me" }, "phone_number"],
      ["internal Evolution address", { provider: "evolution", display_name: "E", provider_ids: { evolution_instance_name: "e", evolution_base_url: "http://169.254.169.254" }, secrets: { api_key: "evolution-key-1" } }, "evolution_base_url"],
    ];
    for (const [label, body, path] of cases) {
      const answer = await call(owner, "POST", "/inboxes", { tenant: company, body });
      expect(answer.status, label).toBe(422);
      expect(answer.body.error.code, label).toMatch(/^(validation_failed|address_not_allowed)$/);
      expect(JSON.stringify(answer.body.error.details), label).toContain(path.split(".").pop());
    }
    const after = await sql<{ count: number }[]>`select count(*)::int as count from public.inboxes where tenant_id = ${company}`;
    expect(after[0].count).toBe(before[0].count);
  });

  it("a bad id in the path is 422; a rotation of a secret the provider does not have is 422", async () => {
    expect((await call(owner, "GET", "/inboxes/not-a-uuid", { tenant: company })).status).toBe(422);
    const inbox = await connectEvolutionInbox(owner, company, fake.url, "Rotação");
    secrets.push(...inbox.secrets);
    const answer = await call(owner, "POST", `/inboxes/${inbox.id}/secrets/meta_app_secret/rotate`, { tenant: company, body: { value: "some-long-secret" } });
    expect(answer.status).toBe(422);
    expectOneErrorShape(answer.body, "validation_failed");
    const generated = await call(owner, "POST", `/inboxes/${inbox.id}/secrets/evolution_api_key/rotate`, { tenant: company, body: {} });
    expect(generated.status).toBe(422);
  });
});

describe("another company's inbox", () => {
  it("is 404 for every route, and is neither changed nor deleted", async () => {
    const theirs = await connectEvolutionInbox(stranger, strangersCompany, fake.url, "Deles");
    secrets.push(...theirs.secrets);
    for (const [method, path, body] of [
      ["GET", `/inboxes/${theirs.id}`, undefined],
      ["GET", `/inboxes/${theirs.id}/secrets`, undefined],
      ["PATCH", `/inboxes/${theirs.id}`, { display_name: "Minha agora" }],
      ["POST", `/inboxes/${theirs.id}/secrets/evolution_api_key/rotate`, { value: "stolen-secret-value" }],
      ["POST", `/inboxes/${theirs.id}/test`, undefined],
      ["DELETE", `/inboxes/${theirs.id}`, undefined],
    ] as const) {
      const answer = await call(owner, method, path, { tenant: company, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expectOneErrorShape(answer.body, "inbox_not_found");
    }
    const [row] = await sql<{ display_name: string }[]>`select display_name from public.inboxes where id = ${theirs.id}`;
    expect(row.display_name).toBe("Deles");
    // Their tenant id in the header: not a company of the caller's.
    expect((await call(owner, "GET", "/inboxes", { tenant: strangersCompany })).status).toBe(404);
  });
});

describe("managing", () => {
  it("renames, disables, rotates (hint changes, value never shown) and deletes", async () => {
    const inbox = await connectEvolutionInbox(owner, company, fake.url, "Gestão");
    secrets.push(...inbox.secrets);
    const renamed = await expectStatus(call(owner, "PATCH", `/inboxes/${inbox.id}`, { tenant: company, body: { display_name: "Gestão 2", status: "disabled" } }), 200);
    expect(renamed).toMatchObject({ display_name: "Gestão 2", status: "disabled" });

    const newKey = `rotated-${aUuid()}`;
    secrets.push(newKey);
    const rotated = await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/secrets/evolution_api_key/rotate`, { tenant: company, body: { value: newKey } }), 200);
    expect(rotated).toMatchObject({ kind: "evolution_api_key", generated_value: null, hint: { last_four: newKey.slice(-4) } });

    await expectStatus(call(owner, "DELETE", `/inboxes/${inbox.id}`, { tenant: company }), 204);
    expect((await call(owner, "GET", `/inboxes/${inbox.id}`, { tenant: company })).status).toBe(404);
  });

  it("rotating Meta's verify token without a value generates one and shows it once", async () => {
    const inbox = await connectMetaInbox(owner, company, "Verificação");
    secrets.push(...inbox.secrets);
    const rotated = await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/secrets/meta_verify_token/rotate`, { tenant: company, body: {} }), 200);
    expect(rotated.generated_value).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(rotated.generated_value).not.toBe(inbox.verify_token);
    expect(rotated.hint.last_four).toBe(rotated.generated_value.slice(-4));
  });
});

describe("test connection (Evolution, through egress)", () => {
  it("connected with the inbox's own key; refused with a wrong one; not connected when the phone is off", async () => {
    const inbox = await connectEvolutionInbox(owner, company, fake.url, "Teste");
    secrets.push(...inbox.secrets);
    fake.evolution({ instanceName: inbox.instanceName!, apiKey: inbox.apiKey!, state: "open" });
    const good = await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/test`, { tenant: company }), 200);
    expect(good).toMatchObject({ ok: true, outcome: "connected", status: 200 });
    const request = [...fake.requests].reverse().find((seen) => seen.path.endsWith(`/instance/connectionState/${inbox.instanceName}`));
    expect(request?.headers.apikey).toBe(inbox.apiKey);

    fake.evolution({ instanceName: inbox.instanceName!, apiKey: inbox.apiKey!, state: "close" });
    expect(await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/test`, { tenant: company }), 200)).toMatchObject({ ok: false, outcome: "not_connected" });

    fake.evolution({ instanceName: inbox.instanceName!, apiKey: "someone-elses-key" });
    expect(await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/test`, { tenant: company }), 200)).toMatchObject({ ok: false, outcome: "refused", status: 401 });
  });
});

describe("secrets", () => {
  it("were never in any answer of this suite", () => {
    expect(secrets.length).toBeGreaterThan(5);
    for (const body of receivedBodies) {
      for (const value of secrets) expect(body.includes(value), `an answer carried a secret: ${body.slice(0, 200)}`).toBe(false);
    }
  });
});
