// A fake WhatsApp provider on the sending side: builds the payloads Meta's Cloud API, Z-API and
// Evolution post to a webhook (shapes: /work/shared/REFERENCE.md) and posts them to an inbox's
// address the way each provider does — Meta signs the exact bytes with the app secret
// (X-Hub-Signature-256) and writes JSON with non-ASCII and slashes escaped, so a body parsed and
// written again would not match; Z-API sends the instance's Client-Token; Evolution its apikey —
// and retries the very same bytes until it gets a 200, as Meta does for up to 7 days.
import { createHmac, randomUUID } from "node:crypto";

export type SenderInbox =
  | { provider: "meta_cloud"; inboxId: string; appSecret: string; phoneNumberId: string; verifyToken?: string }
  | { provider: "zapi"; inboxId: string; clientToken: string; instanceId: string }
  | { provider: "evolution"; inboxId: string; apiKey: string; instanceName: string };

export interface Delivery {
  /** The last answer's status (0 when the connection failed). */
  status: number;
  body: string;
  /** Every attempt's status, in order (0 for a connection error). */
  attempts: number[];
}

export interface DeliverOptions {
  /** Waits before each retry after a non-200 (Meta backs off); none: one attempt only. */
  retryDelaysMs?: number[];
  /** Replace the signature or token header with this value (a forged request). */
  forgedSecret?: string;
  /** Leave the signature or token header out. */
  unsigned?: boolean;
  timeoutMs?: number;
}

const providerPath = { meta_cloud: "meta", zapi: "zapi", evolution: "evolution" } as const;

/** The address a provider is told to post to for an inbox. */
export function webhookUrl(functionsUrl: string, inbox: SenderInbox): string {
  return `${functionsUrl}/webhooks/${providerPath[inbox.provider]}/${inbox.inboxId}`;
}

/** JSON as Meta writes it: every non-ASCII character and every slash escaped (`\u00e3`, `\/`). */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The body bytes a provider would post for `payload` (a string is sent as it is). */
export function providerBody(inbox: SenderInbox, payload: unknown): string {
  if (typeof payload === "string") return payload;
  return inbox.provider === "meta_cloud" ? metaJson(payload) : JSON.stringify(payload);
}

export function metaSignature(body: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/** The headers the provider sends with `body`. */
export function providerHeaders(inbox: SenderInbox, body: string, options: DeliverOptions = {}): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  switch (inbox.provider) {
    case "meta_cloud":
      headers["user-agent"] = "facebookexternalua";
      if (!options.unsigned) headers["x-hub-signature-256"] = metaSignature(body, options.forgedSecret ?? inbox.appSecret);
      break;
    case "zapi":
      headers["user-agent"] = "axios/1.6.8";
      if (!options.unsigned) headers["client-token"] = options.forgedSecret ?? inbox.clientToken;
      break;
    case "evolution":
      headers["user-agent"] = "axios/1.7.9";
      if (!options.unsigned) headers["apikey"] = options.forgedSecret ?? inbox.apiKey;
      break;
  }
  return headers;
}

/**
 * Posts `payload` to the inbox's webhook as its provider does, and keeps posting the same bytes
 * after a non-200 (or a connection error) while `retryDelaysMs` has waits left.
 */
export async function deliver(functionsUrl: string, inbox: SenderInbox, payload: unknown, options: DeliverOptions = {}): Promise<Delivery> {
  const body = providerBody(inbox, payload);
  const headers = providerHeaders(inbox, body, options);
  const delays = [...(options.retryDelaysMs ?? [])];
  const attempts: number[] = [];
  for (;;) {
    let status = 0;
    let text = "";
    try {
      const answer = await fetch(webhookUrl(functionsUrl, inbox), {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      status = answer.status;
      text = await answer.text();
    } catch (error) {
      text = String(error);
    }
    attempts.push(status);
    if (status === 200 || delays.length === 0) return { status, body: text, attempts };
    await new Promise((resolve) => setTimeout(resolve, delays.shift()));
  }
}

/** Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. */
export async function verifySubscription(functionsUrl: string, inbox: SenderInbox, verifyToken: string, challenge = String(Date.now())) {
  const query = new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": verifyToken, "hub.challenge": challenge });
  const answer = await fetch(`${webhookUrl(functionsUrl, inbox)}?${query}`, { headers: { "user-agent": "facebookplatform/1.0" } });
  return { status: answer.status, body: await answer.text(), challenge };
}

// ─── payloads ─────────────────────────────────────────────────────────────────────────────────
export interface InboundText {
  /** The contact's number as the provider writes it (digits, no +). */
  from: string;
  name?: string;
  text: string;
  /** The provider's message id; a fresh one unless given. */
  id?: string;
  /** Unix seconds; now unless given. */
  timestamp?: number;
  /** Sent from the company's own phone (Z-API / Evolution `fromMe`, Meta's message echoes). */
  fromMe?: boolean;
}

export interface StatusUpdate {
  id: string;
  status: "sent" | "delivered" | "read" | "failed";
  /** The contact the message went to (digits). */
  recipient: string;
  timestamp?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function metaMessageId(): string {
  return `wamid.${Buffer.from(randomUUID()).toString("base64").replace(/=+$/, "")}`;
}

/** A Meta notification: one entry, one `messages` change, with these messages and statuses. */
export function metaPayload(phoneNumberId: string, items: { messages?: InboundText[]; statuses?: StatusUpdate[] }) {
  const messages = (items.messages ?? []).filter((m) => !m.fromMe);
  const echoes = (items.messages ?? []).filter((m) => m.fromMe);
  const metadata = { display_phone_number: "15550001111", phone_number_id: phoneNumberId };
  const changes: unknown[] = [];
  if (messages.length > 0 || items.statuses?.length) {
    changes.push({
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata,
        ...(messages.length > 0
          ? {
            contacts: messages.map((m) => ({ profile: { name: m.name ?? "" }, wa_id: m.from })),
            messages: messages.map((m) => ({
              from: m.from,
              id: m.id ?? metaMessageId(),
              timestamp: String(m.timestamp ?? nowSeconds()),
              type: "text",
              text: { body: m.text },
            })),
          }
          : {}),
        ...(items.statuses?.length
          ? {
            statuses: items.statuses.map((s) => ({
              id: s.id,
              status: s.status,
              timestamp: String(s.timestamp ?? nowSeconds()),
              recipient_id: s.recipient,
              ...(s.status === "failed" ? { errors: [{ code: 131047, title: "Re-engagement message" }] } : {}),
            })),
          }
          : {}),
      },
    });
  }
  if (echoes.length > 0) {
    changes.push({
      field: "smb_message_echoes",
      value: {
        messaging_product: "whatsapp",
        metadata,
        message_echoes: echoes.map((m) => ({
          from: metadata.display_phone_number,
          to: m.from,
          id: m.id ?? metaMessageId(),
          timestamp: String(m.timestamp ?? nowSeconds()),
          type: "text",
          text: { body: m.text },
        })),
      },
    });
  }
  return { object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes }] };
}

export function zapiMessage(instanceId: string, message: InboundText) {
  return {
    isStatusReply: false,
    chatLid: null,
    connectedPhone: "5511900000000",
    waitingMessage: false,
    isEdit: false,
    isGroup: false,
    isNewsletter: false,
    instanceId,
    messageId: message.id ?? randomUUID().replace(/-/g, "").slice(0, 20).toUpperCase(),
    phone: message.from,
    fromMe: message.fromMe ?? false,
    momment: (message.timestamp ?? nowSeconds()) * 1000,
    status: "RECEIVED",
    chatName: message.name ?? message.from,
    senderPhoto: null,
    senderName: message.fromMe ? "Renum Demo" : (message.name ?? message.from),
    participantPhone: null,
    photo: null,
    broadcast: false,
    type: "ReceivedCallback",
    text: { message: message.text },
  };
}

export function zapiGroupMessage(instanceId: string, message: InboundText) {
  return { ...zapiMessage(instanceId, message), isGroup: true, phone: `${message.from}-group`, participantPhone: message.from };
}

export function zapiStatus(instanceId: string, status: StatusUpdate) {
  const names = { sent: "SENT", delivered: "RECEIVED", read: "READ", failed: "FAILED" } as const;
  return {
    instanceId,
    status: names[status.status],
    ids: [status.id],
    momment: (status.timestamp ?? nowSeconds()) * 1000,
    phoneDevice: 0,
    phone: status.recipient,
    type: "MessageStatusCallback",
    isGroup: false,
  };
}

export function evolutionMessage(instanceName: string, message: InboundText) {
  return {
    event: "messages.upsert",
    instance: instanceName,
    data: {
      key: { remoteJid: `${message.from}@s.whatsapp.net`, fromMe: message.fromMe ?? false, id: message.id ?? randomUUID().replace(/-/g, "").slice(0, 32).toUpperCase() },
      pushName: message.fromMe ? "Renum Demo" : (message.name ?? ""),
      status: message.fromMe ? "SERVER_ACK" : "DELIVERY_ACK",
      message: { conversation: message.text },
      messageType: "conversation",
      messageTimestamp: message.timestamp ?? nowSeconds(),
      instanceId: randomUUID(),
      source: "android",
    },
    destination: "https://example.invalid/webhook",
    date_time: new Date().toISOString(),
    sender: "5511900000000@s.whatsapp.net",
    server_url: "https://evolution.example.invalid",
  };
}

export function evolutionGroupMessage(instanceName: string, message: InboundText) {
  const payload = evolutionMessage(instanceName, message);
  payload.data.key.remoteJid = "120363025246125486@g.us";
  return payload;
}

export function evolutionStatus(instanceName: string, status: StatusUpdate) {
  const names = { sent: "SERVER_ACK", delivered: "DELIVERY_ACK", read: "READ", failed: "ERROR" } as const;
  return {
    event: "messages.update",
    instance: instanceName,
    data: {
      messageId: randomUUID(),
      keyId: status.id,
      remoteJid: `${status.recipient}@s.whatsapp.net`,
      fromMe: true,
      participant: null,
      status: names[status.status],
      instanceId: randomUUID(),
    },
    date_time: new Date().toISOString(),
  };
}

/** One inbound text as `inbox`'s provider would post it. */
export function inboundText(inbox: SenderInbox, message: InboundText): unknown {
  switch (inbox.provider) {
    case "meta_cloud":
      return metaPayload(inbox.phoneNumberId, { messages: [message] });
    case "zapi":
      return zapiMessage(inbox.instanceId, message);
    case "evolution":
      return evolutionMessage(inbox.instanceName, message);
  }
}

/** One status update as `inbox`'s provider would post it. */
export function statusUpdate(inbox: SenderInbox, status: StatusUpdate): unknown {
  switch (inbox.provider) {
    case "meta_cloud":
      return metaPayload(inbox.phoneNumberId, { statuses: [status] });
    case "zapi":
      return zapiStatus(inbox.instanceId, status);
    case "evolution":
      return evolutionStatus(inbox.instanceName, status);
  }
}
