// What the webhook benchmarks (webhook-ack.ts, webhook-ingest.ts) share: a company with inboxes of
// each provider seeded as the service side would, closed-loop senders posting through the gateway
// with the fake provider (scripts/fakes/whatsapp-sender.ts), and the health function's round trip
// measured the same way in the same process as the baseline.
import { createWebhookInbox } from "../../tests/fixtures/inboxes.ts";
import { deliver, type SenderInbox } from "../fakes/whatsapp-sender.ts";
import type { BenchStack, Sql } from "./engine-bench-support.ts";

export interface WebhookCompany {
  tenantId: string;
  inboxes: SenderInbox[];
}

/** A company with `perProvider` inboxes of each provider. */
export async function seedWebhookCompany(sql: Sql, label: string, perProvider = 1): Promise<WebhookCompany> {
  const slug = `bench-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const [{ id }] = await sql<{ id: string }[]>`insert into public.tenants (name, slug, plan) values (${`Bench ${label}`}, ${slug}, 'enterprise') returning id`;
  const inboxes: SenderInbox[] = [];
  for (const provider of ["meta_cloud", "zapi", "evolution"] as const) {
    for (let i = 0; i < perProvider; i++) inboxes.push(await createWebhookInbox(sql, id, provider));
  }
  return { tenantId: id, inboxes };
}

/** Waits until none of the company's events is pending (processing has caught up); how long it took, in ms. */
export async function eventsProcessed(sql: Sql, company: WebhookCompany, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [{ pending }] = await sql<{ pending: number }[]>`
      select count(*)::int as pending from public.webhook_events where tenant_id = ${company.tenantId} and status = 'pending'`;
    if (pending === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${pending} events still pending after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Removes the company once its events are processed (deleting it under a drain could deadlock with it). */
export async function removeWebhookCompany(sql: Sql, company: WebhookCompany): Promise<void> {
  await eventsProcessed(sql, company).catch(() => {});
  await sql`delete from public.tenants where id = ${company.tenantId}`;
}

export interface Sample {
  ms: number;
  status: number;
}

/**
 * `senders` closed-loop senders, each sending `next(sender, n)` one after another until `until()`
 * says stop; every request's time and status.
 */
export async function runSenders(senders: number, until: (sent: number) => boolean, send: (sender: number, n: number) => Promise<number>): Promise<Sample[]> {
  const samples: Sample[] = [];
  let sent = 0;
  await Promise.all(Array.from({ length: senders }, async (_, sender) => {
    while (!until(sent)) {
      const n = sent++;
      const started = performance.now();
      const status = await send(sender, n);
      samples.push({ ms: performance.now() - started, status });
    }
  }));
  return samples;
}

/** GET /functions/v1/health: a function that asks the database one question, through the same gateway. */
export async function healthRoundTrip(stack: BenchStack): Promise<number> {
  const answer = await fetch(`${stack.apiUrl}/functions/v1/health`);
  await answer.arrayBuffer();
  return answer.status;
}

/** One provider POST; its status. */
export async function postEvent(stack: BenchStack, inbox: SenderInbox, payload: unknown): Promise<number> {
  return (await deliver(`${stack.apiUrl}/functions/v1`, inbox, payload, { timeoutMs: 60_000 })).status;
}

/** Warms each function's worker (the first request starts its Deno process). */
export async function warmUp(stack: BenchStack, company: WebhookCompany, payload: (inbox: SenderInbox) => unknown): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const statuses = await Promise.all([
      healthRoundTrip(stack).catch(() => 0),
      ...company.inboxes.map((inbox) => postEvent(stack, inbox, payload(inbox)).catch(() => 0)),
    ]);
    if (statuses.every((status) => status === 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the health and webhooks functions did not answer 200 while warming up");
}
