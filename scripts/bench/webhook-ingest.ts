// Sustained ingest over HTTP: closed-loop senders post signed inbound messages (Meta, Z-API and
// Evolution inboxes in turn, 2,000 contacts, 5% of posts a provider's retry of an earlier payload)
// for 60 s through the gateway; then the events are left to be processed, and the messages are
// counted from the database: every accepted message exactly once (lost and duplicated printed),
// events per second accepted (200) and processed. The health function's rate is the baseline.
// Target: ≥ 1,000 events/s, zero lost or duplicated.
//   tsx scripts/bench/webhook-ingest.ts --instance work2 [--seconds 60] [--senders 50]
// (without --instance it purges and starts its own `bench` stack, and stops it at the end.)
import { inboundText, type SenderInbox } from "../fakes/whatsapp-sender.ts";
import { line, openBenchStack, option, say, summarize } from "./engine-bench-support.ts";
import { eventsProcessed, healthRoundTrip, postEvent, removeWebhookCompany, runSenders, seedWebhookCompany, warmUp } from "./webhook-bench-support.ts";

const seconds = Number(option("--seconds", "60"));
const senders = Number(option("--senders", "50"));
const contacts = 2_000;

const stack = await openBenchStack(4);
const company = await seedWebhookCompany(stack.sql, "ingest", 2);
const phone = (n: number) => `55119${String(20_000_000 + (n % contacts)).padStart(8, "0")}`;
const messageId = (n: number) => `bench-${n}`;
try {
  await warmUp(stack, company, (inbox) => inboundText(inbox, { from: phone(0), id: `warm-${inbox.inboxId}`, text: "warm-up" }));
  await stack.sql`delete from public.webhook_events where tenant_id = ${company.tenantId}`;

  say(`baseline: GET /functions/v1/health from ${senders} concurrent senders for 10 s`);
  let started = performance.now();
  const health = await runSenders(senders, () => performance.now() - started > 10_000, () => healthRoundTrip(stack));
  const healthRate = health.length / ((performance.now() - started) / 1000);

  // What was posted, to post a retry of it again later: the same payload object gives the same bytes.
  const posted: { inbox: SenderInbox; payload: unknown; id: string }[] = [];
  const accepted = new Set<string>();
  let retries = 0;
  say(`ingest: ${senders} concurrent senders for ${seconds} s`);
  started = performance.now();
  const samples = await runSenders(senders, () => performance.now() - started > seconds * 1000, async (_, n) => {
    if (posted.length > 100 && n % 20 === 0) {
      retries++;
      const earlier = posted[Math.floor(Math.random() * posted.length)];
      const status = await postEvent(stack, earlier.inbox, earlier.payload);
      if (status === 200) accepted.add(`${earlier.inbox.inboxId}/${earlier.id}`);
      return status;
    }
    const inbox = company.inboxes[n % company.inboxes.length];
    const id = messageId(n);
    const payload = inboundText(inbox, { from: phone(n), id, name: `Contact ${n % contacts}`, text: `ingest bench ${n}` });
    const status = await postEvent(stack, inbox, payload);
    if (status === 200) accepted.add(`${inbox.inboxId}/${id}`);
    if (posted.length < 10_000) posted.push({ inbox, payload, id });
    return status;
  });
  const postSeconds = (performance.now() - started) / 1000;
  const ok = samples.filter((sample) => sample.status === 200).length;

  say("waiting for every event to be processed");
  const drainMs = await eventsProcessed(stack.sql, company);

  const [events] = await stack.sql<{ total: number; processed: number; failed: number; ignored: number; first: Date; last: Date }[]>`
    select count(*)::int as total, count(*) filter (where status = 'processed')::int as processed,
           count(*) filter (where status = 'failed')::int as failed, count(*) filter (where status = 'ignored')::int as ignored,
           min(received_at) as first, max(processed_at) as last
    from public.webhook_events where tenant_id = ${company.tenantId}`;
  const stored = await stack.sql<{ key: string; copies: number }[]>`
    select inbox_id || '/' || provider_message_id as key, count(*)::int as copies
    from public.messages where tenant_id = ${company.tenantId} and provider_message_id like 'bench-%' group by 1`;
  const storedKeys = new Set(stored.map((row) => row.key));
  const lost = [...accepted].filter((key) => !storedKeys.has(key)).length;
  const duplicated = stored.reduce((sum, row) => sum + row.copies - 1, 0);
  const processingSeconds = (events.last.getTime() - events.first.getTime()) / 1000;

  console.log("");
  console.log(line("health (baseline)", summarize(health.map((sample) => sample.ms))) + `  ${healthRate.toFixed(0)} req/s`);
  console.log(line("webhook POST (ack)", summarize(samples.map((sample) => sample.ms))) + `  ${(ok / postSeconds).toFixed(0)} accepted/s`);
  console.log(`posts: ${samples.length} (${retries} retries of earlier payloads), 200: ${ok}, other: ${samples.length - ok}`);
  console.log(`events: ${events.total} stored, ${events.processed} processed, ${events.ignored} ignored, ${events.failed} failed; ` +
    `processed ${(events.total / processingSeconds).toFixed(0)}/s (first received → last processed ${processingSeconds.toFixed(1)} s, ` +
    `${(drainMs / 1000).toFixed(1)} s after the senders stopped)`);
  console.log(`messages: ${stored.length} distinct accepted ${accepted.size}; lost ${lost}, duplicated ${duplicated}`);
  console.log(`ratio accepted/s vs health req/s: ${((ok / postSeconds) / healthRate).toFixed(2)}x; target ≥ 1,000 events/s: ${ok / postSeconds >= 1000 ? "met" : "NOT met"}`);
} finally {
  await removeWebhookCompany(stack.sql, company);
  await stack.close();
}
