import { egressFetch, isEgressError } from "./egress.ts";
import type { FetchLike } from "./providers/provider.ts";
import type { ApiKeyTestResult, KeyTestOutcome, ProviderService } from "./schemas/api-keys.ts";

/**
 * Where each provider is reached. The first-party providers have fixed public addresses, overridable
 * by environment (tests point them at fake servers; a proxy or a regional endpoint in production);
 * the self-hosted ones (openai-compatible, suna, evolution) have no default and take the address
 * their user gives, or a platform-wide one from the environment.
 */
export interface ProviderEndpoints {
  /** OPENAI_BASE_URL, default https://api.openai.com */
  openai: string;
  /** ANTHROPIC_BASE_URL, default https://api.anthropic.com */
  anthropic: string;
  /** WHATSAPP_GRAPH_URL: the Graph API with its version, default https://graph.facebook.com/v21.0 */
  whatsappGraph: string;
  /** ZAPI_BASE_URL: Z-API's API, default https://api.z-api.io */
  zapi: string;
  /** OPENAI_COMPATIBLE_BASE_URL, no default */
  openaiCompatible?: string;
  /** SUNA_BASE_URL, no default */
  suna?: string;
  /** EVOLUTION_BASE_URL, no default */
  evolution?: string;
  /** PROVIDER_TEST_TIMEOUT_MS: how long a connection test waits, default 10 s */
  testTimeoutMs: number;
}

export function providerEndpointsFromEnv(env: (name: string) => string | undefined): ProviderEndpoints {
  const timeout = Number(env("PROVIDER_TEST_TIMEOUT_MS"));
  return {
    openai: env("OPENAI_BASE_URL") || "https://api.openai.com",
    anthropic: env("ANTHROPIC_BASE_URL") || "https://api.anthropic.com",
    whatsappGraph: env("WHATSAPP_GRAPH_URL") || "https://graph.facebook.com/v21.0",
    zapi: env("ZAPI_BASE_URL") || "https://api.z-api.io",
    openaiCompatible: env("OPENAI_COMPATIBLE_BASE_URL") || undefined,
    suna: env("SUNA_BASE_URL") || undefined,
    evolution: env("EVOLUTION_BASE_URL") || undefined,
    testTimeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : 10_000,
  };
}

/** The services whose address the user gives (they run it, or pick a compatible vendor). */
export const selfHostedServices: readonly ProviderService[] = ["openai-compatible", "suna", "evolution"];

/** How a service's key is checked: one cheap, read-only, authenticated request. */
export interface KeyProbe {
  url: string;
  method: "GET" | "HEAD";
  headers: Record<string, string>;
}

/**
 * The probe for a key, or null when the service has nothing to call for `base` (the caller says
 * why). `base` is the address to use: the provider's, the user's, or the company's agents endpoint.
 */
export function keyProbe(service: ProviderService, base: string, apiKey: string): KeyProbe | null {
  switch (service) {
    case "openai":
    case "openai-compatible":
      return { url: v1(base, "models"), method: "GET", headers: { authorization: `Bearer ${apiKey}` } };
    case "anthropic":
      return {
        url: v1(base, "models"),
        method: "GET",
        headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01" },
      };
    case "suna":
      return { url: joinUrl(base, "api/agents?page=1&limit=1"), method: "GET", headers: { "x-api-key": apiKey } };
    case "agent-api":
      // The company's own agents service: any authenticated GET of its base answers whether the key is good.
      return { url: base, method: "GET", headers: { authorization: `Bearer ${apiKey}` } };
    case "whatsapp":
      return { url: joinUrl(base, "me"), method: "GET", headers: { authorization: `Bearer ${apiKey}` } };
    case "evolution":
      return { url: joinUrl(base, "instance/fetchInstances"), method: "GET", headers: { apikey: apiKey } };
    case "z-api":
      // Z-API checks a token per WhatsApp instance; an account token alone has nothing to call.
      return null;
  }
}

export interface KeyCheckOutcome {
  /** 200 when the provider answered (whatever it said), 504 when it did not in time, 502 when unreachable. */
  httpStatus: 200 | 502 | 504;
  result: ApiKeyTestResult;
}

const maxBodyBytes = 64 * 1024;

/**
 * Calls the provider once with the key and says whether it was accepted. Nothing the provider
 * says is passed on as it is (providers echo keys back in their errors: OpenAI's "Incorrect API key
 * provided: sk-ab***yz"); only its status, a short error code, and our own words. The key never
 * appears in the outcome, and redirects are not followed, so the key goes to `probe.url` only.
 * The request follows the egress rules: an internal address throws EgressError (the caller
 * answers 422) and nothing is sent; a host that does not resolve is "could not reach".
 */
export async function checkProviderKey(
  probe: KeyProbe,
  apiKey: string,
  timeoutMs: number,
  fetchImpl: FetchLike = egressFetch({ timeoutMs, maxResponseBytes: 1024 * 1024 }),
): Promise<KeyCheckOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await fetchImpl(probe.url, {
      method: probe.method,
      headers: { accept: "application/json", ...probe.headers },
      redirect: "manual",
      signal,
    });
    body = probe.method === "HEAD" ? "" : await readSome(response, maxBodyBytes);
  } catch (error) {
    if (isEgressError(error) && error.code !== "host_not_found" && error.code !== "response_too_large") throw error;
    if (signal.aborted || isTimeout(error)) {
      return {
        httpStatus: 504,
        result: { ok: false, status: null, latency_ms: elapsed(), outcome: "timed_out", message: "timed out" },
      };
    }
    return {
      httpStatus: 502,
      result: {
        ok: false,
        status: null,
        latency_ms: elapsed(),
        outcome: "unreachable",
        message: "could not reach the provider (connection failed)",
      },
    };
  }
  const { outcome, message } = describeAnswer(response.status, body);
  return {
    httpStatus: 200,
    result: {
      ok: response.status >= 200 && response.status < 300,
      status: response.status,
      latency_ms: elapsed(),
      outcome,
      message: message.split(apiKey).join("[redacted]"),
    },
  };
}

function describeAnswer(status: number, body: string): { outcome: KeyTestOutcome; message: string } {
  const json = parseJson(body);
  if (status >= 200 && status < 300) {
    const models = Array.isArray(json?.data) ? json.data.length : null;
    return {
      outcome: "accepted",
      message: models === null
        ? "the provider accepted the key"
        : `the provider accepted the key (${models} models listed)`,
    };
  }
  const code = errorCode(json);
  const why = code ? `, ${code}` : "";
  if (status === 401 || status === 403 || (status === 400 && isGraphTokenError(json))) {
    return { outcome: "refused", message: `the provider refused the key (HTTP ${status}${why})` };
  }
  if (status === 429) {
    return {
      outcome: "rate_limited",
      message: `the provider is rate limiting this key (HTTP ${status}${why}); try again later`,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      outcome: "redirected",
      message: `the provider answered with a redirect (HTTP ${status}); check the address`,
    };
  }
  if (status >= 500) {
    return { outcome: "provider_error", message: `the provider had an error (HTTP ${status}${why}); try again later` };
  }
  return { outcome: "unexpected_status", message: `the provider answered HTTP ${status}${why}` };
}

// A short machine code from the provider's error JSON, never its free text (which may quote the key):
// OpenAI {"error":{"code":"invalid_api_key","type":...}}, Anthropic {"type":"error","error":{"type":
// "authentication_error"}}, Graph {"error":{"type":"OAuthException","code":190}}.
function errorCode(json: Record<string, unknown> | null): string | null {
  const error = json?.error;
  const candidates = error && typeof error === "object"
    ? [(error as Record<string, unknown>).code, (error as Record<string, unknown>).type]
    : [json?.code, error];
  for (const candidate of candidates) {
    const value = typeof candidate === "number" ? String(candidate) : candidate;
    if (typeof value === "string" && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$|^\d{1,6}$/.test(value)) return value;
  }
  return null;
}

// The Graph API answers a bad access token with 400 and error code 190 (OAuthException).
function isGraphTokenError(json: Record<string, unknown> | null): boolean {
  const error = json?.error as Record<string, unknown> | undefined;
  return error?.code === 190 || error?.type === "OAuthException";
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(body);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

async function readSome(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  if (size >= limit) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes.byteLength - offset));
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path}`;
}

// `https://api.openai.com` and `https://host/v1` both name the API; the path goes under /v1 once.
function v1(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, "");
  return /\/v1$/.test(trimmed) ? `${trimmed}/${path}` : `${trimmed}/v1/${path}`;
}
