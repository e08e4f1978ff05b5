// What every HTTP provider shares: addresses, reading answers with a size limit, Retry-After, and
// turning an error answer into a ProviderError whose message is safe to show.
import { ProviderError, type ProviderName } from "./provider.ts";

export interface ProviderContext {
  /** As a person reads it in a message: "OpenAI-compatible provider", "Anthropic", "Suna". */
  label: string;
  provider: ProviderName;
  /** Removed from every text a provider sends back before it reaches a message. */
  apiKey?: string;
}

const maxAnswerBytes = 16 * 1024 * 1024;
const maxErrorBytes = 64 * 1024;
const maxQuotedChars = 300;

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** `https://api.openai.com` and `https://host/v1` both name the API: the path goes under /v1 once. */
export function v1Url(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, "");
  return /\/v1$/.test(trimmed) ? `${trimmed}/${path}` : `${trimmed}/v1/${path}`;
}

/**
 * How long the provider asked us to wait: `retry-after-ms` (OpenAI), else `retry-after` in seconds
 * or as an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The key, and anything shaped like a key or a bearer token, replaced; then cut to a readable length. */
export function safeQuote(text: string, apiKey?: string): string {
  let result = apiKey && apiKey.length >= 4 ? text.split(apiKey).join("[redacted]") : text;
  result = result
    .replace(/\b(sk|pk|rk)[-_][A-Za-z0-9_*.-]{6,}/g, "[redacted]")
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/\s+/g, " ")
    .trim();
  return result.length > maxQuotedChars ? `${result.slice(0, maxQuotedChars - 1)}…` : result;
}

/** The body as text, refusing answers larger than `limit` bytes (invalid_response). */
export async function readText(response: Response, context: ProviderContext, limit = maxAnswerBytes): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new ProviderError("invalid_response", `${context.label} sent an answer larger than ${limit} bytes`, {
        provider: context.provider,
        status: response.status,
      });
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** The body as JSON; a body that is not JSON is invalid_response (not retryable: it will not change). */
export async function readJson(response: Response, context: ProviderContext): Promise<unknown> {
  const text = await readText(response, context);
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError("invalid_response", `${context.label} answered with something that is not JSON`, {
      provider: context.provider,
      status: response.status,
    });
  }
}

export function invalidResponse(context: ProviderContext, what: string, retryable = false): ProviderError {
  return new ProviderError("invalid_response", `${context.label} sent an answer Renum cannot read: ${what}`, {
    provider: context.provider,
    retryable,
  });
}

export function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : null;
}

export function isTokenCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

interface ErrorDetail {
  code?: string;
  message?: string;
}

const plainCode = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

// The shapes providers answer errors with: OpenAI {error:{message,type,code}}, Anthropic
// {type:"error",error:{type,message}}, FastAPI (Suna) {detail: string | {message, error_code}},
// and the generic {error: "..."} / {code, message}.
function errorDetail(body: string): ErrorDetail {
  let json: Record<string, unknown> | null;
  try {
    json = asRecord(JSON.parse(body));
  } catch {
    return {};
  }
  if (!json) return {};
  const error = asRecord(json.error);
  const detail = asRecord(json.detail);
  const code = [error?.code, error?.type, detail?.error_code, json.code, json.error_code]
    .find((value) => typeof value === "string" && plainCode.test(value)) as string | undefined;
  const message = [error?.message, detail?.message, json.detail, json.message, json.error]
    .find((value) => typeof value === "string" && value.trim() !== "") as string | undefined;
  return { code, message };
}

/**
 * The ProviderError for a non-2xx answer. Auth failures are told in our own words only (providers
 * quote the key they were sent); other refusals quote the provider's message, redacted and cut,
 * because it says what to fix ("model `x` does not exist").
 */
export async function errorFromResponse(response: Response, context: ProviderContext): Promise<ProviderError> {
  const status = response.status;
  let body = "";
  try {
    body = await readText(response, context, maxErrorBytes);
  } catch {
    // An error answer too large or cut short still has its status.
  }
  const { code, message } = errorDetail(body);
  const label = context.label;
  const tag = `HTTP ${status}${code ? `, ${code}` : ""}`;
  const quoted = message ? `: ${safeQuote(message, context.apiKey)}` : "";
  const base = { provider: context.provider, status, code };
  const wait = retryAfterMs(response.headers);

  if (status === 401) return new ProviderError("auth", `${label} refused the API key (${tag})`, base);
  if (status === 403) return new ProviderError("auth", `${label} denied access with this key (${tag})`, base);
  if (status === 429) {
    // OpenAI answers an exhausted account with 429 too; waiting will not bring the money back.
    if (code === "insufficient_quota") {
      return new ProviderError("rate_limited", `${label} says the account has no quota left (${tag})`, {
        ...base,
        retryable: false,
      });
    }
    return new ProviderError("rate_limited", `${label} is rate limiting this key (${tag})`, {
      ...base,
      retryAfterMs: wait,
    });
  }
  if (status === 408) {
    return new ProviderError("timeout", `${label} timed out the request (${tag})`, { ...base, retryAfterMs: wait });
  }
  if (status >= 500) {
    return new ProviderError("server_error", `${label} had an error (${tag})${quoted}`, {
      ...base,
      retryAfterMs: wait,
    });
  }
  if (status >= 300 && status < 400) {
    return new ProviderError("bad_request", `${label} answered with a redirect (${tag}); check its address`, base);
  }
  return new ProviderError("bad_request", `${label} rejected the request (${tag})${quoted}`, base);
}

// ─── agent config ─────────────────────────────────────────────────────────────────────────────

export function configString(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function configNumber(config: Record<string, unknown>, key: string): number | undefined {
  const value = config[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A string or a list of strings (OpenAI's `stop`, Anthropic's `stop_sequences`). */
export function configStrings(config: Record<string, unknown>, key: string): string[] | undefined {
  const value = config[key];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  return undefined;
}

/** A message when a provider needs an address it was not given. */
export function missingAddress(context: ProviderContext, where: string): ProviderError {
  return new ProviderError("bad_request", `${context.label} has no address: ${where}`, { provider: context.provider });
}
