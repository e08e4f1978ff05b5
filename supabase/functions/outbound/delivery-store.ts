import type { Sql } from "../_shared/db.ts";
import type { InboxProvider } from "../_shared/schemas/inboxes.ts";
import { withServiceTransaction } from "../_shared/user-transaction.ts";
import type { SendFailure, SendSecrets, TemplateToSend } from "./provider-send.ts";

/** A job as private.claim_outbound_deliveries leases it to a worker. */
export interface ClaimedDelivery {
  delivery_id: string;
  message_id: string;
  conversation_id: string;
  message_index: number;
  attempts: number;
  parts_sent: number;
  body: string;
  inbox_id: string;
  provider: InboxProvider;
  meta_phone_number_id: string | null;
  zapi_instance_id: string | null;
  evolution_instance_name: string | null;
  evolution_base_url: string | null;
  contact_phone: string;
  customer_window_open: boolean;
  /** A template message's template (metadata.template of the message), null for text. */
  template: (TemplateToSend & { category?: string }) | null;
}

export type Settlement =
  | { outcome: "sent" }
  | { outcome: "retry"; failure: SendFailure; retryAfterSeconds: number | null }
  | { outcome: "failed"; failure: SendFailure };

// Which secrets each provider's send needs (never the webhook-side ones).
const sendSecretKinds: Record<InboxProvider, (keyof SendSecrets)[]> = {
  meta_cloud: ["meta_access_token"],
  zapi: ["zapi_instance_token", "zapi_client_token"],
  evolution: ["evolution_api_key"],
};

/** The queue's SQL functions (20261122001610_outbound_delivery.sql), each in its own service transaction. */
export class DeliveryStore {
  constructor(private readonly sql: Sql, private readonly leaseSeconds: number) {}

  claim(worker: string, maxJobs: number): Promise<ClaimedDelivery[]> {
    return withServiceTransaction(this.sql, async (tx) => [
      ...await tx<ClaimedDelivery[]>`
        select * from private.claim_outbound_deliveries(${worker}, ${maxJobs}, ${this.leaseSeconds})`,
    ]);
  }

  /** The inbox's send secrets, decrypted by the database for the service role only. */
  secrets(inboxId: string, provider: InboxProvider): Promise<SendSecrets> {
    return withServiceTransaction(this.sql, async (tx) => {
      const rows = await tx<{ kind: keyof SendSecrets; value: string | null }[]>`
        select k.kind, private.inbox_secret(${inboxId}, k.kind::public.inbox_secret_kind) as value
        from unnest(${sendSecretKinds[provider]}::text[]) as k(kind)`;
      return Object.fromEntries(rows.map((row) => [row.kind, row.value ?? ""])) as SendSecrets;
    });
  }

  /** False when this worker no longer holds the job (its lease ran out and the reaper took it). */
  recordPart(deliveryId: string, worker: string, partNumber: number, providerMessageId: string): Promise<boolean> {
    return withServiceTransaction(this.sql, async (tx) => {
      const [row] = await tx<{ recorded: boolean }[]>`
        select private.record_outbound_part(${deliveryId}, ${worker}, ${partNumber}, ${providerMessageId}, ${this.leaseSeconds}) as recorded`;
      return row.recorded;
    });
  }

  /**
   * The last part accepted and the job settled sent, in one transaction (one round of commits per
   * reply instead of two). False when this worker no longer holds the job.
   */
  recordLastPartAndSettle(deliveryId: string, worker: string, partNumber: number, providerMessageId: string): Promise<boolean> {
    return withServiceTransaction(this.sql, async (tx) => {
      const [row] = await tx<{ recorded: boolean }[]>`
        select private.record_outbound_part(${deliveryId}, ${worker}, ${partNumber}, ${providerMessageId}, ${this.leaseSeconds}) as recorded`;
      if (!row.recorded) return false;
      const [settled] = await tx<{ settled: boolean }[]>`
        select private.settle_outbound_delivery(${deliveryId}, ${worker}, 'sent') as settled`;
      return settled.settled;
    });
  }

  settle(deliveryId: string, worker: string, settlement: Settlement): Promise<boolean> {
    const failure = settlement.outcome === "sent" ? null : settlement.failure;
    const retryAfter = settlement.outcome === "retry" ? settlement.retryAfterSeconds : null;
    return withServiceTransaction(this.sql, async (tx) => {
      const [row] = await tx<{ settled: boolean }[]>`
        select private.settle_outbound_delivery(${deliveryId}, ${worker}, ${settlement.outcome},
          ${failure === null ? null : tx.json(failure as unknown as Parameters<typeof tx.json>[0])}, ${retryAfter}) as settled`;
      return row.settled;
    });
  }
}
