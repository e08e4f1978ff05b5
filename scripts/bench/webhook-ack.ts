// How fast a provider gets its 200: 50 concurrent senders post signed inbound messages (Meta,
// Z-API and Evolution in turn) through the gateway, each one a new event that is stored and
// committed before the answer and processed right after it; the baseline is the health function
// (one database question) measured the same way in the same process. Target: p95 < 50 ms.
//   tsx scripts/bench/webhook-ack.ts --instance work2 [--senders 50] [--requests 2000]
// (without --instance it purges and starts its own `bench` stack, and stops it at the end.)
import { inboundText } from "../fakes/whatsapp-sender.ts";
import { line, openBenchStack, option, say, summarize } from "./engine-bench-support.ts";
import { healthRoundTrip, postEvent, removeWebhookCompany, runSenders, seedWebhookCompany, warmUp } from "./webhook-bench-support.ts";

const senders = Number(option("--senders", "50"));
const requests = Number(option("--requests", "2000"));

const stack = await openBenchStack(4);
const company = await seedWebhookCompany(stack.sql, "ack");
const phone = (n: number) => `55119${String(10_000_000 + (n % 5_000)).padStart(8, "0")}`;
try {
  await warmUp(stack, company, (inbox) => inboundText(inbox, { from: phone(0), text: "warm-up" }));

  say(`baseline: ${requests} GET /functions/v1/health from ${senders} concurrent senders`);
  let started = performance.now();
  const health = await runSenders(senders, (sent) => sent >= requests, () => healthRoundTrip(stack));
  const healthSeconds = (performance.now() - started) / 1000;

  say(`webhooks: ${requests} signed POSTs (new events) from ${senders} concurrent senders`);
  started = performance.now();
  const posts = await runSenders(senders, (sent) => sent >= requests, (sender, n) => {
    const inbox = company.inboxes[n % company.inboxes.length];
    return postEvent(stack, inbox, inboundText(inbox, { from: phone(n), name: `Sender ${sender}`, text: `ack bench ${n}` }));
  });
  const postSeconds = (performance.now() - started) / 1000;

  const healthSummary = summarize(health.map((sample) => sample.ms));
  const postSummary = summarize(posts.map((sample) => sample.ms));
  const failed = posts.filter((sample) => sample.status !== 200).length + health.filter((sample) => sample.status !== 200).length;
  console.log("");
  console.log(line("health (baseline)", healthSummary) + `  ${(health.length / healthSeconds).toFixed(0)} req/s`);
  console.log(line("webhook POST, stored before the 200", postSummary) + `  ${(posts.length / postSeconds).toFixed(0)} req/s`);
  console.log(`ratio webhook / health: p50 ${(postSummary.p50 / healthSummary.p50).toFixed(2)}x, p95 ${(postSummary.p95 / healthSummary.p95).toFixed(2)}x`);
  console.log(`target p95 < 50 ms: ${postSummary.p95 < 50 ? "met" : "NOT met"}; non-200 answers: ${failed}`);
} finally {
  await removeWebhookCompany(stack.sql, company);
  await stack.close();
}
