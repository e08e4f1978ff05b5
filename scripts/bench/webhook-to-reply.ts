// How long a contact waits for the bot: a signed Meta POST per conversation (200 conversations,
// one contact each, from concurrent senders) until the fake Meta Cloud API has accepted the team's
// reply (with a debounce of 0 the run started by the webhook drain right after the message's batch
// commits, the executor woken by pg_net, the demo provider at 0 ms, the reply appended in the
// transaction that records the result, the outbound function woken by pg_net to send it). The
// baseline, measured the same way in the same process, is the same POST to an inbox nobody
// answers, until its message is stored: what answering adds on top of recording. Target: p95 < 300 ms. Times are the database's clock
// (the message's created_at) against the sender's, on one machine.
// With --rate R the conversations arrive at R a second, each at its own moment whatever the
// others are doing (as leads write), instead of from senders posting back to back: latency below
// the machine's capacity, where the burst measures the capacity itself (queueing in the engine).
//   tsx scripts/bench/webhook-to-reply.ts --instance work2 [--conversations 200] [--senders 20 | --rate 10]
// (without --instance it purges and starts its own `bench` stack, and stops it at the end.)
import { createWebhookInbox } from "../../tests/fixtures/inboxes.ts";
import { startFakeWhatsAppProviders } from "../fakes/fake-whatsapp-providers.ts";
import { inboundText, type SenderInbox } from "../fakes/whatsapp-sender.ts";
import { line, openBenchStack, option, pause, say, seedAgents, seedCompany, seedTeam, summarize, warmExecutor } from "./engine-bench-support.ts";
import { postEvent, runSenders } from "./webhook-bench-support.ts";
import type { Sql } from "./engine-bench-support.ts";

const conversations = Number(option("--conversations", "200"));
const senders = Number(option("--senders", "20"));
const rate = Number(option("--rate", "0"));
const arrivalsLabel = rate > 0 ? `${rate} a second` : `${senders} senders`;

const stack = await openBenchStack(8);
const company = await seedCompany(stack.sql, "webhook-to-reply");
const [agentId] = await seedAgents(stack.sql, company, [{ name: "Receptionist", config: { latency_ms: 0, reply: "Olá! Recebemos: {input}" } }]);
const teamId = await seedTeam(stack.sql, company, { name: "Front desk", workflow: "sequential", agentIds: [agentId] });
const answered = await createWebhookInbox(stack.sql, company.tenantId, "meta_cloud");
// The stack's outbound function sends to the kept WhatsApp address, where this fake listens.
const acceptedAt = new Map<string, number>();
const provider = await startFakeWhatsAppProviders({
  atStackAddress: true,
  onAccepted: (message) => {
    const phone = message.to.replace(/\D/g, "");
    if (!acceptedAt.has(phone)) acceptedAt.set(phone, Date.now());
  },
});
if (answered.provider !== "meta_cloud" || !answered.accessToken) throw new Error("a Meta inbox with its access token was expected");
provider.meta({ phoneNumberId: answered.phoneNumberId, accessToken: answered.accessToken });
const silent = await createWebhookInbox(stack.sql, company.tenantId, "meta_cloud");
await stack.sql`
  insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms)
  values (${company.tenantId}, ${answered.inboxId}, ${teamId}, 0), (${company.tenantId}, ${silent.inboxId}, null, 0)`;

let serial = 0;
const contact = () => `55119${String(20_000_000 + serial++).padStart(8, "0")}`;

/** Posts one message per new contact to `inbox`; per conversation, when the POST started (epoch ms) and its status. */
async function post(inbox: SenderInbox, count: number): Promise<{ phone: string; startedAt: number; status: number }[]> {
  const sent: { phone: string; startedAt: number; status: number }[] = [];
  const postOne = async () => {
    const phone = contact();
    const startedAt = Date.now();
    const status = await postEvent(stack, inbox, inboundText(inbox, { from: phone, name: "Bench contact", text: `Quanto custa? ${phone}` }));
    sent.push({ phone, startedAt, status });
    return status;
  };
  if (rate <= 0) {
    await runSenders(senders, (n) => n >= count, postOne);
    return sent;
  }
  // Open loop: the n-th conversation starts at n / rate seconds, even while earlier ones are still posting.
  const start = Date.now();
  await Promise.all(Array.from({ length: count }, async (_, n) => {
    await pause(Math.max(0, start + (n * 1000) / rate - Date.now()));
    await postOne();
  }));
  return sent;
}

/** Waits until each contact's conversation has a message of `direction`; epoch ms of the first one, per phone. */
async function arrivals(sql: Sql, inboxId: string, direction: "in" | "out", count: number): Promise<Map<string, number>> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const rows = await sql<{ phone: string; at: Date }[]>`
      select ct.phone, min(m.created_at) as at from public.messages m
      join public.contacts ct on ct.id = m.contact_id
      where m.inbox_id = ${inboxId} and m.direction = ${direction}
      group by ct.phone`;
    if (rows.length >= count) return new Map(rows.map((row) => [row.phone.slice(1), row.at.getTime()]));
    if (Date.now() > deadline) throw new Error(`${rows.length} of ${count} conversations have a message ${direction} after 300 s`);
    await pause(50);
  }
}

/** Waits until the fake Meta API has accepted a reply to each phone. */
async function untilAccepted(phones: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (phones.some((phone) => !acceptedAt.has(phone))) {
    if (Date.now() > deadline) throw new Error(`${phones.filter((phone) => acceptedAt.has(phone)).length} of ${phones.length} replies reached the fake Meta API after 120 s`);
    await pause(20);
  }
}

function latencies(sent: { phone: string; startedAt: number }[], at: Map<string, number>): number[] {
  return sent.map((message) => (at.get(message.phone) ?? Number.NaN) - message.startedAt);
}

try {
  await warmExecutor(stack);
  say("warming up: 10 conversations of each kind");
  await post(silent, 10);
  const warm = await post(answered, 10);
  await arrivals(stack.sql, answered.inboxId, "out", warm.length);
  await untilAccepted(warm.map((message) => message.phone));

  say(`baseline: ${conversations} conversations to an inbox nobody answers, until each message is stored (${arrivalsLabel})`);
  const stored = await post(silent, conversations);
  const storedAt = await arrivals(stack.sql, silent.inboxId, "in", conversations + 10);
  const baseline = summarize(latencies(stored, storedAt));

  say(`replies: ${conversations} conversations to the answered inbox, until each has the bot's reply (${arrivalsLabel})`);
  const started = Date.now();
  const asked = await post(answered, conversations);
  const repliedAt = await arrivals(stack.sql, answered.inboxId, "out", conversations + 10);
  await untilAccepted(asked.map((message) => message.phone));
  const seconds = (Math.max(...asked.map((message) => acceptedAt.get(message.phone) ?? 0)) - started) / 1000;
  const queued = summarize(latencies(asked, repliedAt));
  const replies = summarize(latencies(asked, acceptedAt));
  const sending = summarize(asked.map((message) => (acceptedAt.get(message.phone) ?? Number.NaN) - (repliedAt.get(message.phone) ?? Number.NaN)));

  const [{ duplicates }] = await stack.sql<{ duplicates: number }[]>`
    select count(*)::int as duplicates from (
      select conversation_id from public.messages where inbox_id = ${answered.inboxId} and direction = 'out'
      group by conversation_id having count(*) > 1) d`;
  // Where the time goes, per reply: ingest → run created, run created → its step claimed by a worker,
  // the step's call, the step's end → the reply appended (the database's clock throughout).
  const phases = await stack.sql<{ phase: string; p50: number; p95: number }[]>`
    with parts as (
      select extract(epoch from e.created_at - m.created_at) * 1000 as ingest_to_run,
             extract(epoch from s.started_at - e.created_at) * 1000 as run_to_claim,
             extract(epoch from s.finished_at - s.started_at) * 1000 as call,
             extract(epoch from r.created_at - s.finished_at) * 1000 as result_to_reply
      from public.messages r
      join public.executions e on e.id = r.execution_id
      join public.execution_steps s on s.execution_id = e.id
      join public.messages m on m.conversation_id = r.conversation_id and m.message_index = 1
      where r.inbox_id = ${answered.inboxId} and r.direction = 'out')
    select phase, percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95
    from parts cross join lateral (values (1, 'webhook stored → run created', ingest_to_run), (2, 'run created → step claimed', run_to_claim),
                                          (3, 'step claimed → result recorded', call), (4, 'result → reply appended', result_to_reply)) v (n, phase, ms)
    group by n, phase order by n`;
  const failed = [...stored, ...asked].filter((message) => message.status !== 200).length;
  console.log("");
  console.log(line("webhook → message stored (baseline)", baseline));
  console.log(line("webhook → reply accepted by the fake Meta API", replies) + `  ${(conversations / seconds).toFixed(1)} replies/s`);
  console.log(line("webhook → reply queued in the conversation", queued));
  console.log(`ratio reply / stored: p50 ${(replies.p50 / baseline.p50).toFixed(2)}x, p95 ${(replies.p95 / baseline.p95).toFixed(2)}x`);
  for (const phase of phases) console.log(`  ${phase.phase.padEnd(36)} p50 ${phase.p50.toFixed(1)} ms  p95 ${phase.p95.toFixed(1)} ms`);
  console.log(`  ${"reply appended → accepted by Meta".padEnd(36)} p50 ${sending.p50.toFixed(1)} ms  p95 ${sending.p95.toFixed(1)} ms`);
  console.log(`target p95 < 300 ms: ${replies.p95 < 300 ? "met" : "NOT met"}; non-200 answers: ${failed}; conversations with more than one reply: ${duplicates}`);
} finally {
  await stack.sql`delete from public.tenants where id = ${company.tenantId}`;
  await stack.sql`delete from auth.users where id = ${company.ownerId}`;
  await provider.close();
  await stack.close();
}
