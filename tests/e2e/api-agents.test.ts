// The `api` function's agents, shares and tools endpoints over HTTP, through the gateway, as people
// who signed up with supabase-js: the roles of a company, isolation between two companies, and
// sharing an agent with a person or another company (and revoking it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, type ApiUser, aUuid, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

// Company A: owner, admin, member, analyst. Company B: its owner and a member. C: a person with their own company.
let ownerA: ApiUser;
let adminA: ApiUser;
let memberA: ApiUser;
let analystA: ApiUser;
let ownerB: ApiUser;
let memberB: ApiUser;
let personC: ApiUser;
let tenantA: string;
let tenantB: string;
let tenantC: string;
let agentA: { id: string };
let agentB: { id: string };

const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

beforeAll(async () => {
  [ownerA, adminA, memberA, analystA, ownerB, memberB, personC] = await Promise.all(
    ["owner-a", "admin-a", "member-a", "analyst-a", "owner-b", "member-b", "person-c"].map((label) => signUp(label)),
  );
  people.push(ownerA, adminA, memberA, analystA, ownerB, memberB, personC);
  tenantA = await createTenant(ownerA, "Agentes A");
  tenantB = await createTenant(ownerB, "Agentes B");
  tenantC = await createTenant(personC, "Agentes C");
  await addMember(sql, tenantA, adminA, "admin");
  await addMember(sql, tenantA, memberA, "member");
  await addMember(sql, tenantA, analystA, "analyst");
  await addMember(sql, tenantB, memberB, "member");
  agentA = await expectStatus(
    call(memberA, "POST", "/agents", { tenant: tenantA, body: { name: "Ana SDR", model: "demo-small", type: "sdr" } }),
    201,
  );
  agentB = await expectStatus(call(ownerB, "POST", "/agents", { tenant: tenantB, body: { name: "Bruno", model: "demo-small" } }), 201);
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /agents", () => {
  it("creates an agent in the current company with its defaults, version 1, recorded in versions and the audit log", async () => {
    const agent = await expectStatus(
      call(memberA, "POST", "/agents", {
        tenant: tenantA,
        body: {
          name: "  Caio Copiloto ",
          model: "gpt-4o-mini",
          provider: "openai-compatible",
          type: "copilot",
          system_prompt: "Você é Caio.",
          temperature: 0.2,
          max_tokens: 2048,
          config: { base_url: "https://llm.example.com/v1", top_p: 0.9 },
          tools: ["web_search", "calculator"],
          status: "active",
        },
      }),
      201,
    );
    expect(agent).toMatchObject({
      tenant_id: tenantA,
      name: "Caio Copiloto",
      provider: "openai-compatible",
      temperature: 0.2,
      tools: ["web_search", "calculator"],
      status: "active",
      version: 1,
      created_by: memberA.id,
      access: "owner",
    });
    const versions = await sql`select version, created_by from public.agent_versions where agent_id = ${agent.id}`;
    expect(versions).toEqual([{ version: 1, created_by: memberA.id }]);
    const [audit] = await sql`select action, actor_id from public.audit_log where table_name = 'agents' and record_id = ${agent.id}`;
    expect(audit).toEqual({ action: "insert", actor_id: memberA.id });
  });

  it("answers 403 to analysts, who only read", async () => {
    const answer = await call(analystA, "POST", "/agents", { tenant: tenantA, body: { name: "Nope", model: "demo-small" } });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("forbidden");
  });

  it("refuses bad definitions with 422 naming the field, and writes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x".repeat(121), model: "m" }, "name"],
      [{ name: "T", model: "m", temperature: 3 }, "temperature"],
      [{ name: "T", model: "m", max_tokens: "many" }, "max_tokens"],
      [{ name: "T", model: "m", provider: "skynet" }, "provider"],
      [{ name: "T", model: "m", tenant_id: tenantB }, "tenant_id"],
      [{ name: "T", model: "m", status: "archived" }, "status"],
      [{ name: "T" }, "model"],
    ];
    for (const [body, path] of cases) {
      const answer = await call(memberA, "POST", "/agents", { tenant: tenantA, body });
      expect(answer.status, path).toBe(422);
      expect(answer.body.error.details.map((detail: { path: string }) => detail.path), path).toContain(path);
    }
    const unknownTool = await call(memberA, "POST", "/agents", { tenant: tenantA, body: { name: "Tooly", model: "m", tools: ["teleport"] } });
    expect(unknownTool.status).toBe(422);
    expect(unknownTool.body.error.message).toContain('"teleport" is not in the tools registry');
    const badConfig = await call(memberA, "POST", "/agents", {
      tenant: tenantA,
      body: { name: "Configgy", model: "m", provider: "anthropic", config: { organization: "x" } },
    });
    expect(badConfig.status).toBe(422);
    expect(badConfig.body.error.message).toContain("config.organization is not a setting of the anthropic provider");
    const [{ count }] = await sql`select count(*)::int as count from public.agents where name in ('Tooly', 'Configgy')`;
    expect(count).toBe(0);
  });
});

describe("GET /agents", () => {
  let listed: ApiUser;
  let listTenant: string;

  beforeAll(async () => {
    listed = await signUp("lister");
    people.push(listed);
    listTenant = await createTenant(listed, "Listagem");
    // 25 agents, one with a name to search for and one archived, changed at distinct times.
    await sql`
      insert into public.agents (tenant_id, name, model, status, created_by)
      select ${listTenant}, case when n = 7 then 'Needle 100% real' else 'Agent ' || n end, 'demo-small',
             case when n = 3 then 'archived'::public.agent_status else 'active'::public.agent_status end, ${listed.id}
      from generate_series(1, 25) n`;
    await sql`
      update public.agents set updated_at = now() - (interval '1 minute' * (substring(name from '\\d+')::int))
      where tenant_id = ${listTenant}`;
  });

  it("pages the company's agents, most recently changed first, with the total", async () => {
    const first = await expectStatus(call(listed, "GET", "/agents?limit=10", { tenant: listTenant }), 200);
    expect(first).toMatchObject({ total: 25, page: 1, limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.items.every((agent: { access: string; tenant_id: string }) => agent.access === "owner" && agent.tenant_id === listTenant))
      .toBe(true);
    const times = first.items.map((agent: { updated_at: string }) => Date.parse(agent.updated_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const third = await expectStatus(call(listed, "GET", "/agents?limit=10&page=3", { tenant: listTenant }), 200);
    expect(third.items).toHaveLength(5);
    const all = new Set([...ids(first), ...ids(await expectStatus(call(listed, "GET", "/agents?limit=10&page=2", { tenant: listTenant }), 200)), ...ids(third)]);
    expect(all.size).toBe(25);
    const beyond = await expectStatus(call(listed, "GET", "/agents?limit=10&page=4", { tenant: listTenant }), 200);
    expect(beyond).toEqual({ items: [], total: 25, page: 4, limit: 10 });
  });

  it("searches names case-insensitively, taking % and _ literally, and filters by status", async () => {
    const found = await expectStatus(call(listed, "GET", "/agents?search=needle", { tenant: listTenant }), 200);
    expect(found.items.map((agent: { name: string }) => agent.name)).toEqual(["Needle 100% real"]);
    const percent = await expectStatus(call(listed, "GET", `/agents?search=${encodeURIComponent("100%")}`, { tenant: listTenant }), 200);
    expect(percent.total).toBe(1);
    const underscore = await expectStatus(call(listed, "GET", "/agents?search=_", { tenant: listTenant }), 200);
    expect(underscore.total).toBe(0);
    const archived = await expectStatus(call(listed, "GET", "/agents?status=archived", { tenant: listTenant }), 200);
    expect(archived.items.map((agent: { name: string }) => agent.name)).toEqual(["Agent 3"]);
  });

  it("refuses bad list parameters with 422", async () => {
    for (const query of ["limit=0", "limit=1000", "page=-1", "status=deleted", `search=${"x".repeat(201)}`, "tenant_id=x"]) {
      expect((await call(listed, "GET", `/agents?${query}`, { tenant: listTenant })).status, query).toBe(422);
    }
  });

  it("shows each company only its own agents", async () => {
    const a = await expectStatus(call(analystA, "GET", "/agents?limit=100", { tenant: tenantA }), 200);
    expect(ids(a)).toContain(agentA.id);
    expect(ids(a)).not.toContain(agentB.id);
    const b = await expectStatus(call(memberB, "GET", "/agents?limit=100", { tenant: tenantB }), 200);
    expect(ids(b)).toEqual([agentB.id]);
  });
});

describe("one agent: get, update, archive, versions", () => {
  it("answers 404 for another company's agent in every path, and changes nothing", async () => {
    for (const [method, path, body] of [
      ["GET", `/agents/${agentB.id}`, undefined],
      ["PATCH", `/agents/${agentB.id}`, { name: "Stolen" }],
      ["POST", `/agents/${agentB.id}/archive`, undefined],
      ["GET", `/agents/${agentB.id}/versions`, undefined],
      ["GET", `/agents/${aUuid()}`, undefined],
    ] as const) {
      const answer = await call(ownerA, method, path, { tenant: tenantA, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe("not_found");
    }
    const [row] = await sql`select name, status, version from public.agents where id = ${agentB.id}`;
    expect(row).toEqual({ name: "Bruno", status: "draft", version: 1 });
  });

  it("answers 404 tenant_not_found when someone names another company in X-Tenant-Id", async () => {
    const answer = await call(memberA, "GET", `/agents/${agentB.id}`, { tenant: tenantB });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe("tenant_not_found");
  });

  it("lets builders update an agent, bumping its version; analysts get 403", async () => {
    const updated = await expectStatus(
      call(adminA, "PATCH", `/agents/${agentA.id}`, { tenant: tenantA, body: { system_prompt: "Seja breve.", temperature: 0.5 } }),
      200,
    );
    expect(updated).toMatchObject({ system_prompt: "Seja breve.", temperature: 0.5, version: 2, access: "owner" });
    const refused = await call(analystA, "PATCH", `/agents/${agentA.id}`, { tenant: tenantA, body: { name: "Analyst was here" } });
    expect(refused.status).toBe(403);
    const [row] = await sql`select name, version from public.agents where id = ${agentA.id}`;
    expect(row).toEqual({ name: "Ana SDR", version: 2 });
  });

  it("refuses a bad update with 422, leaving the agent as it was (no partial write)", async () => {
    const answer = await call(memberA, "PATCH", `/agents/${agentA.id}`, {
      tenant: tenantA,
      body: { name: "Renamed half way", config: { delay_ms: -5 } },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toContain("config.delay_ms");
    const [row] = await sql`select name, version from public.agents where id = ${agentA.id}`;
    expect(row).toEqual({ name: "Ana SDR", version: 2 });
    expect((await call(memberA, "PATCH", `/agents/${agentA.id}`, { tenant: tenantA, body: {} })).status).toBe(422);
    expect((await call(memberA, "PATCH", `/agents/${agentA.id}`, { tenant: tenantA, body: { version: 9 } })).status).toBe(422);
    expect((await call(memberA, "PATCH", `/agents/${agentA.id}`, { tenant: tenantA, rawBody: "{not json" })).status).toBe(400);
  });

  it("archives: status archived, a new version recorded; analysts get 403", async () => {
    const target = await expectStatus(call(memberA, "POST", "/agents", { tenant: tenantA, body: { name: "Old", model: "m" } }), 201);
    expect((await call(analystA, "POST", `/agents/${target.id}/archive`, { tenant: tenantA })).status).toBe(403);
    const archived = await expectStatus(call(memberA, "POST", `/agents/${target.id}/archive`, { tenant: tenantA }), 200);
    expect(archived).toMatchObject({ id: target.id, status: "archived", version: 2 });
    const versions = await expectStatus(call(analystA, "GET", `/agents/${target.id}/versions`, { tenant: tenantA }), 200);
    expect(versions).toMatchObject({ total: 2, page: 1, limit: 20 });
    expect(versions.items.map((version: { version: number; definition: { status: string } }) => [version.version, version.definition.status]))
      .toEqual([[2, "archived"], [1, "draft"]]);
    // Archiving again changes nothing and records no version.
    expect((await expectStatus(call(memberA, "POST", `/agents/${target.id}/archive`, { tenant: tenantA }), 200)).version).toBe(2);
  });
});

describe("sharing", () => {
  let shared: { id: string };

  beforeAll(async () => {
    shared = await expectStatus(
      call(ownerA, "POST", "/agents", { tenant: tenantA, body: { name: "Compartilhado", model: "demo-small" } }),
      201,
    );
  });

  it("shares with a person by email: they see it read-only (use) in their list, until it is revoked", async () => {
    const share = await expectStatus(
      call(adminA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_email: personC.email.toUpperCase() } }),
      201,
    );
    expect(share).toMatchObject({
      agent_id: shared.id,
      agent_name: "Compartilhado",
      tenant_id: tenantA,
      permission: "use",
      grantee_user_id: personC.id,
      grantee_email: personC.email,
      grantee_tenant_id: null,
      created_by: adminA.id,
    });

    const list = await expectStatus(call(personC, "GET", "/agents", { tenant: tenantC }), 200);
    expect(list.items).toEqual([expect.objectContaining({ id: shared.id, tenant_id: tenantA, access: "use" })]);
    const one = await expectStatus(call(personC, "GET", `/agents/${shared.id}`, { tenant: tenantC }), 200);
    expect(one.access).toBe("use");
    expect((await call(personC, "GET", `/agents/${shared.id}/versions`, { tenant: tenantC })).status).toBe(200);
    const edit = await call(personC, "PATCH", `/agents/${shared.id}`, { tenant: tenantC, body: { name: "Mine now" } });
    expect(edit.status).toBe(403);
    expect((await call(personC, "POST", `/agents/${shared.id}/archive`, { tenant: tenantC })).status).toBe(403);

    expect((await call(ownerA, "DELETE", `/shares/${share.id}`, { tenant: tenantA })).status).toBe(204);
    const after = await expectStatus(call(personC, "GET", "/agents", { tenant: tenantC }), 200);
    expect(ids(after)).not.toContain(shared.id);
    expect((await call(personC, "GET", `/agents/${shared.id}`, { tenant: tenantC })).status).toBe(404);
  });

  it("shares with a company by slug for editing: its members edit the definition but cannot archive it", async () => {
    const [{ slug }] = await sql`select slug from public.tenants where id = ${tenantB}`;
    const share = await expectStatus(
      call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_slug: slug, permission: "edit" } }),
      201,
    );
    expect(share).toMatchObject({ grantee_tenant_id: tenantB, grantee_tenant_slug: slug, grantee_tenant_name: "Agentes B", permission: "edit" });

    const list = await expectStatus(call(memberB, "GET", "/agents", { tenant: tenantB }), 200);
    expect(list.items.find((agent: { id: string }) => agent.id === shared.id)?.access).toBe("edit");
    const edited = await expectStatus(call(memberB, "PATCH", `/agents/${shared.id}`, { tenant: tenantB, body: { description: "Revisado por B" } }), 200);
    expect(edited).toMatchObject({ description: "Revisado por B", access: "edit", tenant_id: tenantA });
    expect((await call(memberB, "POST", `/agents/${shared.id}/archive`, { tenant: tenantB })).status).toBe(403);
    // The owning company still sees it as its own.
    expect((await expectStatus(call(analystA, "GET", `/agents/${shared.id}`, { tenant: tenantA }), 200)).access).toBe("owner");

    const listed = await expectStatus(call(analystA, "GET", `/shares?agent_id=${shared.id}`, { tenant: tenantA }), 200);
    expect(ids(listed)).toContain(share.id);
    expect((await call(ownerB, "DELETE", `/shares/${share.id}`, { tenant: tenantB })).status).toBe(404);
    expect((await call(ownerA, "DELETE", `/shares/${share.id}`, { tenant: tenantA })).status).toBe(204);
    const edit = await call(memberB, "PATCH", `/agents/${shared.id}`, { tenant: tenantB, body: { description: "Too late" } });
    expect(edit.status).toBe(404);
  });

  it("shares with a company by id", async () => {
    const share = await expectStatus(
      call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: tenantC } }),
      201,
    );
    expect(share).toMatchObject({ grantee_tenant_id: tenantC, grantee_tenant_name: "Agentes C", permission: "use" });
    expect((await call(ownerA, "DELETE", `/shares/${share.id}`, { tenant: tenantA })).status).toBe(204);
  });

  it("lets only owners and admins share and revoke (members and analysts get 403)", async () => {
    for (const who of [memberA, analystA]) {
      const answer = await call(who, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_email: personC.email } });
      expect(answer.status).toBe(403);
    }
    const share = await expectStatus(
      call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_email: personC.email } }),
      201,
    );
    expect((await call(memberA, "DELETE", `/shares/${share.id}`, { tenant: tenantA })).status).toBe(403);
    expect((await call(adminA, "DELETE", `/shares/${share.id}`, { tenant: tenantA })).status).toBe(204);
  });

  it("answers 404 for an unknown email, company or agent, and for another company's agent", async () => {
    const unknownEmail = await call(ownerA, "POST", "/shares", {
      tenant: tenantA,
      body: { agent_id: shared.id, grantee_email: `nobody-${aUuid()}@example.com` },
    });
    expect(unknownEmail.status).toBe(404);
    expect(unknownEmail.body.error.message).toBe("no user with that email");
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_slug: `no-such-${aUuid().slice(0, 8)}` } })).status)
      .toBe(404);
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: aUuid() } })).status).toBe(404);
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: aUuid(), grantee_email: personC.email } })).status).toBe(404);
    const foreign = await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: agentB.id, grantee_email: personC.email } });
    expect(foreign.status).toBe(404);
    const [{ count }] = await sql`select count(*)::int as count from public.agent_shares where agent_id = ${agentB.id}`;
    expect(count).toBe(0);
  });

  it("refuses two grantees or none, sharing with one's own company or its members, and sharing twice", async () => {
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id } })).status).toBe(422);
    expect((await call(ownerA, "POST", "/shares", {
      tenant: tenantA,
      body: { agent_id: shared.id, grantee_email: personC.email, grantee_tenant_id: tenantB },
    })).status).toBe(422);
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: tenantA } })).status).toBe(422);
    const ownMember = await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_email: memberA.email } });
    expect(ownMember.status).toBe(422);
    expect(ownMember.body.error.message).toContain("already belongs");
    await expectStatus(call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: tenantB } }), 201);
    const twice = await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: tenantB, permission: "edit" } });
    expect(twice.status).toBe(409);
    expect((await call(ownerA, "POST", "/shares", { tenant: tenantA, body: { agent_id: shared.id, grantee_tenant_id: tenantB, permission: "own" } })).status)
      .toBe(422);
  });

  it("lists only the current company's shares, paginated", async () => {
    const a = await expectStatus(call(memberA, "GET", "/shares?limit=1", { tenant: tenantA }), 200);
    expect(a.limit).toBe(1);
    expect(a.items.length).toBeLessThanOrEqual(1);
    expect(a.items.every((share: { tenant_id: string }) => share.tenant_id === tenantA)).toBe(true);
    const b = await expectStatus(call(ownerB, "GET", "/shares", { tenant: tenantB }), 200);
    expect(b).toEqual({ items: [], total: 0, page: 1, limit: 20 });
  });
});

describe("GET /tools", () => {
  it("lists the tools registry with each tool's parameter schema, to any signed-in person", async () => {
    const tools = await expectStatus(call(personC, "GET", "/tools"), 200);
    expect(tools.items.map((tool: { id: string }) => tool.id)).toEqual(
      expect.arrayContaining(["calculator", "web_search", "knowledge_search", "http_request", "whatsapp_send"]),
    );
    expect(tools.items.find((tool: { id: string }) => tool.id === "calculator")).toMatchObject({
      name: "Calculator",
      parameters: { type: "object", required: ["expression"] },
    });
    expect((await call(null, "GET", "/tools")).status).toBe(401);
  });
});
