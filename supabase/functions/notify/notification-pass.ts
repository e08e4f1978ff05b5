import type { Sql } from "../_shared/db.ts";
import type { FetchLike } from "../_shared/providers/provider.ts";
import type { InboxProvider } from "../_shared/schemas/inboxes.ts";
import { withServiceTransaction } from "../_shared/user-transaction.ts";
import { type SendEndpoints, type SendSecrets, sendText } from "../_shared/whatsapp-send.ts";
import { type ChannelFailure, channelFailure, type ChannelOutcome, type ChannelSettings, sendEmail, sendSms } from "./channels.ts";
import { type NotificationEvent, notificationText } from "./texts.ts";

type Channel = "whatsapp" | "sms" | "email";

/** A notification as private.claim_notifications leases it. */
interface ClaimedNotification {
  notification_id: string;
  tenant_id: string;
  event: NotificationEvent;
  payload: Record<string, unknown>;
  locale: string;
  to_phone: string | null;
  to_email: string | null;
  channels: Channel[];
  channel_index: number;
  inbox_id: string | null;
  provider: InboxProvider | null;
  meta_phone_number_id: string | null;
  zapi_instance_id: string | null;
  evolution_instance_name: string | null;
  evolution_base_url: string | null;
  tenant_name: string;
}

export interface NotificationPassOptions {
  sql: Sql;
  worker: string;
  whatsapp: SendEndpoints;
  channels: ChannelSettings;
  fetchImpl: FetchLike;
  leaseSeconds: number;
  claimBatch: number;
  /** Exit after this long with nothing to claim. */
  idleExitMs: number;
  pollMs: number;
  /** Stop claiming after this long; the watchdog wakes a new pass for what is left. */
  budgetMs: number;
  log: (entry: Record<string, unknown>) => void;
}

export interface NotificationPassSummary {
  sent: number;
  dead: number;
  attempts: number;
  lost: number;
}

const sendSecretKinds: Record<InboxProvider, (keyof SendSecrets)[]> = {
  meta_cloud: ["meta_access_token"],
  zapi: ["zapi_instance_token", "zapi_client_token"],
  evolution: ["evolution_api_key"],
};

/**
 * One worker's pass: claims due notifications, and for each tries its channels from the next one
 * on, recording every attempt (committed before the next channel is tried, so a channel is never
 * tried twice), until one accepts or none is left. Ends when idle or out of budget.
 */
export async function runNotificationPass(options: NotificationPassOptions): Promise<NotificationPassSummary> {
  const summary: NotificationPassSummary = { sent: 0, dead: 0, attempts: 0, lost: 0 };
  const secrets = new Map<string, Promise<SendSecrets>>();
  const deadline = Date.now() + options.budgetMs;
  let lastWorkAt = Date.now();
  while (Date.now() < deadline) {
    const jobs = await withServiceTransaction(options.sql, async (tx) => [
      ...await tx<ClaimedNotification[]>`
        select * from private.claim_notifications(${options.worker}, ${options.claimBatch}, ${options.leaseSeconds})`,
    ]);
    if (jobs.length === 0) {
      if (Date.now() - lastWorkAt >= options.idleExitMs) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
      continue;
    }
    lastWorkAt = Date.now();
    await Promise.all(jobs.map((job) =>
      deliver(job, options, secrets, summary).catch((error) =>
        options.log({ level: "error", msg: "notification failed unexpectedly", notification_id: job.notification_id, error: String(error) })
      )
    ));
    lastWorkAt = Date.now();
  }
  return summary;
}

async function deliver(
  job: ClaimedNotification,
  options: NotificationPassOptions,
  secretsByInbox: Map<string, Promise<SendSecrets>>,
  summary: NotificationPassSummary,
): Promise<void> {
  const { subject, body } = notificationText(job.event, job.locale, job.payload, job.tenant_name);
  for (let index = job.channel_index; index < job.channels.length; index++) {
    const channel = job.channels[index];
    const outcome = await attempt(channel, job, subject, body, options, secretsByInbox);
    const skipped = !outcome.ok && outcome.failure.code === "recipient_unreachable";
    const [row] = await withServiceTransaction(options.sql, (tx) =>
      tx<{ status: string | null }[]>`
        select private.record_notification_attempt(${job.notification_id}, ${options.worker}, ${channel}::public.notification_channel,
          ${outcome.ok ? "sent" : skipped ? "skipped" : "failed"},
          ${outcome.ok ? null : tx.json(outcome.failure as unknown as Parameters<typeof tx.json>[0])},
          ${outcome.ok ? outcome.providerId : null}, ${options.leaseSeconds}) as status`
    );
    summary.attempts++;
    if (row.status === null) {
      summary.lost++;
      options.log({ level: "warn", msg: "lost the lease of a notification", notification_id: job.notification_id, channel });
      return;
    }
    if (row.status === "sent") {
      summary.sent++;
      return;
    }
    if (row.status === "dead") {
      summary.dead++;
      return;
    }
  }
}

async function attempt(
  channel: Channel,
  job: ClaimedNotification,
  subject: string,
  body: string,
  options: NotificationPassOptions,
  secretsByInbox: Map<string, Promise<SendSecrets>>,
): Promise<ChannelOutcome> {
  const unreachable = { ok: false as const, failure: channelFailure("recipient_unreachable") };
  switch (channel) {
    case "whatsapp": {
      if (!job.to_phone || !job.inbox_id || !job.provider) return unreachable;
      const inboxId = job.inbox_id;
      const provider = job.provider;
      let secrets = secretsByInbox.get(inboxId);
      if (!secrets) {
        secrets = withServiceTransaction(options.sql, async (tx) => {
          const rows = await tx<{ kind: keyof SendSecrets; value: string | null }[]>`
            select k.kind, private.inbox_secret(${inboxId}, k.kind::public.inbox_secret_kind) as value
            from unnest(${sendSecretKinds[provider]}::text[]) as k(kind)`;
          return Object.fromEntries(rows.map((row) => [row.kind, row.value ?? ""])) as SendSecrets;
        });
        secretsByInbox.set(inboxId, secrets);
        secrets.catch(() => secretsByInbox.delete(inboxId));
      }
      const target = { ...job, provider };
      const sent = await sendText(target, await secrets, options.whatsapp, job.to_phone, body, options.fetchImpl);
      return sent.ok ? { ok: true, providerId: sent.providerMessageId } : { ok: false, failure: sent.failure as ChannelFailure };
    }
    case "sms":
      return job.to_phone ? await sendSms(options.channels, job.to_phone, body, options.fetchImpl) : unreachable;
    case "email":
      return job.to_email ? await sendEmail(options.channels, job.to_email, subject, body, options.fetchImpl) : unreachable;
  }
}
