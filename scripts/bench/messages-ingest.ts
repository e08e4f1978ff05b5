// SQL ingest of messages in batches, as a backfill or a burst of webhooks lands them: batches of
// `INSERT INTO public.messages … SELECT` (default 1,000 rows each) into a running stack, measured
// three ways in alternating rounds so the machine's noise hits each alike:
//   consumption on    the consumption trigger (statement level, transition table) keeps
//                     consumption_inbox_daily exact; broadcasts off — the target is for this way
//   consumption off   the same inserts without it: the baseline the ratio is against
//   production        every trigger on, also the message_created broadcasts (two realtime rows per
//                     message; the local stack's realtime.messages adds a pg_notify trigger per row
//                     that hosted Supabase does not have, so this way is slower here than there)
// Prints rows/s per way (median of the rounds), the on/off ratio, and checks afterwards that the
// consumption rows equal the messages inserted with the trigger on. Target: ≥ 10,000 rows/s with
// the consumption trigger on. On a shared machine rows/s follows the machine's load (the same code
// measured 5.9k and 18.8k rows/s at load averages ~7 and ~3), so the bench also prints the CPU time
// the database backend spent per 1,000 rows (from /proc, when the stack runs on this machine),
// which the load barely moves.
//   npx tsx scripts/bench/messages-ingest.ts [--instance bench] [--batch 1000] [--batches 40] [--rounds 3] [--keep]
// The stack must be running (`npx tsx scripts/stack/cli.ts up --instance <name>`); the bench adds
// its own companies and removes them at the end (--keep leaves them).
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const batchSize = Number(option("--batch", "1000"));
const batches = Number(option("--batches", "40"));
const rounds = Number(option("--rounds", "3"));
const keep = process.argv.includes("--keep");
const tenantCount = 20;
const inboxesPerTenant = 5;
const conversationsPerInbox = 20;
const target = 10_000;
const say = (line: string) => console.log(`bench: ${line}`);

type Way = "consumption on" | "consumption off" | "production";
const triggersOff: Record<Way, string[]> = {
  "consumption on": ["messages_broadcast_created"],
  "consumption off": ["messages_count_consumption", "messages_broadcast_created"],
  production: [],
};

/** CPU milliseconds (user + system) the backend `pid` has used, or null when it is not on this machine. */
function backendCpuMs(pid: number): number | null {
  try {
    // A pid of another machine (or of a container's namespace) may name some other process here.
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("postgres")) return null;
    // Fields after the command name; utime and stime are the 14th and 15th, in clock ticks (USER_HZ, 100 on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function seed(sql: postgres.Sql): Promise<void> {
  await sql`
    insert into public.tenants (name, slug, plan)
    select 'Ingest ' || t, 'bench-ingest-' || t, 'pro' from generate_series(1, ${tenantCount}) t`;
  await sql`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    select t.id, 'zapi', 'Inbox ' || i, t.slug || '-' || i
    from public.tenants t cross join generate_series(1, ${inboxesPerTenant}) i where t.slug like 'bench-ingest-%'`;
  await sql`
    insert into public.contacts (tenant_id, phone)
    select i.tenant_id, '+55119' || lpad((row_number() over ())::text, 8, '0')
    from public.inboxes i cross join generate_series(1, ${conversationsPerInbox}) c
    where i.zapi_instance_id like 'bench-ingest-%'`;
  await sql`
    insert into public.conversations (tenant_id, inbox_id, contact_id)
    select i.tenant_id, i.id, c.id
    from (select i.*, row_number() over (partition by i.tenant_id order by i.id) as k from public.inboxes i where i.zapi_instance_id like 'bench-ingest-%') i
    join (select c.*, row_number() over (partition by c.tenant_id order by c.id) as k from public.contacts c
          join public.tenants t on t.id = c.tenant_id where t.slug like 'bench-ingest-%') c
      on c.tenant_id = i.tenant_id and (c.k - 1) / ${conversationsPerInbox} + 1 = i.k`;
  await sql`analyze public.conversations`;
}

/** One batch: `batchSize` messages spread over every bench conversation, a third of them replies. */
async function insertBatch(sql: postgres.Sql, batchNumber: number, conversationCount: number): Promise<void> {
  await sql`
    insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status,
                                 provider_message_id, output_tokens, cost_usd)
    select c.tenant_id, c.inbox_id, c.id, c.contact_id, ${batchNumber}::int * ${batchSize}::int + n,
           case when n % 3 = 0 then 'out' else 'in' end::public.message_direction,
           case when n % 3 = 0 then 'assistant' else 'user' end::public.message_role,
           'text', 'Olá, gostaria de saber o preço do plano ' || n, 'received', 'wamid.bench.' || ${batchNumber}::int || '.' || n,
           case when n % 3 = 0 then 120 end, case when n % 3 = 0 then 0.00042 end
    from generate_series(1, ${batchSize}::int) n
    join bench_conversations c on c.k = n % ${conversationCount}::int`;
}

async function main(): Promise<void> {
  const sql = postgres(dbUrl(instance), { max: 1, prepare: false, onnotice: () => {} });
  const results: Record<Way, number[]> = { "consumption on": [], "consumption off": [], production: [] };
  const cpuPerThousand: Record<Way, number[]> = { "consumption on": [], "consumption off": [], production: [] };
  let batchNumber = 0;
  let insertedWithConsumption = 0;
  try {
    say(`seeding ${tenantCount} companies × ${inboxesPerTenant} inboxes × ${conversationsPerInbox} conversations on ${instance.name} (${dbUrl(instance)})`);
    await seed(sql);
    await sql`
      create temporary table bench_conversations as
      select c.*, (row_number() over (order by c.id) - 1)::int as k from public.conversations c
      join public.tenants t on t.id = c.tenant_id where t.slug like 'bench-ingest-%'`;
    await sql`analyze bench_conversations`;
    const conversationCount = tenantCount * inboxesPerTenant * conversationsPerInbox;
    const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    for (let warm = 0; warm < 3; warm++) {
      await insertBatch(sql, batchNumber++, conversationCount);
      insertedWithConsumption += batchSize;
    }
    for (let round = 1; round <= rounds; round++) {
      for (const way of Object.keys(triggersOff) as Way[]) {
        for (const trigger of triggersOff[way]) await sql.unsafe(`alter table public.messages disable trigger ${trigger}`);
        const cpuBefore = backendCpuMs(pid);
        const began = performance.now();
        for (let i = 0; i < batches; i++) await insertBatch(sql, batchNumber++, conversationCount);
        const seconds = (performance.now() - began) / 1000;
        const cpuAfter = backendCpuMs(pid);
        const cpu = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / (batches * batchSize);
        if (cpu !== null) cpuPerThousand[way].push(cpu);
        for (const trigger of triggersOff[way]) await sql.unsafe(`alter table public.messages enable trigger ${trigger}`);
        if (!triggersOff[way].includes("messages_count_consumption")) insertedWithConsumption += batches * batchSize;
        results[way].push((batches * batchSize) / seconds);
        say(`round ${round} ${way.padEnd(15)} ${Math.round((batches * batchSize) / seconds).toLocaleString("en")} rows/s` +
          (cpu === null ? "" : `, backend CPU ${cpu.toFixed(1)} ms per 1,000 rows`));
      }
    }
    const [{ counted }] = await sql<{ counted: number }[]>`
      select coalesce(sum(d.messages_in + d.messages_out), 0)::int as counted
      from public.consumption_inbox_daily d join public.tenants t on t.id = d.tenant_id where t.slug like 'bench-ingest-%'`;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const withConsumption = median(results["consumption on"]);
    const withoutConsumption = median(results["consumption off"]);
    const production = median(results.production);
    const rate = (value: number) => Math.round(value).toLocaleString("en").padStart(9);
    console.log("");
    console.log(`messages ingest, batches of ${batchSize.toLocaleString("en")} rows, ${batches} batches per round, median of ${rounds} rounds`);
    console.log(`  consumption trigger on               ${rate(withConsumption)} rows/s   target ≥ ${target.toLocaleString("en")}: ${withConsumption >= target ? "met" : "NOT met"}`);
    console.log(`  consumption trigger off              ${rate(withoutConsumption)} rows/s`);
    console.log(`  ratio on / off                        ${(withConsumption / withoutConsumption).toFixed(2)}`);
    console.log(`  production (consumption + broadcasts) ${rate(production)} rows/s`);
    if (cpuPerThousand["consumption on"].length === rounds) {
      const cpuOf = (way: Way) => median(cpuPerThousand[way]).toFixed(1).padStart(6);
      console.log(`  backend CPU per 1,000 rows (median): consumption on ${cpuOf("consumption on")} ms, off ${cpuOf("consumption off")} ms, production ${cpuOf("production")} ms`);
    }
    console.log(`  consumption rows count ${counted.toLocaleString("en")} messages; inserted with the trigger on: ${insertedWithConsumption.toLocaleString("en")} — ${counted === insertedWithConsumption ? "exact" : "MISMATCH"}`);
    if (counted !== insertedWithConsumption) process.exitCode = 1;
  } finally {
    if (!keep) {
      say("removing the bench companies");
      await sql`delete from public.tenants where slug like 'bench-ingest-%'`;
      await sql`delete from realtime.messages where event = 'message_created' and payload ->> 'topic' like 'conversation:%'
                and (payload ->> 'inbox_id')::uuid not in (select id from public.inboxes)`;
    }
    await sql.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
