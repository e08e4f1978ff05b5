// POST /teams/:id/execute with the app in-process, to watch the engine kick it is given (index.ts
// gives it a call to the `executor` function): once per started run, never for a refused one, and
// a kick that fails does not fail the request. Real database; the over-HTTP suite is
// tests/e2e/api-executions.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../../scripts/test/stack-env.ts";
import {
  bearer,
  createUsers,
  deleteUsers,
  TenantFixtures,
  testDatabase,
  type TestUser,
  userToken,
} from "../../../../tests/fixtures/index.ts";
import { buildApiApp } from "../app.ts";

const sql = testDatabase();
const tenants = new TenantFixtures(sql);
const logLines: string[] = [];
let kicks = 0;
let kickFails = false;
const app = buildApiApp({
  sql,
  jwt: { jwtSecret: stackEnv.jwtSecret },
  webOrigins: [],
  logSink: (_level, line) => logLines.push(line),
  kickEngine: () => {
    kicks += 1;
    if (kickFails) throw new Error("executor unreachable");
  },
});

let member: TestUser;
let token: string;
let tenantId: string;
let teamId: string;

beforeAll(async () => {
  await tenants.setup();
  [member] = await createUsers(sql, 1, "execute-kick");
  token = await userToken(member);
  tenantId = await tenants.tenant([[member, "member"]]);
  await sql`update public.tenants set plan = 'pro' where id = ${tenantId}`;
  const [agent] = await sql<{ id: string }[]>`
    insert into public.agents (tenant_id, name, model, status, config)
    values (${tenantId}, 'Kick', 'demo-small', 'active', ${sql.json({ latency_ms: 30_000 })})
    returning id`;
  [{ id: teamId }] = await sql<{ id: string }[]>`
    insert into public.teams (tenant_id, name, workflow_type) values (${tenantId}, 'Kick team', 'sequential') returning id`;
  await sql`insert into public.team_agents (team_id, agent_id, execution_order) values (${teamId}, ${agent.id}, 1)`;
});

afterAll(async () => {
  await sql`
    update public.executions set status = 'cancelled', cancel_requested_at = now(), finished_at = now()
    where tenant_id = ${tenantId} and status in ('pending', 'running')`;
  await tenants.cleanup();
  await deleteUsers(sql, [member]);
  await sql.end();
});

function execute(team: string) {
  return app.request(`/api/v1/teams/${team}/execute`, {
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json", "x-tenant-id": tenantId },
    body: JSON.stringify({ initial_prompt: "Acorde o motor." }),
  });
}

describe("waking the engine after POST /teams/:id/execute", () => {
  it("kicks once per run started, after answering 202", async () => {
    kicks = 0;
    const answer = await execute(teamId);
    expect(answer.status).toBe(202);
    expect(kicks).toBe(1);
  });

  it("does not kick for a run that was refused", async () => {
    kicks = 0;
    expect((await execute(crypto.randomUUID())).status).toBe(404);
    expect(kicks).toBe(0);
  });

  it("answers 202 even when the kick fails, and logs it", async () => {
    kicks = 0;
    kickFails = true;
    try {
      const answer = await execute(teamId);
      expect(answer.status).toBe(202);
      const { execution_id: id } = await answer.json();
      const [run] = await sql`select status::text as status from public.executions where id = ${id}`;
      expect(run.status).toBe("running");
      expect(kicks).toBe(1);
      const warning = logLines.map((line) => JSON.parse(line)).find((entry) =>
        entry.msg.startsWith("could not wake the engine")
      );
      expect(warning).toMatchObject({ level: "warn", error: "Error: executor unreachable" });
    } finally {
      kickFails = false;
    }
  });
});
