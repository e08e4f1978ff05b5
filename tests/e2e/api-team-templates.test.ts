// Team templates over HTTP (#18): GET /teams/templates lists the gallery in both languages; POST
// /teams/from-template creates a template's demo agents and its team in one transaction, in the
// language asked for, for those who build teams — analysts and other companies are refused and
// nothing is left behind; bad input answers the one error shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, type ApiUser, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let member: ApiUser;
let analyst: ApiUser;
let outsider: ApiUser;
let tenant: string;

beforeAll(async () => {
  const owner = await signUp("templates-owner");
  [member, analyst, outsider] = await Promise.all(["templates-member", "templates-analyst", "templates-outsider"].map((label) => signUp(label)));
  people.push(owner, member, analyst, outsider);
  tenant = await createTenant(owner, "Modelos Ltda");
  await addMember(sql, tenant, member, "member");
  await addMember(sql, tenant, analyst, "analyst");
  await createTenant(outsider, "Sem Modelos Ltda");
});
afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

async function counts(): Promise<{ teams: number; agents: number }> {
  const [row] = await sql<{ teams: number; agents: number }[]>`
    select (select count(*)::int from public.teams where tenant_id = ${tenant}) as teams,
           (select count(*)::int from public.agents where tenant_id = ${tenant}) as agents`;
  return row;
}

describe("the gallery", () => {
  it("lists three templates with names, descriptions and agents in both languages, without the instructions", async () => {
    const { items } = await expectStatus(call(analyst, "GET", "/teams/templates", { tenant }), 200);
    expect(items.map((item: { key: string }) => item.key)).toEqual(["lead_qualification", "market_research", "content_pipeline"]);
    for (const item of items) {
      expect(item.name["pt-BR"]).not.toBe("");
      expect(item.name.en).not.toBe("");
      expect(item.agents.length).toBe(3);
      expect(item.agents[0]).not.toHaveProperty("prompt");
    }
  });
});

describe("POST /teams/from-template", () => {
  it("creates the agents and the team at once, in the language asked for, ready to run", async () => {
    const team = await expectStatus(call(member, "POST", "/teams/from-template", { tenant, body: { template: "content_pipeline", locale: "en" } }), 201);
    expect(team).toMatchObject({ name: "Content pipeline", workflow_type: "pipeline", tenant_id: tenant });
    expect(team.agents.map((agent: { name: string }) => agent.name)).toEqual(["Planner", "Writer", "Editor"]);
    const started = await expectStatus(call(member, "POST", `/teams/${team.id}/execute`, { tenant, body: { initial_prompt: "Energia solar para padarias" } }), 202);
    expect(started.execution_id).toMatch(/^[0-9a-f-]{36}$/);
    const portuguese = await expectStatus(call(member, "POST", "/teams/from-template", { tenant, body: { template: "lead_qualification" } }), 201);
    expect(portuguese.name).toBe("Qualificação de leads");
  });

  it("refuses analysts and other companies, leaving nothing behind", async () => {
    const before = await counts();
    const byAnalyst = await call(analyst, "POST", "/teams/from-template", { tenant, body: { template: "market_research" } });
    expect(byAnalyst.status).toBe(403);
    const byOutsider = await call(outsider, "POST", "/teams/from-template", { tenant, body: { template: "market_research" } });
    // Another company's id in X-Tenant-Id is not among the outsider's companies.
    expect(byOutsider.status).toBe(404);
    expect(byOutsider.body.error.code).toBe("tenant_not_found");
    expect(await counts()).toEqual(before);
  });

  it("answers bad input in the one error shape", async () => {
    for (const body of [{ template: "sales_magic" }, { template: "market_research", locale: "fr" }, { template: "market_research", extra: 1 }, {}]) {
      const refused = await call(member, "POST", "/teams/from-template", { tenant, body });
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.error.code).toBe("validation_failed");
    }
    expect((await call(member, "POST", "/teams/from-template", { tenant, rawBody: "not json" })).status).toBe(400);
  });
});
