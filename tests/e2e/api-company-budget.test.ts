// The company's monthly budget and dollar rate over HTTP (#18): only owners set them (PUT
// /tenants/:id/budget, 403 budget_owner_only for admins, members and analysts, 404 outside); the
// tenant answers them to its members; bad input is refused with the one error shape; and the
// engine's refusal of a run the budget cannot cover is the 402 budget_exhausted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, type ApiUser, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let admin: ApiUser;
let analyst: ApiUser;
let outsider: ApiUser;
let tenant: string;

beforeAll(async () => {
  [owner, admin, analyst, outsider] = await Promise.all(["budget-owner", "budget-admin", "budget-analyst", "budget-outsider"].map((label) => signUp(label)));
  people.push(owner, admin, analyst, outsider);
  tenant = await createTenant(owner, "Orçamento Ltda");
  await addMember(sql, tenant, admin, "admin");
  await addMember(sql, tenant, analyst, "analyst");
  await createTenant(outsider, "Outra Ltda");
});
afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

const setBudget = (who: ApiUser, body: unknown) => call(who, "PUT", `/tenants/${tenant}/budget`, { body });

describe("PUT /tenants/:id/budget", () => {
  it("lets an owner set the budget and the rate, which every member then reads with the company", async () => {
    const saved = await expectStatus(setBudget(owner, { monthly_budget_usd: 250.5, usd_brl_rate: 5.4321 }), 200);
    expect(saved).toMatchObject({ id: tenant, monthly_budget_usd: 250.5, usd_brl_rate: 5.4321, role: "owner" });
    const seen = await expectStatus(call(analyst, "GET", `/tenants/${tenant}`), 200);
    expect(seen).toMatchObject({ monthly_budget_usd: 250.5, usd_brl_rate: 5.4321 });
    const cleared = await expectStatus(setBudget(owner, { monthly_budget_usd: null, usd_brl_rate: null }), 200);
    expect(cleared).toMatchObject({ monthly_budget_usd: null, usd_brl_rate: null });
  });

  it("refuses everyone but owners: 403 budget_owner_only inside the company, 404 outside", async () => {
    for (const who of [admin, analyst]) {
      const refused = await setBudget(who, { monthly_budget_usd: 1, usd_brl_rate: null });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("budget_owner_only");
    }
    const outside = await setBudget(outsider, { monthly_budget_usd: 1, usd_brl_rate: null });
    expect(outside.status).toBe(404);
    expect((await call(null, "PUT", `/tenants/${tenant}/budget`, { body: { monthly_budget_usd: 1, usd_brl_rate: null } })).status).toBe(401);
    const [row] = await sql<{ monthly_budget_usd: string | null }[]>`select monthly_budget_usd from public.tenants where id = ${tenant}`;
    expect(row.monthly_budget_usd).toBeNull();
  });

  it("refuses bad input in the one error shape, changing nothing", async () => {
    for (const body of [{ monthly_budget_usd: -1, usd_brl_rate: null }, { monthly_budget_usd: 10, usd_brl_rate: 0 }, { monthly_budget_usd: "10", usd_brl_rate: null },
                        { monthly_budget_usd: 10 }, { monthly_budget_usd: 10, usd_brl_rate: null, plan: "enterprise" }]) {
      const refused = await setBudget(owner, body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.error).toMatchObject({ code: "validation_failed" });
    }
    expect((await call(owner, "PUT", `/tenants/${tenant}/budget`, { rawBody: "{oops" })).status).toBe(400);
  });

  it("a spent budget makes the engine refuse a run with 402 budget_exhausted", async () => {
    await expectStatus(setBudget(owner, { monthly_budget_usd: 0, usd_brl_rate: 5 }), 200);
    const agent = await expectStatus(call(owner, "POST", "/agents", { tenant, body: { name: "Orçado", model: "demo-small", status: "active" } }), 201);
    const team = await expectStatus(call(owner, "POST", "/teams", {
      tenant,
      body: { name: "Equipe orçada", workflow_type: "sequential", agents: [{ agent_id: agent.id, role: "member", execution_order: 1 }] },
    }), 201);
    const refused = await call(owner, "POST", `/teams/${team.id}/execute`, { tenant, body: { initial_prompt: "Olá" } });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("budget_exhausted");
  });
});
