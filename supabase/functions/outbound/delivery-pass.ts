import { readTemplateValues } from "../_shared/meta-template-components.ts";
import type { FetchLike } from "../_shared/providers/provider.ts";
import type { ClaimedDelivery, DeliveryStore } from "./delivery-store.ts";
import { type SendEndpoints, sendFailure, sendMessage, type SendSecrets, sendText, type TemplateToSend } from "./provider-send.ts";
import { Doorbell } from "./doorbell.ts";
import { splitIntoParts } from "./text-parts.ts";

export interface DeliveryPassOptions {
  store: DeliveryStore;
  worker: string;
  endpoints: SendEndpoints;
  fetchImpl: FetchLike;
  /** Jobs in flight at once (each a different conversation: the claim gives one per conversation). */
  maxInFlight: number;
  /** Claim again once this many jobs settled since the last claim (always while fewer are in flight). */
  claimBatch: number;
  /** Stop claiming after this long; the watchdog wakes a new pass for what is left. */
  budgetMs: number;
  /** Exit after this long with nothing to claim. */
  idleExitMs: number;
  /** How often to look for work while idle (retries come due, new replies). */
  pollMs: number;
  log: (entry: Record<string, unknown>) => void;
}

export interface DeliveryPassSummary {
  sent: number;
  retried: number;
  failed: number;
  /** Jobs whose lease this worker lost before settling (the reaper made them dead letters). */
  lost: number;
}

export interface RunningDeliveryPass {
  readonly worker: string;
  /** Look for work now (a new kick arrived) instead of at the next poll. */
  wake(): void;
  readonly done: Promise<DeliveryPassSummary>;
}

/**
 * One worker's pass over the queue: claims jobs while it has room (each conversation's next reply
 * only, so order holds), sends each through its provider, part by part for long bodies, recording
 * each part's provider id as it is accepted, then settles the job. Ends when idle or out of budget.
 */
export function startDeliveryPass(options: DeliveryPassOptions): RunningDeliveryPass {
  const doorbell = new Doorbell();
  return { worker: options.worker, wake: () => doorbell.ring(), done: runPass(options, doorbell) };
}

async function runPass(options: DeliveryPassOptions, doorbell: Doorbell): Promise<DeliveryPassSummary> {
  const summary: DeliveryPassSummary = { sent: 0, retried: 0, failed: 0, lost: 0 };
  const secrets = new Map<string, Promise<SendSecrets>>();
  const inFlight = new Set<Promise<void>>();
  const deadline = Date.now() + options.budgetMs;
  let lastWorkAt = Date.now();
  let lastClaimAt = 0;
  let settledSinceClaim = 0;

  const canClaim = () => inFlight.size < options.maxInFlight && Date.now() < deadline;

  while (true) {
    // Claim when few are in flight, when a batch's worth settled, at each poll, or on a kick — not
    // after every settled reply, which would spend the database on claims (a conversation's next
    // reply waits at most one batch or one poll).
    const mayClaim = canClaim() && (
      inFlight.size < options.claimBatch || settledSinceClaim >= options.claimBatch || Date.now() - lastClaimAt >= options.pollMs ||
      doorbell.take()
    );
    if (mayClaim) {
      doorbell.take();
      lastClaimAt = Date.now();
      settledSinceClaim = 0;
      const jobs = await options.store.claim(options.worker, options.maxInFlight - inFlight.size);
      for (const job of jobs) {
        const delivery: Promise<void> = deliver(job, options, secrets, summary)
          .catch((error) => options.log({ level: "error", msg: "delivery failed unexpectedly", delivery_id: job.delivery_id, error: String(error) }))
          .finally(() => {
            inFlight.delete(delivery);
            settledSinceClaim++;
          });
        inFlight.add(delivery);
      }
      if (jobs.length > 0) {
        lastWorkAt = Date.now();
        if (inFlight.size < options.claimBatch) continue;
      }
    }
    if (inFlight.size === 0 && (Date.now() >= deadline || Date.now() - lastWorkAt >= options.idleExitMs)) break;
    // Until a job settles (its conversation's next reply may now be claimable), a kick, or the next
    // poll. A kick is answered only with room to claim; with every slot busy it waits for a job.
    await doorbell.wait(options.pollMs, inFlight, canClaim());
  }
  return summary;
}

async function deliver(
  job: ClaimedDelivery,
  options: DeliveryPassOptions,
  secretsByInbox: Map<string, Promise<SendSecrets>>,
  summary: DeliveryPassSummary,
): Promise<void> {
  const { store, worker } = options;
  const settle = async (settlement: Parameters<DeliveryStore["settle"]>[2]) => {
    const held = await store.settle(job.delivery_id, worker, settlement);
    if (!held) summary.lost++;
    else if (settlement.outcome === "sent") summary.sent++;
    else if (settlement.outcome === "retry") summary.retried++;
    else summary.failed++;
  };

  // Meta takes free text only within 24 hours of the contact's last message: fail it, clearly. A
  // template is what Meta allows outside the window.
  const template = job.provider === "meta_cloud" ? templateOf(job) : null;
  if (job.provider === "meta_cloud" && !job.customer_window_open && !template) {
    return settle({ outcome: "failed", failure: sendFailure("outside_customer_window") });
  }
  let secrets = secretsByInbox.get(job.inbox_id);
  if (!secrets) {
    secrets = store.secrets(job.inbox_id, job.provider);
    secretsByInbox.set(job.inbox_id, secrets);
    secrets.catch(() => secretsByInbox.delete(job.inbox_id));
  }
  const inboxSecrets = await secrets;

  // A template is one message whatever its length (Meta renders it); text is cut in parts.
  const parts = template ? [job.body] : splitIntoParts(job.body);
  // Every part was accepted before (a retried dead letter): nothing is sent again.
  if (job.parts_sent >= parts.length) return settle({ outcome: "sent" });
  for (let index = job.parts_sent; index < parts.length; index++) {
    const outcome = template
      ? await sendMessage(job, inboxSecrets, options.endpoints, job.contact_phone, parts[index], template, options.fetchImpl)
      : await sendText(job, inboxSecrets, options.endpoints, job.contact_phone, parts[index], options.fetchImpl);
    if (!outcome.ok) {
      // A refused credential may have been rotated since this pass read it: read it again next time.
      if (outcome.failure.code === "provider_credentials_invalid") secretsByInbox.delete(job.inbox_id);
      return outcome.retryable
        ? settle({ outcome: "retry", failure: outcome.failure, retryAfterSeconds: outcome.retryAfterSeconds })
        : settle({ outcome: "failed", failure: outcome.failure });
    }
    const last = index === parts.length - 1;
    const held = last
      ? await store.recordLastPartAndSettle(job.delivery_id, worker, index + 1, outcome.providerMessageId)
      : await store.recordPart(job.delivery_id, worker, index + 1, outcome.providerMessageId);
    if (!held) {
      summary.lost++;
      options.log({ level: "warn", msg: "lost the lease while sending", delivery_id: job.delivery_id, part: index + 1 });
      return;
    }
    if (last) summary.sent++;
  }
}

/** The job's template as the database wrote it (public.reply_with_template), or null. */
function templateOf(job: ClaimedDelivery): TemplateToSend | null {
  const template = job.template;
  if (!template || typeof template.name !== "string" || typeof template.language !== "string") return null;
  const parameters = Array.isArray(template.parameters) ? template.parameters.filter((value) => typeof value === "string") : [];
  return { name: template.name, language: template.language, parameters, ...readTemplateValues(template) };
}
