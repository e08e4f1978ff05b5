// The funnel and response-time views at scale: 200 companies, each with one inbox, 100 contacts
// and their conversations, and (default) 1,000,000 messages over 3 months (in, then a reply by the
// bot or a person 5–300 s later), and a third of the contacts moved through the funnel. Then
//   refresh   `refresh materialized view concurrently` of lead_funnel_daily and response_times_daily
//             (through analytics.refresh, as pg_cron runs it), 3 times each; the baseline is one
//             sequential scan of the same messages (`select count(*)`), so the ratio says what the
//             window functions and percentiles cost on top of reading the rows
//   read      a month of one company's response times / funnel, as a member under RLS through the
//             security-definer readers (public.analytics_response_times, analytics_lead_funnel);
//             the baseline is the same rows read from the materialized view as the owner
// p50/p95 of a sequential run over random members.
//   npx tsx scripts/bench/analytics-funnel.ts [--instance work5] [--messages 1000000] [--tenants 200]
//                                             [--requests 500] [--keep] [--reuse]
// The stack must be running; the bench seeds its own companies (message triggers off while seeding)
// and removes them at the end (--keep leaves them; --reuse measures what a kept run left).
import postgres from "postgres";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";
import { option, percentile, say } from "./engine-bench-support.ts";
import {
  ensureMessagePartitions,
  insertMessages,
  type MessagingCompanies,
  removeMessagingCompanies,
  replyShape,
  seedFunnelMoves,
  seedMessagingCompanies,
} from "./messaging-bench-support.ts";

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const messageCount = Number(option("--messages", "1000000"));
const tenantCount = Number(option("--tenants", "200"));
const requests = Number(option("--requests", "500"));
const keep = process.argv.includes("--keep");
const reuse = process.argv.includes("--reuse");
const contactsPerTenant = 100;
const months = 3;
const targetReadP95Ms = 20;

interface Caller {
  userId: string;
  tenantId: string;
}

function companies(sql: postgres.Sql): MessagingCompanies {
  return {
    prefix: "bench-funnel",
    name: "Funil",
    tenants: tenantCount,
    contactsPerTenant,
    phonePrefix: "+55319",
    membershipRole: "member",
    contactCreatedAt: sql`now() - make_interval(days => (c * 7) % (${months}::int * 30))`,
    conversationCreatedAt: sql`c.created_at`,
  };
}

async function seed(sql: postgres.Sql): Promise<void> {
  const perConversation = Math.ceil(messageCount / (tenantCount * contactsPerTenant));
  say(`seeding ${tenantCount} companies × ${contactsPerTenant} conversations × ${perConversation} messages over ${months} months`);
  await seedMessagingCompanies(sql, companies(sql));
  await ensureMessagePartitions(sql, months);
  say("companies, contacts and conversations made; moving contacts through the funnel");
  await seedFunnelMoves(sql, companies(sql));
  say("funnel moves made; writing messages");
  await insertMessages(sql, companies(sql), { perConversation, shape: replyShape(sql, "wamid.funnel") });
  say("analyzing");
  await sql`analyze public.messages`;
  await sql`vacuum analyze public.conversations, public.contacts, public.contact_stage_changes, public.memberships, public.tenants`;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function measure(name: string, callers: Caller[], once: (caller: Caller) => Promise<number>) {
  const pick = () => callers[Math.floor(Math.random() * callers.length)];
  for (let i = 0; i < Math.max(20, requests / 5); i++) await once(pick());
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) latencies.push(await once(pick()));
  latencies.sort((a, b) => a - b);
  return { name, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

function asMember(sql: postgres.Sql, caller: Caller, query: (tx: postgres.TransactionSql) => PromiseLike<readonly unknown[]>): Promise<number> {
  const claims = { sub: caller.userId, role: "authenticated" as const, aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 3600 };
  return withUserTransaction(sql, claims, async (tx) => {
    const started = performance.now();
    const rows = await query(tx);
    const elapsed = performance.now() - started;
    if (rows.length === 0) throw new Error("expected rows");
    return elapsed;
  });
}

async function main(): Promise<void> {
  const sql = postgres(dbUrl(instance), { max: 2, prepare: false, onnotice: () => {} });
  try {
    if (!reuse) await seed(sql);
    const [counts] = await sql<{ messages: string; tenants: number }[]>`
      select (select count(*) from public.messages m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-funnel-%')::text as messages,
             (select count(*)::int from public.tenants where slug like 'bench-funnel-%') as tenants`;
    const total = Number(counts.messages);
    say(`measuring over ${total.toLocaleString("en")} bench messages (${counts.tenants} companies)`);

    const refreshes: { name: string; runs: number[] }[] = [];
    for (const view of ["response_times_daily", "lead_funnel_daily"]) {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await timed(async () => {
          const [row] = await sql<{ failure: string | null }[]>`select analytics.refresh(${view}) as failure`;
          if (row.failure) throw new Error(`${view}: ${row.failure}`);
        }));
      }
      refreshes.push({ name: view, runs });
    }
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) scans.push(await timed(() => sql`select count(*) from public.messages`));
    const scan = Math.min(...scans);

    const callers = await sql<Caller[]>`
      select m.user_id as "userId", m.tenant_id as "tenantId"
      from public.memberships m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-funnel-%'
      order by random() limit 200`;
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const results = [
      await measure("response times, member (RLS)", callers, (caller) =>
        asMember(sql, caller, (tx) => tx`select * from public.analytics_response_times(${caller.tenantId}, ${monthAgo}::date, null)`)),
      await measure("response times, owner (view)", callers, (caller) =>
        timed(() => sql`select * from analytics.response_times_daily where tenant_id = ${caller.tenantId} and day >= ${monthAgo}::date order by day, inbox_id, responder`)),
      await measure("funnel by month, member (RLS)", callers, (caller) =>
        asMember(sql, caller, (tx) => tx`select * from public.analytics_lead_funnel(${caller.tenantId}, null, null, 'month')`)),
      await measure("funnel by day, owner (view)", callers, (caller) =>
        timed(() => sql`select * from analytics.lead_funnel_daily where tenant_id = ${caller.tenantId} order by day`)),
    ];

    const [sizes] = await sql<{ response_rows: number; funnel_rows: number }[]>`
      select (select count(*)::int from analytics.response_times_daily) as response_rows,
             (select count(*)::int from analytics.lead_funnel_daily) as funnel_rows`;
    console.log(`\nrefresh concurrently, ${total.toLocaleString("en")} bench messages (all messages in the database are read) (ms)`);
    for (const refresh of refreshes) {
      const best = Math.min(...refresh.runs);
      console.log(`  ${refresh.name.padEnd(22)} ${refresh.runs.map((run) => run.toFixed(0).padStart(7)).join(" ")}   best / seq scan of messages ${(best / scan).toFixed(1)}×`);
    }
    console.log(`  baseline: select count(*) from messages  ${scan.toFixed(0)} ms`);
    console.log(`  rows: response_times_daily ${sizes.response_rows}, lead_funnel_daily ${sizes.funnel_rows}`);
    console.log(`\nreads, ${requests} sequential statements each (ms)`);
    for (const result of results) {
      const verdict = result.name.includes("member") ? `  target p95 < ${targetReadP95Ms} ms: ${result.p95 < targetReadP95Ms ? "met" : "NOT met"}` : "";
      console.log(`  ${result.name.padEnd(32)} p50 ${result.p50.toFixed(3).padStart(7)}  p95 ${result.p95.toFixed(3).padStart(7)}${verdict}`);
    }
    console.log(`  response times member / owner   p50 ${(results[0].p50 / results[1].p50).toFixed(2)}  p95 ${(results[0].p95 / results[1].p95).toFixed(2)}`);
  } finally {
    if (!keep) {
      say("removing the bench companies");
      await removeMessagingCompanies(sql, companies(sql));
    }
    await sql.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
