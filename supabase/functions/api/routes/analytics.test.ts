// /analytics with the app in-process over the real database: the charts' numbers for each kind of
// caller, bad input refused, and an analyst's SQL login for real — created through the API, used
// with its password over a plain Postgres connection (its company's rows only; everything else
// refused), revoked (its open session ends, it can no longer connect). Also that a refresh never
// blocks a reader in another session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../../scripts/test/stack-env.ts";
import {
  analystDatabase,
  bearer,
  createUsers,
  deleteUsers,
  TenantFixtures,
  testDatabase,
  type TestUser,
  userToken,
  waitFor,
} from "../../../../tests/fixtures/index.ts";
import { buildApiApp } from "../app.ts";

const sql = testDatabase();
const tenants = new TenantFixtures(sql);
const app = buildApiApp({ sql, jwt: { jwtSecret: stackEnv.jwtSecret }, webOrigins: [] });

let owner: TestUser;
let member: TestUser;
let analyst: TestUser;
let outsider: TestUser;
const tokens = new Map<TestUser, string>();
let tenantId: string;
let otherTenantId: string;
let inboxId: string;
let otherInboxId: string;

beforeAll(async () => {
  [owner, member, analyst, outsider] = await createUsers(sql, 4, "analytics-api");
  for (const user of [owner, member, analyst, outsider]) tokens.set(user, await userToken(user));
  tenantId = await tenants.tenant([[owner, "owner"], [member, "member"], [analyst, "analyst"]]);
  otherTenantId = await tenants.tenant([[outsider, "owner"]]);
  for (const [tenant, runs] of [[tenantId, 3], [otherTenantId, 1]] as const) {
    const [team] = await sql<{ id: string }[]>`
      insert into public.teams (tenant_id, name) values (${tenant}, 'Analytics team') returning id`;
    await sql`
      insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, input_tokens,
                                     output_tokens, cost_usd, started_at, finished_at)
      select ${tenant}, ${team.id}, 'completed', 'sequential', 'analytics run', '{"timeout_seconds": 10}', 100, 50, 0.01,
             now() - interval '2 seconds', now()
      from generate_series(1, ${runs})`;
  }
  // The funnel and response times: a contact of the company qualified today, and one conversation
  // where the bot answered 30 s after the contact wrote.
  const [inbox] = await sql<{ id: string }[]>`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    values (${tenantId}, 'zapi', 'Analytics line', 'analytics-line') returning id`;
  inboxId = inbox.id;
  // A second line of the company, with no conversation, and another company's line.
  await sql`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    values (${tenantId}, 'zapi', 'Quiet line', 'analytics-quiet-line')`;
  [{ id: otherInboxId }] = await sql<{ id: string }[]>`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    values (${otherTenantId}, 'zapi', 'Other company line', 'analytics-other-line') returning id`;
  const [contact] = await sql<{ id: string }[]>`
    insert into public.contacts (tenant_id, phone, name) values (${tenantId}, '+5511955550001', 'Funnel lead') returning id`;
  await sql`select private.move_contact_stage(${contact.id}, 'qualified', 'rule')`;
  const [conversation] = await sql<{ id: string }[]>`
    insert into public.conversations (tenant_id, inbox_id, contact_id) values (${tenantId}, ${inbox.id}, ${contact.id}) returning id`;
  await sql`
    insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, created_at)
    values (${tenantId}, ${inbox.id}, ${conversation.id}, ${contact.id}, 1, 'in', 'user', 'received', now() - interval '1 minute'),
           (${tenantId}, ${inbox.id}, ${conversation.id}, ${contact.id}, 2, 'out', 'assistant', 'sent', now() - interval '30 seconds')`;
  await sql`select analytics.refresh(view_name) from analytics.refresh_schedule`;
});

afterAll(async () => {
  await tenants.cleanup();
  await deleteUsers(sql, [owner, member, analyst, outsider]);
  await sql.end();
});

// deno-lint-ignore no-explicit-any
type Answer = { status: number; headers: Headers; body: Record<string, any> };

async function request(user: TestUser, method: string, path: string, body?: string, tenant = tenantId): Promise<Answer> {
  const answer = await app.request(`/api/v1${path}`, {
    method,
    headers: { ...bearer(tokens.get(user)!), "x-tenant-id": tenant, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body,
  });
  const text = await answer.text();
  return { status: answer.status, headers: answer.headers, body: text === "" ? {} : JSON.parse(text) };
}

describe("the charts' data", () => {
  it("gives every member the company's rows, and another company's member nothing of it", async () => {
    for (const user of [owner, member, analyst]) {
      const answer = await request(user, "GET", "/analytics/team-performance");
      expect(answer.status).toBe(200);
      expect(answer.body.items).toHaveLength(1);
      expect(answer.body.items[0]).toMatchObject({ team_name: "Analytics team", runs: 3, succeeded: 3, success_rate: 1, input_tokens: 300 });
    }
    const outsiderAnswer = await request(outsider, "GET", "/analytics/team-performance");
    expect([403, 404]).toContain(outsiderAnswer.status);
    expect((await request(outsider, "GET", "/analytics/team-performance", undefined, otherTenantId)).body.items[0].runs).toBe(1);
  });

  it("answers every view and when it was refreshed", async () => {
    for (const path of ["agent-performance", "inbox-consumption", "agent-consumption"]) {
      const answer = await request(analyst, "GET", `/analytics/${path}?from=2020-01-01`);
      expect(answer.status).toBe(200);
      expect(Array.isArray(answer.body.items)).toBe(true);
    }
    const freshness = await request(member, "GET", "/analytics/freshness");
    expect(freshness.body.items.map((view: { view_name: string }) => view.view_name).sort()).toEqual(
      [
        "agent_consumption_monthly",
        "agent_performance_daily",
        "inbox_consumption_monthly",
        "lead_funnel_daily",
        "response_times_daily",
        "team_performance_daily",
      ],
    );
    expect(freshness.body.items.every((view: { refreshed_at: string | null }) => view.refreshed_at !== null)).toBe(true);
  });

  it("answers the funnel by day, ISO week and month, for all inboxes or one, and response times by inbox and responder", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const daily = await request(member, "GET", `/analytics/funnel?from=${today}&to=${today}`);
    expect(daily.status).toBe(200);
    expect(daily.body.items).toEqual([
      {
        period: today,
        new_contacts: 1,
        conversations_started: 1,
        answered_by_bot: 1,
        handed_to_person: 0,
        qualified: 1,
        customers: 0,
        lost: 0,
        reopened: 0,
      },
    ]);
    const monthly = await request(analyst, "GET", "/analytics/funnel?grain=month");
    expect(monthly.body.items).toEqual([{ ...daily.body.items[0], period: `${today.slice(0, 7)}-01` }]);
    // The ISO week starts on Monday: today's weekday counted from Monday (0) back to it.
    const monday = new Date(Date.now() - ((new Date().getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    const weekly = await request(owner, "GET", `/analytics/funnel?grain=week&from=${today}&to=${today}`);
    expect(weekly.body.items).toEqual([{ ...daily.body.items[0], period: monday }]);
    const inLine = await request(member, "GET", `/analytics/funnel?from=${today}&to=${today}&inbox_id=${inboxId}`);
    expect(inLine.body.items).toEqual(daily.body.items);
    const [{ id: quietInboxId }] = await sql<{ id: string }[]>`select id from public.inboxes where zapi_instance_id = 'analytics-quiet-line'`;
    const quiet = await request(member, "GET", `/analytics/funnel?inbox_id=${quietInboxId}`);
    expect(quiet.status).toBe(200);
    expect(quiet.body.items).toEqual([]);
    const times = await request(owner, "GET", "/analytics/response-times");
    expect(times.status).toBe(200);
    expect(times.body.items).toHaveLength(1);
    expect(times.body.items[0]).toMatchObject({
      inbox_name: "Analytics line",
      responder: "bot",
      replies: 1,
      reply_p50_ms: 30000,
      first_responses: 1,
      first_response_p90_ms: 30000,
    });
    expect((await request(owner, "GET", `/analytics/response-times?inbox_id=${inboxId}`)).body.items).toEqual(times.body.items);
    // An inbox that is not the company's, another company's included, is refused rather than answered with zeros.
    for (const path of ["/analytics/funnel", "/analytics/response-times"]) {
      for (const inbox of [otherInboxId, "00000000-0000-4000-8000-000000000000"]) {
        const refused = await request(member, "GET", `${path}?inbox_id=${inbox}`);
        expect(refused.status, `${path} ${inbox}`).toBe(404);
        expect(refused.body.error.code).toBe("inbox_not_found");
      }
    }
    const ownLine = await request(outsider, "GET", `/analytics/funnel?inbox_id=${otherInboxId}`, undefined, otherTenantId);
    expect(ownLine.status).toBe(200);
    expect(ownLine.body.items).toEqual([]);
    expect((await request(outsider, "GET", "/analytics/funnel", undefined, otherTenantId)).body.items).toEqual([]);
    expect([403, 404]).toContain((await request(outsider, "GET", "/analytics/response-times")).status);
    for (const query of ["grain=year", "inbox_id=nope", "from=2026-12-01&to=2026-11-01", "inbox=all"]) {
      for (const path of ["/analytics/response-times", "/analytics/funnel"]) {
        if (query.startsWith("grain") && path.endsWith("response-times")) continue;
        const answer = await request(member, "GET", `${path}?${query}`);
        expect(answer.status, `${path} ${query}`).toBe(422);
        expect(answer.body.error.code).toBe("validation_failed");
      }
    }
  });

  it("refuses a bad range with 422 in the one error shape", async () => {
    for (const query of ["from=2026-02-30", "from=yesterday", "from=2026-12-01&to=2026-11-01", "days=3"]) {
      const answer = await request(member, "GET", `/analytics/team-performance?${query}`);
      expect(answer.status, query).toBe(422);
      expect(answer.body.error.code).toBe("validation_failed");
    }
  });
});

describe("an analyst's SQL login", () => {
  it("is created only by owners and admins, with a password shown once, and refuses bad bodies", async () => {
    for (const user of [member, analyst]) {
      const refused = await request(user, "POST", "/analytics/logins", "{}");
      expect(refused.status).toBe(403);
    }
    expect((await request(owner, "POST", "/analytics/logins", '{"connection_limit": 99}')).status).toBe(422);
    expect((await request(owner, "POST", "/analytics/logins", '{"superuser": true}')).status).toBe(422);
    expect((await request(owner, "POST", "/analytics/logins", "{not json")).status).toBe(400);
    expect((await request(member, "GET", "/analytics/logins")).status).toBe(403);
  });

  it("reads its company's rows over a real connection, nothing else, and stops working when revoked", async () => {
    const created = await request(owner, "POST", "/analytics/logins", '{"connection_limit": 2, "statement_timeout_ms": 5000}');
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { role_name: login, password } = created.body;
    expect(login).toMatch(/^renum_analyst_[0-9a-f]{12}$/);

    const listed = await request(owner, "GET", "/analytics/logins");
    expect(listed.body.items.map((item: { role_name: string }) => item.role_name)).toContain(login);
    expect(JSON.stringify(listed.body)).not.toContain(password);

    const asAnalyst = analystDatabase(login, password);
    try {
      const rows = await asAnalyst<{ tenant_id: string; runs: number }[]>`select tenant_id, runs from team_performance`;
      expect(rows).toEqual([{ tenant_id: tenantId, runs: 3 }]);
      const [{ sessions }] = await sql<{ sessions: number }[]>`
        select count(*)::int as sessions from pg_stat_activity where usename = ${login}`;
      expect(sessions).toBe(1);
      await expect(asAnalyst`select * from public.tenants`).rejects.toMatchObject({ code: "42501" });
      await expect(asAnalyst`select * from analytics.team_performance_daily`).rejects.toMatchObject({ code: "42501" });
      await expect(asAnalyst`delete from analytics.refresh_log`).rejects.toMatchObject({ code: "25006" });
      for (const role of ["postgres", "authenticated", "service_role", "supabase_admin"]) {
        await expect(asAnalyst.unsafe(`set role ${role}`), role).rejects.toMatchObject({ code: "42501" });
      }

      const outsiderRevoke = await request(outsider, "DELETE", `/analytics/logins/${login}`, undefined, otherTenantId);
      expect(outsiderRevoke.status).toBe(404);
      expect(outsiderRevoke.body.error.code).toBe("analyst_login_not_found");
      expect((await request(member, "DELETE", `/analytics/logins/${login}`)).status).toBe(403);
      expect((await request(owner, "DELETE", `/analytics/logins/${login}`)).status).toBe(204);

      // The open session was ended, and a new one is refused.
      await waitFor(async () => {
        const [{ sessions }] = await sql<{ sessions: number }[]>`
          select count(*)::int as sessions from pg_stat_activity where usename = ${login}`;
        return sessions === 0;
      }, "the revoked login's session to end");
      await expect(asAnalyst`select 1`).rejects.toBeTruthy();
    } finally {
      await asAnalyst.end({ timeout: 1 }).catch(() => undefined);
    }
    const again = analystDatabase(login, password);
    try {
      await expect(again`select 1`).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    } finally {
      await again.end({ timeout: 1 }).catch(() => undefined);
    }
    expect((await request(owner, "DELETE", `/analytics/logins/${login}`)).status).toBe(404);
  });
});

describe("refreshing", () => {
  it("runs from pg_cron every minute, and the run succeeds", async () => {
    const [job] = await sql<{ schedule: string; active: boolean }[]>`
      select schedule, active from cron.job where jobname = 'renum-refresh-analytics-views'`;
    expect(job).toEqual({ schedule: "* * * * *", active: true });
    // The latest run pg_cron finished (the stack has usually been up for minutes, so one has; else
    // the next one, up to two minutes away).
    const run = await waitFor(async () => {
      const [finished] = await sql<{ status: string; return_message: string }[]>`
        select d.status, d.return_message from cron.job_run_details d join cron.job j on j.jobid = d.jobid
        where j.jobname = 'renum-refresh-analytics-views' and d.status in ('succeeded', 'failed')
        order by d.start_time desc limit 1`;
      return finished;
    }, "a scheduled run of the analytics refresh", 120_000, 500);
    expect(run).toMatchObject({ status: "succeeded" });
  }, 150_000);

  it("never blocks a reader in another session", async () => {
    const reader = testDatabase(1);
    try {
      await sql.begin(async (tx) => {
        // The refresh's locks stay held until this transaction ends.
        await tx`select analytics.refresh('team_performance_daily')`;
        const [{ runs }] = await reader.begin(async (readerTx) => {
          await readerTx`set local statement_timeout = '5s'`;
          return readerTx<{ runs: number }[]>`
            select coalesce(sum(runs), 0)::int as runs from analytics.team_performance_daily where tenant_id = ${tenantId}`;
        });
        expect(runs).toBe(3);
      });
    } finally {
      await reader.end();
    }
  });
});
