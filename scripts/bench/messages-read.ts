// Reading messages at scale: 1,000 companies, each with one inbox, 20 contacts and their
// conversations, and (default) 10,000,000 messages spread over 12 monthly partitions, then
//   conversation   the last 10 messages of a conversation (by message_index) as the API reads them:
//                  public.conversation_messages with the conversation's start, a plan kept per
//                  connection; the baseline is the same read as a plain statement, planned each time
//   tenant         the last 10 messages of a company (by created_at), a plain statement planned each
//                  time (the product has no such read; the API's pooled transactions cannot prepare)
//                  and the same from a client that prepares it (PostgREST, a session connection)
// each run as the company's member in a transaction as `authenticated` with their claims (RLS
// applies, exactly as the API runs it) and, as the baseline, as the owner with the same explicit
// filter (RLS bypassed). Timed per statement: p50/p95 of a sequential run over random members; the
// plans (partition pruning, index scans) are printed. Target: p95 < 1 ms under RLS.
//   npx tsx scripts/bench/messages-read.ts [--instance bench] [--messages 10000000] [--tenants 1000]
//                                          [--requests 1000] [--keep] [--reuse]
// The stack must be running; the bench seeds its own companies (triggers off while seeding, then
// analyze) and removes them at the end (--keep leaves them; --reuse measures what a kept run left).
import postgres from "postgres";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";
import { option, percentile, say } from "./engine-bench-support.ts";
import {
  ensureMessagePartitions,
  insertMessages,
  type MessagingCompanies,
  removeMessagingCompanies,
  seedMessagingCompanies,
} from "./messaging-bench-support.ts";

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const messageCount = Number(option("--messages", "10000000"));
const tenantCount = Number(option("--tenants", "1000"));
const requests = Number(option("--requests", "1000"));
const keep = process.argv.includes("--keep");
const reuse = process.argv.includes("--reuse");
const contactsPerTenant = 20;
const months = 12;
const targetP95Ms = 1;

interface Caller {
  userId: string;
  tenantId: string;
  conversationId: string;
  /** The conversation's created_at, as the API has it when it reads the thread. */
  conversationStartedAt: string;
}

// As the API reads a thread (routes/conversations.ts): through the database's function, whose plan
// outlives the pooled transaction, with the conversation's start it has just read.
const lastOfConversation = (sql: postgres.Sql | postgres.TransactionSql, conversationId: string, startedAt: string) => sql`
  select id, message_index, direction, role, type, status, body, created_at
  from public.conversation_messages(${conversationId}, ${startedAt}::timestamptz, null, 10)`;
// The baseline: the same read as a plain statement, planned again at each request (prepare: false).
const lastOfConversationStatement = (sql: postgres.Sql | postgres.TransactionSql, conversationId: string, startedAt: string) => sql`
  select id, message_index, direction, role, type, status, body, created_at
  from public.messages
  where conversation_id = ${conversationId}
    and created_at >= ${startedAt}::timestamptz
  order by message_index desc limit 10`;
const lastOfTenant = (sql: postgres.Sql | postgres.TransactionSql, tenantId: string) => sql`
  select id, conversation_id, message_index, direction, role, type, status, body, created_at
  from public.messages where tenant_id = ${tenantId}
  order by created_at desc limit 10`;

function companies(sql: postgres.Sql): MessagingCompanies {
  return {
    prefix: "bench-read",
    name: "Leitura",
    tenants: tenantCount,
    contactsPerTenant,
    phonePrefix: "+55219",
    membershipRole: "member",
    // Conversations start in any of the last 12 months.
    conversationCreatedAt: sql`date_trunc('month', now()) - make_interval(months => abs(hashtext(c.id::text)) % ${months}::int)`,
  };
}

async function seed(sql: postgres.Sql): Promise<void> {
  const perConversation = Math.ceil(messageCount / (tenantCount * contactsPerTenant));
  say(`seeding ${tenantCount} companies × ${contactsPerTenant} conversations × ${perConversation} messages over ${months} months`);
  await seedMessagingCompanies(sql, companies(sql));
  await ensureMessagePartitions(sql, months - 1);
  // Message k of a conversation lands k / perConversation of the way from the conversation's start to now.
  await insertMessages(sql, companies(sql), {
    perConversation,
    shape: {
      role: sql`case when k % 2 = 0 then 'assistant' else 'user' end::public.message_role`,
      body: sql`'Mensagem ' || k || ' da conversa'`,
      createdAt: sql`to_timestamp(extract(epoch from v.created_at) + (extract(epoch from now()) - extract(epoch from v.created_at) - 60) * k / ${perConversation}::int)`,
      providerIdPrefix: "wamid.read",
    },
  });
  say("analyzing");
  await sql`analyze public.messages`;
  await sql`vacuum analyze public.conversations, public.memberships, public.tenants`;
}

async function measure(name: string, callers: Caller[], once: (caller: Caller) => Promise<number>) {
  const pick = () => callers[Math.floor(Math.random() * callers.length)];
  for (let i = 0; i < Math.max(50, requests / 5); i++) await once(pick());
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) latencies.push(await once(pick()));
  latencies.sort((a, b) => a - b);
  return { name, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

function claimsOf(caller: Caller) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: caller.userId, role: "authenticated" as const, aud: "authenticated", exp: now + 3600 };
}

/** The statement's time inside the member's transaction (role and claims already set). */
function asMember(sql: postgres.Sql, caller: Caller, query: (tx: postgres.TransactionSql) => Promise<unknown[]>): Promise<number> {
  return withUserTransaction(sql, claimsOf(caller), async (tx) => {
    const started = performance.now();
    const rows = await query(tx);
    const elapsed = performance.now() - started;
    if (rows.length !== 10) throw new Error(`expected 10 messages, got ${rows.length}`);
    return elapsed;
  });
}

async function asOwner(sql: postgres.Sql, query: () => Promise<unknown[]>): Promise<number> {
  const started = performance.now();
  const rows = await query();
  const elapsed = performance.now() - started;
  if (rows.length !== 10) throw new Error(`expected 10 messages, got ${rows.length}`);
  return elapsed;
}

async function explainAsMember(sql: postgres.Sql, caller: Caller, statement: string, ...parameters: string[]): Promise<string> {
  return withUserTransaction(sql, claimsOf(caller), async (tx) => {
    const plan = await tx.unsafe(`explain (analyze, buffers, costs off, summary on) ${statement}`, parameters);
    return plan.map((row) => row["QUERY PLAN"]).join("\n");
  });
}

/** The plan public.conversation_messages keeps, shown through a prepared statement under its settings: explain of a function call hides it. */
async function explainGenericAsMember(sql: postgres.Sql, caller: Caller, statement: string, types: string[], ...parameters: string[]): Promise<string> {
  return withUserTransaction(sql, claimsOf(caller), async (tx) => {
    // The function's own settings (its SET clauses: plan_cache_mode, the planner's choices), as it plans.
    const settings = await tx<{ name: string; value: string }[]>`
      select split_part(setting, '=', 1) as name, substr(setting, strpos(setting, '=') + 1) as value
      from pg_proc, unnest(proconfig) as setting
      where oid = 'public.conversation_messages(uuid, timestamptz, integer, integer)'::regprocedure`;
    for (const { name, value } of settings) await tx`select set_config(${name}, ${value}, true)`;
    await tx.unsafe(`prepare kept_plan(${types.join(", ")}) as ${statement}`);
    try {
      const literals = parameters.map((value) => `'${value.replaceAll("'", "''")}'`).join(", ");
      const plan = await tx.unsafe(`explain (analyze, buffers, costs off, summary on) execute kept_plan(${literals})`);
      return plan.map((row) => row["QUERY PLAN"]).join("\n");
    } finally {
      await tx.unsafe("deallocate kept_plan");
    }
  });
}

async function main(): Promise<void> {
  const sql = postgres(dbUrl(instance), { max: 2, prepare: false, onnotice: () => {} });
  const preparing = postgres(dbUrl(instance), { max: 1, prepare: true, onnotice: () => {} });
  try {
    if (!reuse) await seed(sql);
    const [counts] = await sql<{ messages: string; partitions: number; tenants: number }[]>`
      select (select count(*) from public.messages m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-read-%')::text as messages,
             (select count(*)::int from pg_inherits where inhparent = 'public.messages'::regclass) as partitions,
             (select count(*)::int from public.tenants where slug like 'bench-read-%') as tenants`;
    say(`measuring over ${Number(counts.messages).toLocaleString("en")} messages, ${counts.partitions} partitions (default included), ${counts.tenants} companies`);
    const callers = await sql<Caller[]>`
      select m.user_id as "userId", m.tenant_id as "tenantId",
             v.id as "conversationId", v.created_at::text as "conversationStartedAt"
      from public.memberships m join public.tenants t on t.id = m.tenant_id
      cross join lateral (select v.id, v.created_at from public.conversations v where v.tenant_id = m.tenant_id order by random() limit 1) v
      where t.slug like 'bench-read-%'
      order by random() limit 500`;

    const results = [
      await measure("conversation, member (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfConversation(tx, caller.conversationId, caller.conversationStartedAt))),
      await measure("conversation, statement (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfConversationStatement(tx, caller.conversationId, caller.conversationStartedAt))),
      await measure("conversation, owner (no RLS)", callers, (caller) => asOwner(sql, () => lastOfConversation(sql, caller.conversationId, caller.conversationStartedAt))),
      await measure("tenant, member (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfTenant(tx, caller.tenantId))),
      // The same statement from a client that prepares its statements (PostgREST, a driver on a
      // session connection): after five runs Postgres keeps a generic plan and stops planning.
      await measure("tenant, member (RLS), prepared", callers, (caller) => asMember(preparing, caller, (tx) => lastOfTenant(tx, caller.tenantId))),
      await measure("tenant, owner (no RLS)", callers, (caller) => asOwner(sql, () => lastOfTenant(sql, caller.tenantId))),
    ];
    const probe = callers[0];
    console.log("\nplan: last 10 messages of a conversation, as the member (RLS), the function's statement with its kept (generic) plan");
    console.log(await explainGenericAsMember(sql, probe, "select id, message_index, direction, role, type, status, body, created_at from public.messages where conversation_id = $1 and created_at >= $2 order by message_index desc limit 10", ["uuid", "timestamptz"], probe.conversationId, probe.conversationStartedAt));
    console.log("\nplan: last 10 messages of a company, as the member (RLS)");
    console.log(await explainAsMember(sql, probe, "select id, conversation_id, message_index, direction, role, type, status, body, created_at from public.messages where tenant_id = $1 order by created_at desc limit 10", probe.tenantId));
    console.log(`\nlast 10 messages, ${Number(counts.messages).toLocaleString("en")} messages, ${requests} sequential statements each (ms)`);
    for (const result of results) {
      const verdict = result.name.includes("RLS)") && !result.name.includes("no RLS") && !result.name.includes("statement") && !result.name.includes("prepared") ? `  target p95 < ${targetP95Ms} ms: ${result.p95 < targetP95Ms ? "met" : "NOT met"}` : "";
      console.log(`  ${result.name.padEnd(30)} p50 ${result.p50.toFixed(3).padStart(7)}  p95 ${result.p95.toFixed(3).padStart(7)}${verdict}`);
    }
    const [kept, planned] = results;
    console.log(`  function / statement (RLS)     p50 ${(kept.p50 / planned.p50).toFixed(2)}  p95 ${(kept.p95 / planned.p95).toFixed(2)}`);
  } finally {
    if (!keep) {
      say("removing the bench companies");
      await removeMessagingCompanies(sql, companies(sql));
    }
    await sql.end();
    await preparing.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
