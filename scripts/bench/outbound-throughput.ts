// Outbound delivery throughput: replies appended with private.append_outbound_message (as the
// responder and people append them) in batches, across many conversations of one Meta inbox, until
// the running stack's `outbound` function has delivered them all to the fake Meta Cloud API (at the
// stack's kept WhatsApp address). Measured:
//   outbound     replies per second from the first append to the last arrival at the fake, and the
//                latency of each (its batch's commit → its arrival at the fake), p50 / p95
//   baseline     the same number of sends made straight to the fake from this process (64 at a
//                time): what the fake and the machine allow, the ratio's denominator
// Then checks that every reply arrived exactly once and each conversation's in message_index order.
// Target: ≥ 300 replies/s sustained, in order, none twice.
//   npx tsx scripts/bench/outbound-throughput.ts [--instance bench] [--conversations 100] [--per-conversation 30] [--batch 100] [--keep]
// The stack must be running (`npx tsx scripts/stack/cli.ts up --instance <name>`); the bench adds a
// company and removes it at the end (--keep leaves it).
import postgres from "postgres";
import { type FakeSentMessage, startFakeWhatsAppProviders } from "../fakes/fake-whatsapp-providers.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const conversations = Number(option("--conversations", "100"));
const perConversation = Number(option("--per-conversation", "30"));
const batchSize = Number(option("--batch", "100"));
const keep = process.argv.includes("--keep");
const total = conversations * perConversation;
const target = 300;
const slug = `bench-outbound-${Date.now().toString(36)}`;
const phoneNumberId = String(Date.now()).slice(-12);
const accessToken = `bench-token-${crypto.randomUUID()}`;
const say = (line: string) => console.log(`bench: ${line}`);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function seed(sql: postgres.Sql): Promise<string> {
  const [tenant] = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug, plan) values ('Outbound bench', ${slug}, 'enterprise') returning id`;
  const [inbox] = await sql<{ id: string }[]>`
    insert into public.inboxes (tenant_id, provider, display_name, meta_phone_number_id)
    values (${tenant.id}, 'meta_cloud', 'Bench Meta', ${phoneNumberId}) returning id`;
  await sql`select private.store_inbox_secret(${inbox.id}, 'meta_access_token', ${accessToken})`;
  // Each contact writes first, so Meta's 24-hour window is open.
  await sql`
    select private.record_webhook_message(${inbox.id}, jsonb_build_object(
      'contact_phone', '+55119' || lpad(n::text, 8, '0'), 'contact_name', 'Lead ' || n, 'direction', 'in', 'role', 'user',
      'type', 'text', 'body', 'Oi', 'provider_message_id', ${slug} || '.in.' || n, 'sent_at', now()::text))
    from generate_series(1, ${conversations}::int) n`;
  return tenant.id;
}

/** Straight sends to the fake, 64 at a time: the machine's and the fake's own ceiling. */
async function baseline(graphUrl: string): Promise<number> {
  let next = 0;
  const began = performance.now();
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const answer = await fetch(`${graphUrl}/${phoneNumberId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ messaging_product: "whatsapp", to: `55119${String(n % conversations).padStart(8, "0")}`, type: "text", text: { body: `baseline ${n}` } }),
      });
      await answer.text();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return total / ((performance.now() - began) / 1000);
}

async function main(): Promise<void> {
  process.env.RENUM_STACK = instance.name;
  const arrivals = new Map<string, number>();
  const fake = await startFakeWhatsAppProviders({
    atStackAddress: true,
    onAccepted: (message: FakeSentMessage) => {
      if (message.body.startsWith(`${slug} `)) arrivals.set(message.body, performance.now());
    },
  });
  fake.meta({ phoneNumberId, accessToken });
  const sql = postgres(dbUrl(instance), { max: 4, prepare: false, onnotice: () => {} });
  let tenantId: string | null = null;
  try {
    say(`seeding ${conversations} conversations on ${instance.name}; ${total} replies in batches of ${batchSize}`);
    tenantId = await seed(sql);
    await sql`
      create temporary table bench_conversations as
      select c.id, (row_number() over (order by c.id))::int as k from public.conversations c where c.tenant_id = ${tenantId}`;

    const baselineRate = await baseline(fake.graphUrl);
    fake.sent.length = 0;
    fake.sendAttempts.length = 0;

    // Batch b appends reply number (b*batch .. b*batch+batch-1) in round-robin over the conversations,
    // so each conversation gets its replies in increasing order across batches.
    const committedAt = new Map<string, number>();
    const began = performance.now();
    for (let first = 0; first < total; first += batchSize) {
      const last = Math.min(total, first + batchSize) - 1;
      const rows = await sql<{ body: string }[]>`
        select ${slug} || ' ' || c.k || ' ' || n as body,
               private.append_outbound_message(c.id, 'assistant', ${slug} || ' ' || c.k || ' ' || n) as id
        from generate_series(${first}::int, ${last}::int) n
        join bench_conversations c on c.k = n % ${conversations}::int + 1
        order by n`;
      const now = performance.now();
      for (const row of rows) committedAt.set(row.body, now);
    }
    const appendSeconds = (performance.now() - began) / 1000;
    say(`appended ${total} replies in ${appendSeconds.toFixed(2)} s (${Math.round(total / appendSeconds)}/s); waiting for delivery`);

    const deadline = performance.now() + 300_000;
    while (arrivals.size < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const lastArrival = Math.max(...arrivals.values());
    const seconds = (lastArrival - began) / 1000;
    const rate = total / seconds;
    const latencies = [...arrivals].map(([body, at]) => at - (committedAt.get(body) ?? at));

    // Exactly once, in order per conversation.
    const mine = fake.sent.filter((message) => message.body.startsWith(`${slug} `));
    const twice = mine.length - new Set(mine.map((message) => message.body)).size;
    const lastSeen = new Map<string, number>();
    let outOfOrder = 0;
    for (const message of mine) {
      const [, k, n] = message.body.split(" ");
      if ((lastSeen.get(k) ?? -1) > Number(n)) outOfOrder++;
      lastSeen.set(k, Number(n));
    }
    // Arrival at the provider comes a moment before the commit that marks a reply sent.
    let sent = 0;
    for (const settleBy = performance.now() + 60_000; performance.now() < settleBy; await new Promise((resolve) => setTimeout(resolve, 200))) {
      [{ sent }] = await sql<{ sent: number }[]>`
        select count(*)::int as sent from public.messages where tenant_id = ${tenantId} and direction = 'out' and status = 'sent'`;
      if (sent >= total) break;
    }

    console.log("");
    console.log(`outbound delivery, ${total} replies over ${conversations} conversations (Meta, fake at 0 ms), appended in batches of ${batchSize}`);
    console.log(`  throughput         ${Math.round(rate).toString().padStart(6)} replies/s   target ≥ ${target}: ${rate >= target ? "met" : "NOT met"}`);
    console.log(`  latency p50        ${Math.round(percentile(latencies, 50)).toString().padStart(6)} ms   (batch commit → arrival at the provider)`);
    console.log(`  latency p95        ${Math.round(percentile(latencies, 95)).toString().padStart(6)} ms`);
    console.log(`  baseline           ${Math.round(baselineRate).toString().padStart(6)} sends/s   (straight to the fake, 64 at a time)`);
    console.log(`  ratio              ${(rate / baselineRate).toFixed(2)}   (outbound / baseline)`);
    console.log(`  arrived ${arrivals.size}/${total}, sent twice ${twice}, out of order ${outOfOrder}, marked sent ${sent}`);
    if (arrivals.size !== total || twice > 0 || outOfOrder > 0 || sent !== total) process.exitCode = 1;
  } finally {
    if (!keep && tenantId) {
      say("removing the bench company");
      await sql`delete from public.tenants where id = ${tenantId}`;
    }
    await sql.end();
    await fake.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
