import { isEgressError } from "./egress.ts";
import type { FetchLike } from "./providers/provider.ts";
import { metaTemplateComponents, type TemplateToSend } from "./meta-template-components.ts";
import type { InboxProvider } from "./schemas/inboxes.ts";

/**
 * One message sent through an inbox's provider, and its answer in our words:
 *
 *   meta_cloud  POST <graph>/<phone_number_id>/messages          Bearer access token
 *               {messaging_product:"whatsapp", recipient_type:"individual", to, type:"text", text:{preview_url:false, body}}
 *               or a message template (allowed outside the 24-hour window):
 *               {..., type:"template", template:{name, language:{code}, components:[header, body and
 *                button parameters: meta-template-components.ts]}}
 *               → {messages:[{id}]}
 *   zapi        POST <zapi>/instances/<id>/token/<instance token>/send-text   Client-Token header
 *               {phone, message} → {zaapId, messageId, id}
 *   evolution   POST <base>/message/sendText/<instance name>      apikey header
 *               {number, text} → {key:{id}, ...}
 *
 * Retryable: 429, 5xx, a timeout, a connection that failed. Everything else is final, with a code
 * a person understands. A provider's error text may quote the credential it was sent, so only its
 * status and numeric codes are read, never passed on. Redirects are not followed (secrets go to the
 * one URL).
 */
export interface SendTarget {
  provider: InboxProvider;
  meta_phone_number_id: string | null;
  zapi_instance_id: string | null;
  evolution_instance_name: string | null;
  evolution_base_url: string | null;
}

export interface SendSecrets {
  meta_access_token?: string;
  zapi_instance_token?: string;
  zapi_client_token?: string;
  evolution_api_key?: string;
}

export interface SendEndpoints {
  /** The Graph API with its version (WHATSAPP_GRAPH_URL). */
  whatsappGraph: string;
  /** Z-API's base (ZAPI_BASE_URL). */
  zapi: string;
  requestTimeoutMs: number;
}

export type SendFailureCode =
  | "rate_limited"
  | "provider_unavailable"
  | "provider_timeout"
  | "provider_unreachable"
  | "provider_credentials_invalid"
  | "provider_permission_denied"
  | "recipient_not_on_whatsapp"
  | "outside_customer_window"
  | "provider_instance_not_found"
  | "provider_address_not_allowed"
  | "provider_rejected_message"
  | "provider_answer_unreadable"
  | "template_not_found"
  | "template_parameter_count_mismatch"
  | "template_paused"
  | "template_disabled"
  | "template_parameter_format_mismatch";

export type { TemplateToSend } from "./meta-template-components.ts";

export interface SendFailure {
  code: SendFailureCode;
  message: string;
  /** The provider's HTTP status (null when none came). */
  http_status: number | null;
}

export type SendOutcome =
  | { ok: true; providerMessageId: string }
  | { ok: false; retryable: boolean; failure: SendFailure; retryAfterSeconds: number | null };

const failureWords: Record<SendFailureCode, string> = {
  rate_limited: "The provider asked us to slow down; the message is sent again shortly.",
  provider_unavailable: "The provider had an error; the message is sent again shortly.",
  provider_timeout: "The provider did not answer in time.",
  provider_unreachable: "Could not reach the provider.",
  provider_credentials_invalid: "The provider refused the inbox's token or key: it expired or was revoked. Update it in the inbox's settings.",
  provider_permission_denied: "The provider's token has no permission to send from this number.",
  recipient_not_on_whatsapp: "This phone number is not on WhatsApp.",
  outside_customer_window:
    "The contact has not written in the last 24 hours: WhatsApp only lets a business answer within 24 hours of the contact's last message.",
  provider_instance_not_found: "The provider does not know this number's instance: check the inbox's settings.",
  provider_address_not_allowed: "The provider's address is not allowed (an internal address).",
  provider_rejected_message: "The provider refused the message.",
  provider_answer_unreadable: "The provider accepted the request but its answer could not be read.",
  template_not_found: "Meta does not know this template in this language (it was deleted or renamed): sync the number's templates.",
  template_parameter_count_mismatch: "Meta expects a different number of parameters for this template: sync the number's templates.",
  template_paused: "Meta paused this template (its quality dropped); use another one.",
  template_disabled: "Meta disabled this template; use another one.",
  template_parameter_format_mismatch: "Meta expects other kinds of values for this template (its header or buttons changed): sync the number's templates.",
};

export function sendFailure(code: SendFailureCode, httpStatus: number | null = null): SendFailure {
  return { code, message: failureWords[code], http_status: httpStatus };
}

export function sendRequest(
  target: SendTarget,
  secrets: SendSecrets,
  endpoints: SendEndpoints,
  to: string,
  body: string,
  template: TemplateToSend | null = null,
): { url: string; headers: Record<string, string>; payload: unknown } {
  const base = (url: string) => url.replace(/\/+$/, "");
  // Each provider takes the number as digits (Meta's wa_id, Z-API's phone, Evolution's number).
  const digits = to.replace(/\D/g, "");
  switch (target.provider) {
    case "meta_cloud":
      return {
        url: `${base(endpoints.whatsappGraph)}/${encodeURIComponent(target.meta_phone_number_id ?? "")}/messages`,
        headers: { authorization: `Bearer ${secrets.meta_access_token ?? ""}` },
        payload: template ? metaTemplatePayload(digits, template) : {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: digits,
          type: "text",
          text: { preview_url: false, body },
        },
      };
    case "zapi":
      return {
        url: `${base(endpoints.zapi)}/instances/${encodeURIComponent(target.zapi_instance_id ?? "")}/token/${
          encodeURIComponent(secrets.zapi_instance_token ?? "")
        }/send-text`,
        headers: { "client-token": secrets.zapi_client_token ?? "" },
        payload: { phone: digits, message: body },
      };
    case "evolution":
      return {
        url: `${base(target.evolution_base_url ?? "")}/message/sendText/${encodeURIComponent(target.evolution_instance_name ?? "")}`,
        headers: { apikey: secrets.evolution_api_key ?? "" },
        payload: { number: digits, text: body },
      };
  }
}

function metaTemplatePayload(to: string, template: TemplateToSend) {
  const components = metaTemplateComponents(template);
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to,
    type: "template",
    template: { name: template.name, language: { code: template.language }, ...(components.length > 0 ? { components } : {}) },
  };
}

export function sendText(
  target: SendTarget,
  secrets: SendSecrets,
  endpoints: SendEndpoints,
  to: string,
  body: string,
  fetchImpl: FetchLike,
): Promise<SendOutcome> {
  return sendMessage(target, secrets, endpoints, to, body, null, fetchImpl);
}

/** A text, or on Meta a template (`body` is then its rendered text, which only Z-API and Evolution would send). */
export async function sendMessage(
  target: SendTarget,
  secrets: SendSecrets,
  endpoints: SendEndpoints,
  to: string,
  body: string,
  template: TemplateToSend | null,
  fetchImpl: FetchLike,
): Promise<SendOutcome> {
  const request = sendRequest(target, secrets, endpoints, to, body, template);
  const signal = AbortSignal.timeout(endpoints.requestTimeoutMs);
  let status: number;
  let retryAfter: string | null;
  let json: Record<string, unknown> | null;
  try {
    const response = await fetchImpl(request.url, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", ...request.headers },
      body: JSON.stringify(request.payload),
      redirect: "manual",
      signal,
    });
    status = response.status;
    retryAfter = response.headers.get("retry-after");
    json = parseObject(await response.text());
  } catch (error) {
    if (isEgressError(error) && error.code !== "host_not_found" && error.code !== "response_too_large") {
      return { ok: false, retryable: false, failure: sendFailure("provider_address_not_allowed"), retryAfterSeconds: null };
    }
    const timedOut = signal.aborted || (error instanceof DOMException && ["TimeoutError", "AbortError"].includes(error.name));
    return { ok: false, retryable: true, failure: sendFailure(timedOut ? "provider_timeout" : "provider_unreachable"), retryAfterSeconds: null };
  }
  if (status >= 200 && status < 300) {
    const id = acceptedMessageId(target.provider, json);
    // Accepted, but without an id we cannot follow its statuses: still sent (never sent twice).
    return { ok: true, providerMessageId: id ?? `unknown:${crypto.randomUUID()}` };
  }
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  if (status === 429) return { ok: false, retryable: true, failure: sendFailure("rate_limited", status), retryAfterSeconds };
  if (status >= 500) return { ok: false, retryable: true, failure: sendFailure("provider_unavailable", status), retryAfterSeconds };
  const code = refusalCode(target.provider, status, json);
  const retryable = code === "rate_limited";
  return { ok: false, retryable, failure: sendFailure(code, status), retryAfterSeconds: retryable ? retryAfterSeconds : null };
}

function acceptedMessageId(provider: InboxProvider, json: Record<string, unknown> | null): string | null {
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 && value.length <= 256 ? value : null);
  switch (provider) {
    case "meta_cloud": {
      const messages = json?.messages;
      return Array.isArray(messages) ? text((messages[0] as Record<string, unknown> | undefined)?.id) : null;
    }
    case "zapi":
      return text(json?.messageId) ?? text(json?.id);
    case "evolution":
      return text((json?.key as Record<string, unknown> | undefined)?.id);
  }
}

// Meta's error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
// 190 expired or invalid token; 10 and 200-299 permissions; 131026 undeliverable (not on
// WhatsApp); 131047 re-engagement (outside the 24-hour window); 4, 80007, 130429, 131048, 131056
// rate limits (retryable even when answered 400); 132001 template name or language unknown,
// 132000 wrong number of parameters, 132012 a parameter of the wrong kind (text for an image header),
// 132015 template paused, 132016 template disabled.
function refusalCode(provider: InboxProvider, status: number, json: Record<string, unknown> | null): SendFailureCode {
  if (provider === "meta_cloud") {
    const error = (json?.error ?? {}) as Record<string, unknown>;
    const code = typeof error.code === "number" ? error.code : null;
    if (code === 190 || status === 401) return "provider_credentials_invalid";
    if (code === 10 || (code !== null && code >= 200 && code <= 299) || status === 403) return "provider_permission_denied";
    if (code === 131026) return "recipient_not_on_whatsapp";
    if (code === 131047) return "outside_customer_window";
    if (code === 132001) return "template_not_found";
    if (code === 132000) return "template_parameter_count_mismatch";
    if (code === 132015) return "template_paused";
    if (code === 132016) return "template_disabled";
    if (code === 132012) return "template_parameter_format_mismatch";
    if (code !== null && [4, 80007, 130429, 131048, 131056].includes(code)) return "rate_limited";
    if (code === 100 && error.error_subcode === 33) return "provider_instance_not_found";
    return "provider_rejected_message";
  }
  if (provider === "zapi") {
    // Z-API answers 400 {error: "Instance not found"} or {error: "Client-Token ... not allowed"}.
    const error = typeof json?.error === "string" ? json.error : "";
    if (/instance not found/i.test(error)) return "provider_instance_not_found";
    if (/client-token/i.test(error) || status === 401 || status === 403) return "provider_credentials_invalid";
    return "provider_rejected_message";
  }
  // Evolution: 401 for a wrong apikey, 404 for an unknown instance, 400 with
  // response.message [{exists: false, number}] for a number that is not on WhatsApp.
  if (status === 401 || status === 403) return "provider_credentials_invalid";
  if (status === 404) return "provider_instance_not_found";
  const details = ((json?.response ?? {}) as Record<string, unknown>).message;
  if (Array.isArray(details) && details.some((item) => item && typeof item === "object" && (item as Record<string, unknown>).exists === false)) {
    return "recipient_not_on_whatsapp";
  }
  return "provider_rejected_message";
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
