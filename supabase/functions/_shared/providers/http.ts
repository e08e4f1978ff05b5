// What every HTTP provider shares: addresses, reading answers with a size limit, Retry-After, and
// turning an error answer into a ProviderError whose message is safe to show: our own words, the
// status and the provider's short machine code, never its free text.
import { ProviderError, type ProviderName } from "./provider.ts";

export interface ProviderContext {
  /** As a person reads it in a message: "OpenAI-compatible provider", "Anthropic", "Suna". */
  label: string;
  provider: ProviderName;
}

const maxAnswerBytes = 16 * 1024 * 1024;
const maxErrorBytes = 64 * 1024;

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

const plainCode = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

// The short machine code in the shapes providers answer errors with: OpenAI {error:{message,type,
// code}}, Anthropic {type:"error",error:{type,message}}, FastAPI (Suna) {detail: {message,
// error_code}}, and the generic {code, message}. Only a plain identifier is taken.
function errorCode(body: string): string | undefined {
  let json: Record<string, unknown> | null;
  try {
    json = asRecord(JSON.parse(body));
  } catch {
    return undefined;
  }
  if (!json) return undefined;
  const error = asRecord(json.error);
  const detail = asRecord(json.detail);
  return [error?.code, error?.type, detail?.error_code, json.code, json.error_code]
    .find((value) => typeof value === "string" && plainCode.test(value)) as string | undefined;
}

/**
 * The ProviderError for a non-2xx answer, in our own words with the status and the provider's
 * short code ("HTTP 404, model_not_found"). The provider's free text is never quoted: it may echo
 * the key, and an address a user pointed at an internal service would answer with that service's
 * words (a run's error is shown to everyone in the company).
 */
export async function errorFromResponse(response: Response, context: ProviderContext): Promise<ProviderError> {
  const status = response.status;
  let body = "";
  try {
    body = await readText(response, context, maxErrorBytes);
  } catch {
    // An error answer too large or cut short still has its status.
  }
  const code = errorCode(body);
  const label = context.label;
  const tag = `HTTP ${status}${code ? `, ${code}` : ""}`;
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
    return new ProviderError("server_error", `${label} had an error (${tag})`, {
      ...base,
      retryAfterMs: wait,
    });
  }
  if (status >= 300 && status < 400) {
    return new ProviderError("bad_request", `${label} answered with a redirect (${tag}); check its address`, base);
  }
  return new ProviderError("bad_request", `${label} rejected the request (${tag})`, base);
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
