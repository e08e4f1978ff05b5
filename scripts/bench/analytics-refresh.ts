// The six analytics views at scale (issue #15): 200 companies, each with one inbox, 100 contacts and
// their conversations, (default) 10,000,000 messages over 3 months (in, then a reply 5–300 s later),
// a third of the contacts moved through the funnel, and (default) 100,000 runs of a 3-agent team,
// each with 3 steps and a usage-ledger row per step that ran (tokens, cost). consumption_inbox_daily
// is written by its own trigger (private.count_message_consumption stays on while the messages are
// bulk-inserted, one upsert per inbox-day per statement, as in production; the other message
// triggers are off). Then
//   refresh   `refresh materialized view concurrently` of each view through analytics.refresh, as
//             the pg_cron job runs it, 3 times each (p50, max); the baseline is one sequential scan
//             of the messages (`select count(*)`), so each ratio says what the view costs against
//             reading the biggest table once. The pg_cron job is paused while the bench runs.
//   analyst   a real analyst login of one company, made by its owner through
//             public.create_analyst_login; the bench connects as that login (its password, SCRAM)
//             and reads one month's consumption from the analysts' views (inbox_consumption,
//             agent_consumption), p50/p95 of a sequential run, target p95 < 20 ms; the baseline is
//             the same rows read by the owner (postgres) straight from the materialized views. The
//             owner revokes the login at the end.
//   npx tsx scripts/bench/analytics-refresh.ts [--instance scratch] [--messages 10000000] [--executions 100000]
//                                              [--tenants 200] [--requests 500] [--keep] [--reuse]
// The stack must be running; the bench removes its companies at the end (--keep leaves them;
// --reuse measures what a kept run left).
import postgres from "postgres";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";
import { flag, machineLoad, option, say, type Summary, summarize } from "./engine-bench-support.ts";
import {
  ensureMessagePartitions,
  insertMessages,
  type MessagingCompanies,
  removeMessagingCompanies,
  replyShape,
  seedFunnelMoves,
  seedMessagingCompanies,
} from "./messaging-bench-support.ts";

const instance = stackInstance(option("--instance", "scratch") as InstanceName);
const messageCount = Number(option("--messages", "10000000"));
const executionCount = Number(option("--executions", "100000"));
const tenantCount = Number(option("--tenants", "200"));
const requests = Number(option("--requests", "500"));
const keep = flag("--keep");
const reuse = flag("--reuse");
const contactsPerTenant = 100;
const agentsPerTeam = 3;
const months = 3;
const targetReadP95Ms = 20;
const cronJob = "renum-refresh-analytics-views";
const views = [
  "team_performance_daily",
  "agent_performance_daily",
  "inbox_consumption_monthly",
  "agent_consumption_monthly",
  "lead_funnel_daily",
  "response_times_daily",
] as const;

function companies(sql: postgres.Sql): MessagingCompanies {
  return {
    prefix: "bench-analytics",
    name: "Análise",
    tenants: tenantCount,
    contactsPerTenant,
    phonePrefix: "+55419",
    // The bench acts as each company's owner when it makes the analyst login.
    membershipRole: "owner",
    contactCreatedAt: sql`now() - make_interval(days => (c * 7) % (${months}::int * 30))`,
    conversationCreatedAt: sql`c.created_at`,
  };
}

/**
 * Per company: 3 active agents and a sequential team of them; its share of the runs, created
 * evenly over the last 3 months (80 % completed, 12 % failed — a quarter of those at their time
 * limit —, 8 % cancelled), each with one step per agent (every tenth step retried once) and a
 * usage-ledger row for every step that ran, priced as the demo model is.
 */
async function seedRuns(sql: postgres.Sql): Promise<void> {
  const like = "bench-analytics-%";
  await sql`
    insert into public.agents (tenant_id, name, provider, model, status, created_by)
    select t.id, 'Agente ' || a, 'demo', 'demo-small', 'active', t.created_by
    from public.tenants t cross join generate_series(1, ${agentsPerTeam}::int) a where t.slug like ${like}`;
  await sql`
    insert into public.teams (tenant_id, name, workflow_type, created_by)
    select t.id, 'Equipe', 'sequential', t.created_by from public.tenants t where t.slug like ${like}`;
  await sql`
    insert into public.team_agents (team_id, agent_id, execution_order)
    select tm.id, a.id, row_number() over (partition by tm.id order by a.name)
    from public.teams tm join public.agents a on a.tenant_id = tm.tenant_id
    join public.tenants t on t.id = tm.tenant_id where t.slug like ${like}`;
  const perTenant = Math.ceil(executionCount / tenantCount);
  say(`writing ${(perTenant * tenantCount).toLocaleString("en")} runs, ${agentsPerTeam} steps each, and their usage ledger`);
  await sql`
    insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, total_steps, finished_steps,
                                   input_tokens, output_tokens, cost_usd, deadline_at, started_at, finished_at, created_by, created_at)
    select t.id, tm.id,
           (case when r % 25 < 20 then 'completed' when r % 25 < 23 then 'failed' else 'cancelled' end)::public.execution_status,
           'sequential', 'Resuma a conversa ' || r, '{}', ${agentsPerTeam}::int, ${agentsPerTeam}::int,
           ${agentsPerTeam}::int * 400, ${agentsPerTeam}::int * 150, ${agentsPerTeam}::int * 0.00035,
           at + interval '10 minutes', at + interval '1 second',
           at + case when r % 25 in (20) then interval '10 minutes 1 second' else make_interval(secs => 2 + r % 40) end,
           t.created_by, at
    from public.tenants t join public.teams tm on tm.tenant_id = t.id
    cross join generate_series(1, ${perTenant}::int) r
    cross join lateral (select now() - interval '5 minutes' - make_interval(secs => (r::float8 / ${perTenant}::int) * ${months}::int * 30 * 86400) as at) moment
    where t.slug like ${like}`;
  await sql`
    insert into public.execution_steps (execution_id, tenant_id, agent_id, agent_version, agent_definition, role, position, input_spec,
                                        conditions, overrides, status, attempt_count, input_tokens, output_tokens, cost_usd, latency_ms,
                                        started_at, finished_at, created_at)
    select e.id, e.tenant_id, ta.agent_id, 1, '{}', 'member', ta.execution_order, '{}', '{}', '{}',
           (case when e.status = 'completed' or ta.execution_order < ${agentsPerTeam}::int then 'succeeded'
                 when e.status = 'failed' then 'failed' else 'cancelled' end)::public.step_status,
           case when abs(hashtext(e.id::text)) % 10 = ta.execution_order then 2 else 1 end,
           400, 150, 0.00035, 500 + abs(hashtext(e.id::text || ta.execution_order)) % 4000,
           e.started_at, e.finished_at, e.created_at
    from public.executions e join public.team_agents ta on ta.team_id = e.team_id
    join public.tenants t on t.id = e.tenant_id where t.slug like ${like}`;
  // The budget notice (one row trigger per ledger row) is the only insert trigger: off while loading.
  await sql`alter table public.usage_ledger disable trigger user`;
  try {
    await sql`
      insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                       input_usd_per_million, output_usd_per_million, cost_usd, recorded_at)
      select s.tenant_id, s.execution_id, s.id, s.agent_id, 'demo', 'demo-small', s.input_tokens, s.output_tokens, 0.5, 1,
             s.cost_usd, s.finished_at
      from public.execution_steps s join public.tenants t on t.id = s.tenant_id
      where t.slug like ${like} and s.attempt_count > 0`;
  } finally {
    await sql`alter table public.usage_ledger enable trigger user`;
  }
}

async function seed(sql: postgres.Sql): Promise<void> {
  const perConversation = Math.ceil(messageCount / (tenantCount * contactsPerTenant));
  say(`seeding ${tenantCount} companies × ${contactsPerTenant} conversations × ${perConversation} messages over ${months} months`);
  await seedMessagingCompanies(sql, companies(sql));
  await ensureMessagePartitions(sql, months);
  await seedFunnelMoves(sql, companies(sql));
  say("companies, contacts, conversations and funnel moves made; writing messages (consumption trigger on)");
  await insertMessages(sql, companies(sql), { perConversation, shape: replyShape(sql, "wamid.analytics"), consumptionTrigger: true });
  await seedRuns(sql);
  say("analyzing");
  await sql`analyze public.messages`;
  await sql`vacuum analyze public.conversations, public.contacts, public.contact_stage_changes, public.memberships, public.tenants,
                           public.executions, public.execution_steps, public.usage_ledger, public.consumption_inbox_daily`;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Sequential statements, a fifth as many first to warm up; p50/p95 and statements per second. */
async function measure(name: string, once: () => Promise<number>): Promise<{ name: string; summary: Summary; perSecond: number }> {
  for (let i = 0; i < Math.max(20, requests / 5); i++) await once();
  const latencies: number[] = [];
  const began = performance.now();
  for (let i = 0; i < requests; i++) latencies.push(await once());
  const perSecond = requests / ((performance.now() - began) / 1000);
  return { name, summary: summarize(latencies), perSecond };
}

async function rowsTimed(query: () => PromiseLike<readonly unknown[]>, expected: number): Promise<number> {
  const started = performance.now();
  const rows = await query();
  const elapsed = performance.now() - started;
  if (rows.length !== expected) throw new Error(`expected ${expected} rows, got ${rows.length}`);
  return elapsed;
}

interface Owner {
  userId: string;
  tenantId: string;
}

const claimsOf = (owner: Owner) => ({
  sub: owner.userId,
  role: "authenticated" as const,
  aud: "authenticated",
  exp: Math.floor(Date.now() / 1000) + 3600,
});

async function main(): Promise<void> {
  const sql = postgres(dbUrl(instance), { max: 2, prepare: false, onnotice: () => {} });
  say(machineLoad());
  // The bench refreshes the views itself: the minute job would refresh them mid-seed and hold the
  // per-view lock while we measure.
  await sql`select cron.alter_job(j.jobid, active := false) from cron.job j where j.jobname = ${cronJob}`;
  let analystLogin: string | null = null;
  let owner: Owner | null = null;
  try {
    const seedBegan = performance.now();
    if (!reuse) await seed(sql);
    const seedSeconds = (performance.now() - seedBegan) / 1000;
    const [counts] = await sql<{ messages: string; executions: number; steps: number; ledger: number; consumption: number; tenants: number }[]>`
      select (select count(*) from public.messages m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-analytics-%')::text as messages,
             (select count(*)::int from public.executions e join public.tenants t on t.id = e.tenant_id where t.slug like 'bench-analytics-%') as executions,
             (select count(*)::int from public.execution_steps s join public.tenants t on t.id = s.tenant_id where t.slug like 'bench-analytics-%') as steps,
             (select count(*)::int from public.usage_ledger l join public.tenants t on t.id = l.tenant_id where t.slug like 'bench-analytics-%') as ledger,
             (select count(*)::int from public.consumption_inbox_daily d join public.tenants t on t.id = d.tenant_id where t.slug like 'bench-analytics-%') as consumption,
             (select count(*)::int from public.tenants where slug like 'bench-analytics-%') as tenants`;
    const totalMessages = Number(counts.messages);
    if (!reuse) say(`seeded in ${seedSeconds.toFixed(0)} s`);
    say(`measuring over ${totalMessages.toLocaleString("en")} messages, ${counts.executions.toLocaleString("en")} runs, ${counts.steps.toLocaleString("en")} steps, ` +
      `${counts.ledger.toLocaleString("en")} ledger rows, ${counts.consumption.toLocaleString("en")} inbox-days (${counts.tenants} companies)`);
    // The consumption the trigger kept must be what the messages say.
    const [check] = await sql<{ counted: string; messages: string }[]>`
      select (select sum(d.messages_in + d.messages_out) from public.consumption_inbox_daily d join public.tenants t on t.id = d.tenant_id
              where t.slug like 'bench-analytics-%')::text as counted, ${counts.messages} as messages`;
    if (check.counted !== check.messages) throw new Error(`consumption_inbox_daily counts ${check.counted} messages, the table holds ${check.messages}`);

    say("refreshing each view 3 times");
    const refreshes: { view: string; runs: number[]; rows: number }[] = [];
    for (const view of views) {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await timed(async () => {
          const [row] = await sql<{ failure: string | null }[]>`select analytics.refresh(${view}) as failure`;
          if (row.failure) throw new Error(`${view}: ${row.failure}`);
        }));
      }
      const [size] = await sql<{ rows: number }[]>`select count(*)::int as rows from ${sql("analytics")}.${sql(view)}`;
      refreshes.push({ view, runs, rows: size.rows });
      say(`  ${view}: ${runs.map((run) => run.toFixed(0)).join(", ")} ms`);
    }
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) scans.push(await timed(() => sql`select count(*) from public.messages`));
    const scan = Math.min(...scans);

    // The analyst login, made by the first company's owner as the API does (their claims, RLS on).
    [owner] = await sql<Owner[]>`
      select m.user_id as "userId", m.tenant_id as "tenantId" from public.memberships m join public.tenants t on t.id = m.tenant_id
      where t.slug = 'bench-analytics-1' and m.role = 'owner'`;
    const ownerOf = owner;
    const [login] = await withUserTransaction(sql, claimsOf(ownerOf), (tx) =>
      tx<{ role_name: string; password: string }[]>`select role_name, password from public.create_analyst_login(${ownerOf.tenantId})`);
    analystLogin = login.role_name;
    say(`analyst login ${login.role_name} made by the owner of bench-analytics-1`);
    const analyst = postgres({
      host: "127.0.0.1",
      port: instance.dbPort,
      database: "postgres",
      username: login.role_name,
      password: login.password,
      max: 1,
      prepare: false,
      onnotice: () => {},
    });
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const reads = [];
    try {
      const [who] = await analyst<{ user: string; read_only: string }[]>`select current_user as user, current_setting('transaction_read_only') as read_only`;
      if (who.user !== login.role_name || who.read_only !== "on") throw new Error(`connected as ${who.user}, read only ${who.read_only}`);
      const [expected] = await sql<{ inboxes: number; agents: number }[]>`
        select (select count(*)::int from analytics.inbox_consumption_monthly where tenant_id = ${ownerOf.tenantId} and month = ${lastMonth}::date) as inboxes,
               (select count(*)::int from analytics.agent_consumption_monthly where tenant_id = ${ownerOf.tenantId} and month = ${lastMonth}::date) as agents`;
      if (expected.inboxes === 0 || expected.agents === 0) throw new Error(`no consumption in ${lastMonth}`);
      reads.push(
        await measure("inbox consumption, analyst login", () =>
          rowsTimed(() => analyst`select * from inbox_consumption where month = ${lastMonth}::date order by inbox_id`, expected.inboxes)),
        await measure("inbox consumption, owner (view)", () =>
          rowsTimed(() => sql`select * from analytics.inbox_consumption_monthly where tenant_id = ${ownerOf.tenantId} and month = ${lastMonth}::date order by inbox_id`, expected.inboxes)),
        await measure("agent consumption, analyst login", () =>
          rowsTimed(() => analyst`select * from agent_consumption where month = ${lastMonth}::date order by agent_id`, expected.agents)),
        await measure("agent consumption, owner (view)", () =>
          rowsTimed(() => sql`select * from analytics.agent_consumption_monthly where tenant_id = ${ownerOf.tenantId} and month = ${lastMonth}::date order by agent_id`, expected.agents)),
      );
      const plan = await analyst<{ "QUERY PLAN": string }[]>`explain (analyze, costs off, summary on) select * from inbox_consumption where month = ${lastMonth}::date`
        .catch((error: Error) => [{ "QUERY PLAN": `(the login may not explain: ${error.message})` }]);
      console.log(`\nplan: a month of inbox consumption, as the analyst login\n${plan.map((row) => row["QUERY PLAN"]).join("\n")}`);
    } finally {
      await analyst.end({ timeout: 5 });
    }

    console.log(`\nrefresh materialized view concurrently through analytics.refresh, ${totalMessages.toLocaleString("en")} bench messages, ` +
      `${counts.executions.toLocaleString("en")} runs (all rows in the database are read) (ms)`);
    console.log(`  ${"view".padEnd(26)} ${"run 1".padStart(7)} ${"run 2".padStart(7)} ${"run 3".padStart(7)}   ${"p50".padStart(7)} ${"max".padStart(7)}  ${"rows".padStart(7)}  p50 / seq scan of messages`);
    for (const refresh of refreshes) {
      const summary = summarize(refresh.runs);
      console.log(`  ${refresh.view.padEnd(26)} ${refresh.runs.map((run) => run.toFixed(0).padStart(7)).join(" ")}   ${summary.p50.toFixed(0).padStart(7)} ` +
        `${summary.max.toFixed(0).padStart(7)}  ${String(refresh.rows).padStart(7)}  ${(summary.p50 / scan).toFixed(2)}×`);
    }
    const all = refreshes.reduce((sum, refresh) => sum + summarize(refresh.runs).p50, 0);
    console.log(`  all six (sum of p50)       ${all.toFixed(0)} ms; messages through response_times_daily: ` +
      `${Math.round(totalMessages / (summarize(refreshes[5].runs).p50 / 1000)).toLocaleString("en")} per second`);
    console.log(`  baseline: select count(*) from messages  ${scan.toFixed(0)} ms (${Math.round(totalMessages / (scan / 1000)).toLocaleString("en")} rows/s)`);
    console.log(`\nreads of ${lastMonth}'s consumption, one company, ${requests} sequential statements each (ms)`);
    for (const read of reads) {
      const verdict = read.name.includes("analyst") ? `  target p95 < ${targetReadP95Ms} ms: ${read.summary.p95 < targetReadP95Ms ? "met" : "NOT met"}` : "";
      console.log(`  ${read.name.padEnd(34)} p50 ${read.summary.p50.toFixed(3).padStart(7)}  p95 ${read.summary.p95.toFixed(3).padStart(7)}  ` +
        `${Math.round(read.perSecond).toLocaleString("en").padStart(6)}/s${verdict}`);
    }
    for (const index of [0, 2]) {
      const [login, baseline] = [reads[index], reads[index + 1]];
      console.log(`  ${login.name.split(",")[0]} analyst / owner`.padEnd(36) +
        ` p50 ${(login.summary.p50 / baseline.summary.p50).toFixed(2)}  p95 ${(login.summary.p95 / baseline.summary.p95).toFixed(2)}`);
    }
    say(machineLoad());
  } finally {
    if (analystLogin && owner) {
      // Revoked by the owner, as the API does: the trigger ends its sessions and drops the role.
      const revoker = owner;
      const role = analystLogin;
      await withUserTransaction(sql, claimsOf(revoker), (tx) => tx`delete from public.analyst_logins where role_name = ${role}`);
      const [left] = await sql<{ count: number }[]>`select count(*)::int from pg_roles where rolname = ${role}`;
      say(left.count === 0 ? `analyst login ${role} revoked and dropped` : `analyst login ${role} NOT dropped`);
    }
    if (!keep) {
      say("removing the bench companies");
      await removeMessagingCompanies(sql, companies(sql));
    }
    await sql`select cron.alter_job(j.jobid, active := true) from cron.job j where j.jobname = ${cronJob}`;
    await sql.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
