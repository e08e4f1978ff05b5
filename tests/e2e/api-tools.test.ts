// The `api` function's company tools over HTTP, through the gateway, as people who signed up:
// owners make, change and delete HTTP tools and set their secret headers (which never come out),
// members read and may not write, another company's tool is 404, internal addresses are refused,
// and bad input is a clear 4xx in the one error shape with nothing half-written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  createCompanyTool,
  createTenant,
  expectStatus,
  receivedBodies,
  setToolSecret,
  signUp,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
const secretValue = `tool-secret-${crypto.randomUUID()}`;
let owner: ApiUser;
let member: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;

beforeAll(async () => {
  [owner, member, stranger] = await Promise.all(["tools-owner", "tools-member", "tools-stranger"].map((label) => signUp(label)));
  people.push(owner, member, stranger);
  company = await createTenant(owner, "Ferramentas Ltda");
  strangersCompany = await createTenant(stranger, "Outra Ferramenta SA");
  await addMember(sql, company, member, "member");
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

const orderSchema = { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] };

function expectError(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

async function toolCount(tenantId: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from public.tenant_tools where tenant_id = ${tenantId}`;
  return row.count;
}

describe("company tools", () => {
  it("an owner makes a tool, sets a secret header by name, and the value never comes out", async () => {
    const tool = await createCompanyTool(owner, company, {
      name: "lookup_order",
      description: "Looks up an order by id",
      url: "https://erp.example.com/api/orders",
      parameters: orderSchema,
      headers: { "x-source": "renum" },
      timeout_ms: 5_000,
    });
    expect(tool).toMatchObject({
      tenant_id: company,
      name: "lookup_order",
      method: "POST",
      parameters: orderSchema,
      headers: { "x-source": "renum" },
      secret_headers: [],
      timeout_ms: 5_000,
      is_active: true,
      created_by: owner.id,
    });

    const withSecret = await setToolSecret(owner, company, tool.id, "Authorization", `Bearer ${secretValue}`);
    expect(withSecret.secret_headers).toEqual(["Authorization"]);
    const listed = await expectStatus(call(member, "GET", "/tools/company", { tenant: company }), 200);
    expect(listed.items.map((item: { name: string }) => item.name)).toEqual(["lookup_order"]);
    expect(listed.items[0].secret_headers).toEqual(["Authorization"]);

    // Replaced, then removed: still never answered.
    await setToolSecret(owner, company, tool.id, "authorization", `Bearer ${secretValue}-2`);
    expect((await expectStatus(call(owner, "GET", `/tools/company/${tool.id}`, { tenant: company }), 200)).secret_headers).toEqual(["Authorization"]);
    await expectStatus(call(owner, "DELETE", `/tools/company/${tool.id}/secrets/Authorization`, { tenant: company }), 204);
    expect((await expectStatus(call(owner, "GET", `/tools/company/${tool.id}`, { tenant: company }), 200)).secret_headers).toEqual([]);
    const gone = await call(owner, "DELETE", `/tools/company/${tool.id}/secrets/Authorization`, { tenant: company });
    expect(gone.status).toBe(404);
    expectError(gone.body, "tenant_tool_secret_not_found");
    expect(receivedBodies.some((body) => body.includes(secretValue))).toBe(false);
  });

  it("an owner changes and deletes a tool; its secrets go with it", async () => {
    const tool = await createCompanyTool(owner, company, { name: "notify_crm", url: "https://crm.example.com/hooks" });
    await setToolSecret(owner, company, tool.id, "X-Api-Key", secretValue);
    const changed = await expectStatus(call(owner, "PATCH", `/tools/company/${tool.id}`, {
      tenant: company,
      body: { method: "PUT", is_active: false, description: "Tells the CRM" },
    }), 200);
    expect(changed).toMatchObject({ method: "PUT", is_active: false, description: "Tells the CRM", url: "https://crm.example.com/hooks" });

    await expectStatus(call(owner, "DELETE", `/tools/company/${tool.id}`, { tenant: company }), 204);
    const missing = await call(owner, "GET", `/tools/company/${tool.id}`, { tenant: company });
    expect(missing.status).toBe(404);
    expectError(missing.body, "tenant_tool_not_found");
    const [left] = await sql<{ count: number }[]>`
      select count(*)::int as count from vault.secrets where name like ${`renum_tool_${tool.id}_%`}`;
    expect(left.count).toBe(0);
  });

  it("an agent may name the company's tool; an unknown name is refused", async () => {
    await createCompanyTool(owner, company, { name: "stock_level", url: "https://erp.example.com/api/stock" });
    const agent = await expectStatus(call(owner, "POST", "/agents", {
      tenant: company,
      body: { name: "Estoque", provider: "demo", model: "demo-small", tools: ["current_time", "stock_level"] },
    }), 201);
    expect(agent.tools).toEqual(["current_time", "stock_level"]);
    const unknown = await call(owner, "POST", "/agents", {
      tenant: company,
      body: { name: "Sem ferramenta", provider: "demo", model: "demo-small", tools: ["no_such_tool"] },
    });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.body)).toContain("agent_tool_unknown");
  });
});

describe("who may do what", () => {
  it("a member reads but may not create, change, delete or set a secret (403); nothing changes", async () => {
    const tool = await createCompanyTool(owner, company, { name: "members_read_me", url: "https://erp.example.com/read" });
    const before = await toolCount(company);
    const attempts = [
      call(member, "POST", "/tools/company", { tenant: company, body: { name: "member_tool", url: "https://erp.example.com/x" } }),
      call(member, "PATCH", `/tools/company/${tool.id}`, { tenant: company, body: { url: "https://evil.example.com/steal" } }),
      call(member, "DELETE", `/tools/company/${tool.id}`, { tenant: company }),
      call(member, "PUT", `/tools/company/${tool.id}/secrets/Authorization`, { tenant: company, body: { value: "member-secret" } }),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: { code: "forbidden", details: { capability: "manage_tools" } } });
    }
    expect(await toolCount(company)).toBe(before);
    const unchanged = await expectStatus(call(member, "GET", `/tools/company/${tool.id}`, { tenant: company }), 200);
    expect(unchanged).toMatchObject({ url: "https://erp.example.com/read", secret_headers: [] });
  });

  it("another company's tool is 404 to every verb; its own company id is refused to outsiders", async () => {
    const tool = await createCompanyTool(owner, company, { name: "private_tool", url: "https://erp.example.com/private" });
    const asStranger = [
      call(stranger, "GET", `/tools/company/${tool.id}`, { tenant: strangersCompany }),
      call(stranger, "PATCH", `/tools/company/${tool.id}`, { tenant: strangersCompany, body: { is_active: false } }),
      call(stranger, "DELETE", `/tools/company/${tool.id}`, { tenant: strangersCompany }),
      call(stranger, "PUT", `/tools/company/${tool.id}/secrets/Authorization`, { tenant: strangersCompany, body: { value: "x-stolen" } }),
      call(stranger, "GET", `/tools/company/${aUuid()}`, { tenant: strangersCompany }),
    ];
    for (const answer of await Promise.all(asStranger)) {
      expect(answer.status).toBe(404);
      expectError(answer.body, "tenant_tool_not_found");
    }
    const foreignTenant = await call(stranger, "GET", "/tools/company", { tenant: company });
    expect([403, 404]).toContain(foreignTenant.status);
    expect(foreignTenant.text).not.toContain("private_tool");
    const strangersList = await expectStatus(call(stranger, "GET", "/tools/company", { tenant: strangersCompany }), 200);
    expect(strangersList.items).toEqual([]);
    const still = await expectStatus(call(owner, "GET", `/tools/company/${tool.id}`, { tenant: company }), 200);
    expect(still.is_active).toBe(true);
  });

  it("refuses a request without a session (401) or with a company id that is not one (400)", async () => {
    const anonymous = await call(null, "GET", "/tools/company", { tenant: company });
    expect(anonymous.status).toBe(401);
    const badTenant = await call(owner, "GET", "/tools/company", { headers: { "x-tenant-id": "not-a-company" } });
    expect(badTenant.status).toBe(400);
    expectError(badTenant.body, "invalid_tenant_header");
  });
});

describe("bad input", () => {
  const valid = { name: "valid_tool", url: "https://erp.example.com/valid" };
  const cases: [string, Record<string, unknown> | string, number, string, string?][] = [
    ["malformed JSON", '{"name": "x", ', 400, "invalid_json"],
    ["an unknown field", { ...valid, secret: "x" }, 422, "validation_failed", "secret"],
    ["a name with capitals", { ...valid, name: "Lookup" }, 422, "validation_failed", "name"],
    ["a name of one character", { ...valid, name: "a" }, 422, "validation_failed", "name"],
    ["a url that is not http(s)", { ...valid, url: "ftp://erp.example.com/x" }, 422, "validation_failed", "url"],
    ["a method that is not HTTP's", { ...valid, method: "TRACE" }, 422, "validation_failed", "method"],
    ["a timeout below 100 ms", { ...valid, timeout_ms: 50 }, 422, "validation_failed", "timeout_ms"],
    ["a timeout as text", { ...valid, timeout_ms: "5000" }, 422, "validation_failed", "timeout_ms"],
    ["parameters that are not an object schema", { ...valid, parameters: { type: "array" } }, 422, "validation_failed", "parameters"],
    ["parameters of more than 20 kB", { ...valid, parameters: { type: "object", description: "x".repeat(21_000) } }, 422, "validation_failed", "parameters"],
    ["a header name with a space", { ...valid, headers: { "x bad": "1" } }, 422, "validation_failed", "headers"],
    ["a header the request owns", { ...valid, headers: { Host: "erp.example.com" } }, 422, "validation_failed", "headers"],
    ["the loopback address", { ...valid, url: "http://127.0.0.1:8080/admin" }, 422, "address_not_allowed", "url"],
    ["the cloud metadata address", { ...valid, url: "http://169.254.169.254/latest/meta-data/" }, 422, "address_not_allowed", "url"],
    ["localhost by name", { ...valid, url: "http://localhost:5432/" }, 422, "address_not_allowed", "url"],
    ["a built-in's name", { ...valid, name: "current_time" }, 409, "conflict"],
  ];

  it.each(cases)("refuses %s, writing nothing", async (_, body, status, code, field) => {
    const before = await toolCount(company);
    const answer = await call(owner, "POST", "/tools/company", {
      tenant: company,
      ...(typeof body === "string" ? { rawBody: body } : { body }),
    });
    expect(answer.status, answer.text).toBe(status);
    expectError(answer.body, code);
    if (field) expect(JSON.stringify(answer.body.error.details)).toContain(field);
    expect(await toolCount(company)).toBe(before);
  });

  it("refuses a second tool of the same name (409), a bad id (422), an empty change and a bad secret", async () => {
    const tool = await createCompanyTool(owner, company, { name: "only_once", url: "https://erp.example.com/once" });
    const twice = await call(owner, "POST", "/tools/company", { tenant: company, body: { name: "only_once", url: "https://erp.example.com/twice" } });
    expect(twice.status).toBe(409);
    expectError(twice.body, "conflict");

    const badId = await call(owner, "GET", "/tools/company/not-a-uuid", { tenant: company });
    expect(badId.status).toBe(422);
    const emptyChange = await call(owner, "PATCH", `/tools/company/${tool.id}`, { tenant: company, body: {} });
    expect(emptyChange.status).toBe(422);
    const internal = await call(owner, "PATCH", `/tools/company/${tool.id}`, { tenant: company, body: { url: "http://[::1]:9/" } });
    expect(internal.status).toBe(422);
    expectError(internal.body, "address_not_allowed");

    const hostHeader = await call(owner, "PUT", `/tools/company/${tool.id}/secrets/Host`, { tenant: company, body: { value: "x" } });
    expect(hostHeader.status).toBe(422);
    expect(JSON.stringify(hostHeader.body)).toContain("tenant_tool_header_invalid");
    const emptySecret = await call(owner, "PUT", `/tools/company/${tool.id}/secrets/X-Key`, { tenant: company, body: { value: "" } });
    expect(emptySecret.status).toBe(422);
    const longSecret = await call(owner, "PUT", `/tools/company/${tool.id}/secrets/X-Key`, { tenant: company, body: { value: "x".repeat(4001) } });
    expect(longSecret.status).toBe(422);
    const unknownField = await call(owner, "PUT", `/tools/company/${tool.id}/secrets/X-Key`, { tenant: company, body: { value: "ok-value", extra: 1 } });
    expect(unknownField.status).toBe(422);
    expect((await expectStatus(call(owner, "GET", `/tools/company/${tool.id}`, { tenant: company }), 200)).secret_headers).toEqual([]);
  });
});
