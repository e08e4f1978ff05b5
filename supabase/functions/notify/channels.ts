import { isEgressError } from "../_shared/egress.ts";
import type { FetchLike } from "../_shared/providers/provider.ts";

/**
 * The two platform channels a notification falls back to, with the platform's credentials (never a
 * company's):
 *
 *   sms    Twilio  POST <TWILIO_API_URL>/2010-04-01/Accounts/<sid>/Messages.json   basic auth sid:token
 *                  form-encoded To, From, Body → 201 {sid, status: "queued", ...}
 *                  errors: {code, message, more_info, status} (21211 invalid To, 21610 unsubscribed,
 *                  20003 authentication, 20429 too many requests)
 *   email  Resend  POST <RESEND_API_URL>/emails   Bearer key   {from, to: [..], subject, text}
 *                  → 200 {id}; errors: {statusCode, name, message} (validation_error 422,
 *                  missing_api_key 401, rate_limit_exceeded 429, application_error 500)
 *
 * As for WhatsApp, only the status and the providers' numeric codes or names are read, never
 * their wording, and no redirect is followed.
 */
export interface ChannelSettings {
  twilio: { apiUrl: string; accountSid: string; authToken: string; from: string } | null;
  resend: { apiUrl: string; apiKey: string; from: string } | null;
  requestTimeoutMs: number;
}

export type ChannelFailureCode =
  | "channel_not_configured"
  | "recipient_unreachable"
  | "rate_limited"
  | "provider_unavailable"
  | "provider_timeout"
  | "provider_unreachable"
  | "provider_credentials_invalid"
  | "provider_address_not_allowed"
  | "sms_number_invalid"
  | "sms_recipient_unsubscribed"
  | "email_rejected"
  | "provider_rejected_message";

export interface ChannelFailure {
  code: string;
  message: string;
  http_status: number | null;
}

export type ChannelOutcome = { ok: true; providerId: string } | { ok: false; failure: ChannelFailure };

const words: Record<ChannelFailureCode, string> = {
  channel_not_configured: "This channel is not configured on the platform.",
  recipient_unreachable: "The person has no address for this channel (no phone or e-mail, or no WhatsApp inbox).",
  rate_limited: "The provider asked us to slow down.",
  provider_unavailable: "The provider had an error.",
  provider_timeout: "The provider did not answer in time.",
  provider_unreachable: "Could not reach the provider.",
  provider_credentials_invalid: "The provider refused the platform's credentials.",
  provider_address_not_allowed: "The provider's address is not allowed (an internal address).",
  sms_number_invalid: "The phone number cannot receive SMS.",
  sms_recipient_unsubscribed: "The person replied STOP to our SMS and receives none.",
  email_rejected: "The e-mail provider refused the message (address or content).",
  provider_rejected_message: "The provider refused the message.",
};

export function channelFailure(code: ChannelFailureCode, httpStatus: number | null = null): ChannelFailure {
  return { code, message: words[code], http_status: httpStatus };
}

interface Answer {
  status: number;
  json: Record<string, unknown> | null;
}

async function post(url: string, init: RequestInit, timeoutMs: number, fetchImpl: FetchLike): Promise<Answer | ChannelFailure> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { ...init, method: "POST", redirect: "manual", signal });
    const text = await response.text();
    let json: Record<string, unknown> | null = null;
    try {
      const value = JSON.parse(text);
      json = value && typeof value === "object" && !Array.isArray(value) ? value : null;
    } catch {
      json = null;
    }
    return { status: response.status, json };
  } catch (error) {
    if (isEgressError(error) && error.code !== "host_not_found" && error.code !== "response_too_large") {
      return channelFailure("provider_address_not_allowed");
    }
    const timedOut = signal.aborted || (error instanceof DOMException && ["TimeoutError", "AbortError"].includes(error.name));
    return channelFailure(timedOut ? "provider_timeout" : "provider_unreachable");
  }
}

function commonFailure(status: number): ChannelFailure | null {
  if (status === 429) return channelFailure("rate_limited", status);
  if (status >= 500) return channelFailure("provider_unavailable", status);
  if (status === 401 || status === 403) return channelFailure("provider_credentials_invalid", status);
  return null;
}

export async function sendSms(settings: ChannelSettings, to: string, body: string, fetchImpl: FetchLike): Promise<ChannelOutcome> {
  const twilio = settings.twilio;
  if (!twilio) return { ok: false, failure: channelFailure("channel_not_configured") };
  const url = `${twilio.apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(twilio.accountSid)}/Messages.json`;
  const answer = await post(url, {
    headers: {
      authorization: `Basic ${btoa(`${twilio.accountSid}:${twilio.authToken}`)}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: new URLSearchParams({ To: to, From: twilio.from, Body: body }).toString(),
  }, settings.requestTimeoutMs, fetchImpl);
  if (!("json" in answer)) return { ok: false, failure: answer };
  if (answer.status >= 200 && answer.status < 300) {
    const sid = typeof answer.json?.sid === "string" ? answer.json.sid : `unknown:${crypto.randomUUID()}`;
    return { ok: true, providerId: sid };
  }
  const code = typeof answer.json?.code === "number" ? answer.json.code : null;
  if (code === 20429) return { ok: false, failure: channelFailure("rate_limited", answer.status) };
  if (code === 20003) return { ok: false, failure: channelFailure("provider_credentials_invalid", answer.status) };
  const common = commonFailure(answer.status);
  if (common) return { ok: false, failure: common };
  if (code === 21211 || code === 21614 || code === 21408) return { ok: false, failure: channelFailure("sms_number_invalid", answer.status) };
  if (code === 21610) return { ok: false, failure: channelFailure("sms_recipient_unsubscribed", answer.status) };
  return { ok: false, failure: channelFailure("provider_rejected_message", answer.status) };
}

export async function sendEmail(
  settings: ChannelSettings,
  to: string,
  subject: string,
  text: string,
  fetchImpl: FetchLike,
): Promise<ChannelOutcome> {
  const resend = settings.resend;
  if (!resend) return { ok: false, failure: channelFailure("channel_not_configured") };
  const answer = await post(`${resend.apiUrl.replace(/\/+$/, "")}/emails`, {
    headers: { authorization: `Bearer ${resend.apiKey}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ from: resend.from, to: [to], subject, text }),
  }, settings.requestTimeoutMs, fetchImpl);
  if (!("json" in answer)) return { ok: false, failure: answer };
  if (answer.status >= 200 && answer.status < 300) {
    const id = typeof answer.json?.id === "string" ? answer.json.id : `unknown:${crypto.randomUUID()}`;
    return { ok: true, providerId: id };
  }
  const common = commonFailure(answer.status);
  if (common) return { ok: false, failure: common };
  return { ok: false, failure: channelFailure(answer.status === 422 || answer.status === 400 ? "email_rejected" : "provider_rejected_message", answer.status) };
}
