// The dashboard's load against the running stack: a new company's empty numbers and its owner's
// activity (the audit trail), then a real run of demo agents in the recent runs, today's count,
// the success rate and the month's spend.
import { beforeAll, describe, expect, it } from "vitest";
import { agent as agentSchema } from "$schemas/agents.ts";
import type { AuditEntry } from "$schemas/audit-log.ts";
import { executionStarted, executionStatusResponse } from "$schemas/executions.ts";
import { team as teamSchema } from "$schemas/teams.ts";
import { createApi } from "$lib/server/api";
import { expectRedirect, requestEvent, signUp, type Person } from "../../tests/stack";
import { load as dashboardLoad } from "./+page.server";
import { actions as newTenant } from "./tenants/new/+page.server";

let owner: Person;

type DashboardData = Exclude<Awaited<ReturnType<typeof dashboardLoad>>, void>;

async function dashboard(person: Person): Promise<DashboardData> {
  return (await dashboardLoad((await requestEvent(person.jar, { path: "/" })) as never)) as DashboardData;
}

beforeAll(async () => {
  owner = await signUp("dashboard");
  const event = await requestEvent(owner.jar, { path: "/tenants/new", method: "POST", form: { name: "Painel", slug: `painel-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
});

describe("the dashboard", () => {
  it("shows a new company nothing run, nothing spent, no budget limit, and its owner the company's creation", async () => {
    const data = await dashboard(owner);
    expect(data.summary).toEqual({
      active_teams: 0,
      executions_today: 0,
      success_rate_30d: null,
      spend_this_month_usd: 0,
      monthly_budget_usd: null,
      recent_executions: [],
    });
    expect(data.counts).toEqual({ agents: 0, keys: 0 });
    expect(data.activity.kind).toBe("audit");
    if (data.activity.kind !== "audit") return;
    expect(data.activity.entries.some((entry: AuditEntry) => entry.table_name === "tenants" && entry.action === "insert")).toBe(true);
  });

  it("shows a finished run of a team: in the recent runs and today's count, a full success rate and a spend above zero", async () => {
    const api = createApi(await requestEvent(owner.jar, { path: "/" }));
    const created = await api.post("/agents", agentSchema, {
      name: "Resumidor",
      provider: "demo",
      model: "demo-small",
      status: "active",
      config: { latency_ms: 50 },
    });
    const team = await api.post("/teams", teamSchema, {
      name: "Resumos",
      workflow_type: "sequential",
      agents: [{ agent_id: created.id, role: "member", execution_order: 1 }],
    });
    const started = await api.post(`/teams/${team.id}/execute`, executionStarted, { initial_prompt: "Resuma o dia." });
    await expect
      .poll(async () => (await api.get(`/executions/${started.execution_id}/status`, executionStatusResponse)).status, { timeout: 30_000, interval: 250 })
      .toBe("completed");

    const data = await dashboard(owner);
    expect(data.summary).toMatchObject({ active_teams: 1, executions_today: 1, success_rate_30d: 1 });
    expect(data.summary.spend_this_month_usd).toBeGreaterThan(0);
    expect(data.summary.recent_executions).toHaveLength(1);
    expect(data.summary.recent_executions[0]).toMatchObject({ id: started.execution_id, team_name: "Resumos", status: "completed" });
    expect(data.summary.recent_executions[0].cost_usd).toBeGreaterThan(0);
  });
});
