import { egressFetch, isEgressError } from "./egress.ts";
import type { FetchLike } from "./providers/provider.ts";
import type { ConnectionOutcome, ConnectionTest, InboxProvider } from "./schemas/inboxes.ts";

/**
 * "Test connection" of an inbox: one read-only, authenticated request to its provider, answered in
 * our own words (a provider's error text may quote the credential it was sent; only its status and
 * what we make of it come back). Goes through egress.ts: an internal Evolution address throws
 * EgressError before anything is sent. Redirects are not followed, so secrets go to the one URL.
 *
 *   meta_cloud  GET <graph>/<phone_number_id>                       Bearer access token
 *   zapi        GET <zapi>/instances/<id>/token/<instance token>/status   Client-Token header
 *   evolution   GET <base>/instance/connectionState/<instance name>  apikey header
 */
export interface InboxConnectionTarget {
  provider: InboxProvider;
  meta_phone_number_id: string | null;
  zapi_instance_id: string | null;
  evolution_instance_name: string | null;
  evolution_base_url: string | null;
}

/** The secrets a test needs, by provider (read by the service role, never sent anywhere else). */
export interface InboxConnectionSecrets {
  meta_access_token?: string;
  zapi_instance_token?: string;
  zapi_client_token?: string;
  evolution_api_key?: string;
}

export interface InboxConnectionEndpoints {
  /** The Graph API with its version (WHATSAPP_GRAPH_URL). */
  whatsappGraph: string;
  /** Z-API's base (ZAPI_BASE_URL, default https://api.z-api.io). */
  zapi: string;
  testTimeoutMs: number;
}

export interface ConnectionCheck {
  /** 200 when the provider answered, 502 unreachable, 504 no answer in time. */
  httpStatus: 200 | 502 | 504;
  result: ConnectionTest;
}

export function connectionProbe(
  inbox: InboxConnectionTarget,
  secrets: InboxConnectionSecrets,
  endpoints: InboxConnectionEndpoints,
): { url: string; headers: Record<string, string> } {
  const base = (url: string) => url.replace(/\/+$/, "");
  switch (inbox.provider) {
    case "meta_cloud":
      return {
        url: `${base(endpoints.whatsappGraph)}/${encodeURIComponent(inbox.meta_phone_number_id ?? "")}?fields=display_phone_number,verified_name`,
        headers: { authorization: `Bearer ${secrets.meta_access_token ?? ""}` },
      };
    case "zapi":
      return {
        url: `${base(endpoints.zapi)}/instances/${encodeURIComponent(inbox.zapi_instance_id ?? "")}/token/${
          encodeURIComponent(secrets.zapi_instance_token ?? "")
        }/status`,
        headers: { "client-token": secrets.zapi_client_token ?? "" },
      };
    case "evolution":
      return {
        url: `${base(inbox.evolution_base_url ?? "")}/instance/connectionState/${encodeURIComponent(inbox.evolution_instance_name ?? "")}`,
        headers: { apikey: secrets.evolution_api_key ?? "" },
      };
  }
}

export async function checkInboxConnection(
  inbox: InboxConnectionTarget,
  secrets: InboxConnectionSecrets,
  endpoints: InboxConnectionEndpoints,
  fetchImpl: FetchLike = egressFetch({ timeoutMs: endpoints.testTimeoutMs, maxResponseBytes: 64 * 1024 }),
): Promise<ConnectionCheck> {
  const probe = connectionProbe(inbox, secrets, endpoints);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(endpoints.testTimeoutMs);
  let status: number;
  let json: Record<string, unknown> | null;
  try {
    const response = await fetchImpl(probe.url, { method: "GET", headers: { accept: "application/json", ...probe.headers }, redirect: "manual", signal });
    status = response.status;
    json = parseObject(await response.text());
  } catch (error) {
    if (isEgressError(error) && error.code !== "host_not_found" && error.code !== "response_too_large") throw error;
    const timedOut = signal.aborted || (error instanceof DOMException && ["TimeoutError", "AbortError"].includes(error.name));
    return {
      httpStatus: timedOut ? 504 : 502,
      result: {
        ok: false,
        outcome: timedOut ? "timed_out" : "unreachable",
        status: null,
        latency_ms: elapsed(),
        message: timedOut ? "The provider did not answer in time." : "Could not reach the provider.",
      },
    };
  }
  const outcome = describe(inbox.provider, status, json);
  return { httpStatus: 200, result: { ok: outcome === "connected", outcome, status, latency_ms: elapsed(), message: messages[outcome] } };
}

const messages: Record<ConnectionOutcome, string> = {
  connected: "Connected: the provider accepted the credentials and the number is online.",
  not_connected: "The provider accepted the credentials, but the number is not connected (scan the QR code again).",
  refused: "The provider refused the credentials or does not know this number/instance.",
  unreachable: "Could not reach the provider.",
  timed_out: "The provider did not answer in time.",
  provider_error: "The provider had an error; try again later.",
  unexpected_status: "The provider answered something unexpected; check the address.",
};

function describe(provider: InboxProvider, status: number, json: Record<string, unknown> | null): ConnectionOutcome {
  if (status >= 500) return "provider_error";
  if (status >= 200 && status < 300) {
    if (provider === "zapi") return json?.connected === true ? "connected" : "not_connected";
    if (provider === "evolution") {
      const instance = json?.instance as Record<string, unknown> | undefined;
      return instance?.state === "open" ? "connected" : "not_connected";
    }
    return "connected";
  }
  // Meta: 401/400 with OAuthException (code 190) for a bad token, 400 GraphMethodException for an
  // unknown number; Z-API: 400 for an unknown instance or a wrong Client-Token; Evolution: 401, 404.
  if (status === 400 || status === 401 || status === 403 || status === 404) return "refused";
  return "unexpected_status";
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
