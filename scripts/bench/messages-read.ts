// Reading messages at scale: 1,000 companies, each with one inbox, 20 contacts and their
// conversations, and (default) 10,000,000 messages spread over 12 monthly partitions, then
//   conversation   the last 10 messages of a conversation (by message_index), bounded below by the
//                  conversation's start as the API reads it; the same read unbounded is the baseline
//   tenant         the last 10 messages of a company (by created_at)
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

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const messageCount = Number(option("--messages", "10000000"));
const tenantCount = Number(option("--tenants", "1000"));
const requests = Number(option("--requests", "1000"));
const keep = process.argv.includes("--keep");
const reuse = process.argv.includes("--reuse");
const contactsPerTenant = 20;
const months = 12;
const targetP95Ms = 1;
const say = (line: string) => console.log(`bench: ${line}`);

interface Caller {
  userId: string;
  tenantId: string;
  conversationId: string;
}

const lastOfConversation = (sql: postgres.Sql | postgres.TransactionSql, conversationId: string) => sql`
  select id, message_index, direction, role, type, status, body, created_at
  from public.messages
  where conversation_id = ${conversationId}
    -- As the API reads a thread: never older than the conversation, so earlier months are skipped.
    and created_at >= (select v.created_at from public.conversations v where v.id = ${conversationId})
  order by message_index desc limit 10`;
// The baseline: the same read without the bound, probing every month's index.
const lastOfConversationUnbounded = (sql: postgres.Sql | postgres.TransactionSql, conversationId: string) => sql`
  select id, message_index, direction, role, type, status, body, created_at
  from public.messages where conversation_id = ${conversationId}
  order by message_index desc limit 10`;
const lastOfTenant = (sql: postgres.Sql | postgres.TransactionSql, tenantId: string) => sql`
  select id, conversation_id, message_index, direction, role, type, status, body, created_at
  from public.messages where tenant_id = ${tenantId}
  order by created_at desc limit 10`;

async function seed(sql: postgres.Sql): Promise<void> {
  const perConversation = Math.ceil(messageCount / (tenantCount * contactsPerTenant));
  say(`seeding ${tenantCount} companies × ${contactsPerTenant} conversations × ${perConversation} messages over ${months} months`);
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
           'bench-read-' || n || '@example.test', '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now()
    from generate_series(1, ${tenantCount}) n`;
  await sql`
    insert into public.tenants (name, slug, plan, created_by)
    select 'Leitura ' || n, 'bench-read-' || n, 'pro', u.id
    from generate_series(1, ${tenantCount}) n join auth.users u on u.email = 'bench-read-' || n || '@example.test'`;
  await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select t.id, t.created_by, 'member' from public.tenants t where t.slug like 'bench-read-%'`;
  await sql`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    select t.id, 'zapi', 'WhatsApp', t.slug from public.tenants t where t.slug like 'bench-read-%'`;
  await sql`
    insert into public.contacts (tenant_id, phone, name)
    select t.id, '+55219' || lpad(((substring(t.slug from 'bench-read-(\\d+)')::int - 1) * ${contactsPerTenant} + c)::text, 8, '0'), 'Contato ' || c
    from public.tenants t cross join generate_series(1, ${contactsPerTenant}) c where t.slug like 'bench-read-%'`;
  await sql`
    insert into public.conversations (tenant_id, inbox_id, contact_id, created_at)
    select c.tenant_id, i.id, c.id, date_trunc('month', now()) - make_interval(months => abs(hashtext(c.id::text)) % ${months})
    from public.contacts c join public.inboxes i on i.tenant_id = c.tenant_id
    join public.tenants t on t.id = c.tenant_id where t.slug like 'bench-read-%'`;
  for (let back = months - 1; back >= 0; back--) {
    await sql`select private.ensure_message_partition((date_trunc('month', now()) - make_interval(months => ${back}::int))::date)`;
  }
  // Conversations start in any of the last 12 months; message k of a conversation lands
  // k / perConversation of the way from the conversation's start to now.
  await sql`alter table public.messages disable trigger user`;
  try {
    const tenantsPerStatement = Math.max(1, Math.floor(200_000 / (contactsPerTenant * perConversation)));
    const began = performance.now();
    for (let from = 1; from <= tenantCount; from += tenantsPerStatement) {
      await sql`
        insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status,
                                     provider_message_id, created_at)
        select v.tenant_id, v.inbox_id, v.id, v.contact_id, k,
               case when k % 2 = 0 then 'out' else 'in' end::public.message_direction,
               case when k % 2 = 0 then 'assistant' else 'user' end::public.message_role,
               'text', 'Mensagem ' || k || ' da conversa', case when k % 2 = 0 then 'read' else 'received' end::public.message_status,
               'wamid.read.' || v.id || '.' || k,
               to_timestamp(extract(epoch from v.created_at) + (extract(epoch from now()) - extract(epoch from v.created_at) - 60) * k / ${perConversation}::int)
        from public.conversations v
        join public.tenants t on t.id = v.tenant_id
        cross join generate_series(1, ${perConversation}::int) k
        where t.slug like 'bench-read-%'
          and substring(t.slug from 'bench-read-(\\d+)')::int between ${from}::int and ${from + tenantsPerStatement - 1}::int`;
      const done = Math.min(tenantCount, from + tenantsPerStatement - 1);
      if (done % 100 < tenantsPerStatement) {
        const seconds = (performance.now() - began) / 1000;
        say(`  ${done} companies, ${(done * contactsPerTenant * perConversation).toLocaleString("en")} messages, ${seconds.toFixed(0)} s`);
      }
    }
    await sql`
      update public.conversations v set last_message_index = ${perConversation}::int, last_message_at = now()
      from public.tenants t where t.id = v.tenant_id and t.slug like 'bench-read-%'`;
  } finally {
    await sql`alter table public.messages enable trigger user`;
  }
  say("analyzing");
  await sql`analyze public.messages`;
  await sql`vacuum analyze public.conversations, public.memberships, public.tenants`;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
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

async function explainAsMember(sql: postgres.Sql, caller: Caller, statement: string, parameter: string): Promise<string> {
  return withUserTransaction(sql, claimsOf(caller), async (tx) => {
    const plan = await tx.unsafe(`explain (analyze, buffers, costs off, summary on) ${statement}`, [parameter]);
    return plan.map((row) => row["QUERY PLAN"]).join("\n");
  });
}

async function main(): Promise<void> {
  const sql = postgres(dbUrl(instance), { max: 2, prepare: false, onnotice: () => {} });
  try {
    if (!reuse) await seed(sql);
    const [counts] = await sql<{ messages: string; partitions: number; tenants: number }[]>`
      select (select count(*) from public.messages m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-read-%')::text as messages,
             (select count(*)::int from pg_inherits where inhparent = 'public.messages'::regclass) as partitions,
             (select count(*)::int from public.tenants where slug like 'bench-read-%') as tenants`;
    say(`measuring over ${Number(counts.messages).toLocaleString("en")} messages, ${counts.partitions} partitions (default included), ${counts.tenants} companies`);
    const callers = await sql<Caller[]>`
      select m.user_id as "userId", m.tenant_id as "tenantId",
             (select v.id from public.conversations v where v.tenant_id = m.tenant_id order by random() limit 1) as "conversationId"
      from public.memberships m join public.tenants t on t.id = m.tenant_id where t.slug like 'bench-read-%'
      order by random() limit 500`;

    const results = [
      await measure("conversation, member (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfConversation(tx, caller.conversationId))),
      await measure("conversation, owner (no RLS)", callers, (caller) => asOwner(sql, () => lastOfConversation(sql, caller.conversationId))),
      await measure("conversation, unbounded (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfConversationUnbounded(tx, caller.conversationId))),
      await measure("tenant, member (RLS)", callers, (caller) => asMember(sql, caller, (tx) => lastOfTenant(tx, caller.tenantId))),
      await measure("tenant, owner (no RLS)", callers, (caller) => asOwner(sql, () => lastOfTenant(sql, caller.tenantId))),
    ];
    const probe = callers[0];
    console.log("\nplan: last 10 messages of a conversation, as the member (RLS)");
    console.log(await explainAsMember(sql, probe, "select id, message_index, direction, role, type, status, body, created_at from public.messages where conversation_id = $1 and created_at >= (select v.created_at from public.conversations v where v.id = $1) order by message_index desc limit 10", probe.conversationId));
    console.log("\nplan: last 10 messages of a company, as the member (RLS)");
    console.log(await explainAsMember(sql, probe, "select id, conversation_id, message_index, direction, role, type, status, body, created_at from public.messages where tenant_id = $1 order by created_at desc limit 10", probe.tenantId));
    console.log(`\nlast 10 messages, ${Number(counts.messages).toLocaleString("en")} messages, ${requests} sequential statements each (ms)`);
    for (const result of results) {
      const verdict = result.name.includes("RLS)") && !result.name.includes("no RLS") ? `  target p95 < ${targetP95Ms} ms: ${result.p95 < targetP95Ms ? "met" : "NOT met"}` : "";
      console.log(`  ${result.name.padEnd(30)} p50 ${result.p50.toFixed(3).padStart(7)}  p95 ${result.p95.toFixed(3).padStart(7)}${verdict}`);
    }
    const [bounded, , unbounded] = results;
    console.log(`  bounded / unbounded (RLS)      p50 ${(bounded.p50 / unbounded.p50).toFixed(2)}  p95 ${(bounded.p95 / unbounded.p95).toFixed(2)}`);
  } finally {
    if (!keep) {
      say("removing the bench companies");
      await sql`alter table public.messages disable trigger user`;
      await sql`delete from public.messages m using public.tenants t where t.id = m.tenant_id and t.slug like 'bench-read-%'`;
      await sql`alter table public.messages enable trigger user`;
      await sql`delete from public.tenants where slug like 'bench-read-%'`;
      await sql`delete from auth.users where email like 'bench-read-%@example.test'`;
    }
    await sql.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
