// The one way a function makes a request to an address a user gave (providers, key tests, and the
// coming webhook media downloads, URL ingestion and tools). It is fetch-shaped, and it:
// - takes http and https only, and no user:password@ in the URL;
// - resolves the host (every A and AAAA record, through the system resolver as the connection
//   would) and refuses the request when any of them is internal: loopback, private, link-local
//   (cloud metadata 169.254.169.254), CGNAT, multicast, unspecified, documentation, benchmarking,
//   reserved, unique-local (fd00:ec2::254), IPv4 carried in IPv6; and names that are internal
//   whatever DNS says (localhost, metadata.google.internal, *.internal, single labels);
// - connects to the address it checked (node:http/node:https with a pinned lookup; TLS still
//   verifies the certificate for the host name);
// - follows redirects itself (redirect: "follow", the default) at most `maxRedirects` times,
//   checking every hop as above and dropping credentials when a hop leaves the origin;
//   redirect: "manual" answers the 3xx as it is, "error" refuses it;
// - bounds the time of the whole exchange and the size of the answer's body;
// - throws EgressError with a short code and our own words; it never reads a remote body into an
//   error (callers must not either: status and code only).
//
// DNS rebinding: the address that was checked is the one connected to — the pinned lookup answers
// the connection with it, so a name that answers a public address to the check and an internal one
// a moment later cannot move the request. Each redirect hop is resolved and pinned again, and no
// connection is kept alive for reuse (each request connects to the address just checked). What
// remains: an allowed public address may itself forward the request inward (an open proxy on the
// internet), which is the remote's doing and no client-side check can see; and for https the
// certificate is checked against the name, so a rebinding attacker gains nothing there anyway.
//
// The local stack's fake servers listen on 127.0.0.1; EGRESS_ALLOW_PRIVATE (set by
// scripts/stack/gateway/function-workers.ts, never in production) names the exact address and
// port range they use, and nothing else internal passes.
import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { type AllowedEndpoint, internalRange, isAllowListed, isInternalName, parseAllowList } from "./egress-addresses.ts";

export type EgressErrorCode =
  | "invalid_url"
  | "scheme_not_allowed"
  | "credentials_in_url"
  | "address_not_allowed"
  | "host_not_found"
  | "too_many_redirects"
  | "response_too_large";

/** A request the egress rules refused, or an answer they cut. The message is ours, never the remote's. */
export class EgressError extends Error {
  override readonly name = "EgressError";
  constructor(readonly code: EgressErrorCode, message: string) {
    super(message);
  }
}

export function isEgressError(error: unknown): error is EgressError {
  return error instanceof EgressError;
}

export interface EgressOptions {
  /** The whole exchange, redirects included, until the body is read (default 30 s). */
  timeoutMs?: number;
  /** The largest answer body read (default 16 MiB); past it the body errors with response_too_large. */
  maxResponseBytes?: number;
  /** Redirects followed with redirect: "follow" (default 5). */
  maxRedirects?: number;
  /** Internal endpoints let through (default: EGRESS_ALLOW_PRIVATE from the environment). */
  allowList?: readonly AllowedEndpoint[];
  /** Every address of a host name (default: the system resolver, as a connection would use). */
  resolve?: HostResolver;
}

export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export type EgressFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

const defaults = { timeoutMs: 30_000, maxResponseBytes: 16 * 1024 * 1024, maxRedirects: 5 };

// Headers that carry a credential, dropped when a redirect leaves the origin they were meant for.
const credentialHeaders = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey"];

/** The allow-list from EGRESS_ALLOW_PRIVATE (Deno or Node), read on every call so tests may set it. */
export function allowListFromEnv(): AllowedEndpoint[] {
  const deno = (globalThis as { Deno?: { env: { get(name: string): string | undefined } } }).Deno;
  const node = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  return parseAllowList(deno ? deno.env.get("EGRESS_ALLOW_PRIVATE") : node?.env.EGRESS_ALLOW_PRIVATE);
}

/** A fetch that follows the egress rules with these options (see the top of this file). */
export function egressFetch(options: EgressOptions = {}): EgressFetch {
  return (input, init) => egressRequest(input, init ?? {}, options);
}

/**
 * The URL as it will be requested, or EgressError: it parses, is http(s), carries no credentials,
 * and does not name an internal host by its literal address or an internal name. No DNS here:
 * `checkDestination` resolves. For messages at the edge (zod) and the API's early refusals.
 */
export function checkUrl(raw: string | URL, allowList: readonly AllowedEndpoint[] = allowListFromEnv()): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressError("invalid_url", "The address is not a valid URL.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EgressError("scheme_not_allowed", `Only http and https addresses are called (not ${url.protocol}).`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new EgressError("credentials_in_url", "The address carries a user name or password; give keys separately.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = isIpLiteral(host);
  if (literal) {
    const range = internalRange(host);
    if (range && !isAllowListed(host, portOf(url), allowList)) throw internalAddress(url, range);
  } else if (isInternalName(host)) {
    throw new EgressError("address_not_allowed", `${url.hostname} is an internal name; Renum only calls public addresses.`);
  }
  return url;
}

/**
 * Resolves the URL's host and answers the address to connect to, or EgressError when the host
 * is unknown or any of its addresses is internal (and not allow-listed for this port).
 */
export async function checkDestination(
  url: URL,
  allowList: readonly AllowedEndpoint[] = allowListFromEnv(),
  resolve: HostResolver = systemResolver,
): Promise<{ address: string; family: 4 | 6 }> {
  checkUrl(url, allowList);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let records: { address: string; family: number }[];
  if (isIpLiteral(host)) {
    records = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  } else {
    try {
      records = await resolve(host);
    } catch {
      throw new EgressError("host_not_found", `${url.hostname} could not be resolved.`);
    }
  }
  if (records.length === 0) throw new EgressError("host_not_found", `${url.hostname} could not be resolved.`);
  for (const record of records) {
    const range = internalRange(record.address);
    if (range && !isAllowListed(record.address, portOf(url), allowList)) throw internalAddress(url, range);
  }
  return { address: records[0].address, family: records[0].family === 6 ? 6 : 4 };
}

async function egressRequest(input: string | URL, init: RequestInit, options: EgressOptions): Promise<Response> {
  const allowList = options.allowList ?? allowListFromEnv();
  const maxRedirects = options.maxRedirects ?? defaults.maxRedirects;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? defaults.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const redirectMode = init.redirect ?? "follow";

  let url = checkUrl(input, allowList);
  let method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  let body = await bodyBytes(init, headers);
  for (let hop = 0;; hop++) {
    signal.throwIfAborted();
    const destination = await raceAbort(checkDestination(url, allowList, options.resolve), signal);
    const response = await send(url, method, headers, body, destination, signal, options);
    const location = response.headers.get("location");
    if (!isRedirect(response.status) || location === null || redirectMode === "manual") return response;
    await response.body?.cancel().catch(() => {});
    if (redirectMode === "error") {
      throw new EgressError("too_many_redirects", `${url.host} answered with a redirect, which this request does not follow.`);
    }
    if (hop >= maxRedirects) {
      throw new EgressError("too_many_redirects", `More than ${maxRedirects} redirects, starting at ${new URL(input).host}.`);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new EgressError("invalid_url", `${url.host} redirected to an address that is not a valid URL.`);
    }
    next = checkUrl(next, allowList);
    if (next.origin !== url.origin) for (const name of credentialHeaders) headers.delete(name);
    // 303 always, and 301/302 after a POST, become a GET without a body (as browsers and fetch do).
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = null;
      headers.delete("content-type");
      headers.delete("content-length");
    }
    url = next;
  }
}

// One exchange with the checked address, as a web Response whose body is size-bounded.
function send(
  url: URL,
  method: string,
  headers: Headers,
  body: Uint8Array | null,
  destination: { address: string; family: 4 | 6 },
  signal: AbortSignal,
  options: EgressOptions,
): Promise<Response> {
  const transport = url.protocol === "https:" ? https : http;
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => (outgoing[name] = value));
  // Bodies are read as they come; a compressed body would need decoding that fetch did for us.
  outgoing["accept-encoding"] = "identity";
  if (body !== null) outgoing["content-length"] = String(body.byteLength);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request({
      protocol: url.protocol,
      hostname,
      port: portOf(url),
      path: `${url.pathname}${url.search}`,
      method,
      headers: outgoing,
      signal,
      // A fresh connection per request: a pooled one could outlive the check that opened it.
      agent: false,
      servername: isIpLiteral(hostname) ? undefined : hostname,
      // The pinned lookup: the connection goes to the address that was checked, whatever DNS says now.
      lookup: ((_name: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
        if (lookupOptions?.all) callback(null, [destination]);
        else callback(null, destination.address, destination.family);
      }) as unknown as typeof import("node:dns").lookup,
    }, (incoming) => {
      const responseHeaders = new Headers();
      for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
        responseHeaders.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
      }
      const status = incoming.statusCode ?? 0;
      const noBody = method === "HEAD" || status === 204 || status === 205 || status === 304;
      if (status < 200 || status > 599) {
        incoming.destroy();
        return reject(new TypeError(`unexpected status ${status}`));
      }
      const stream = noBody ? null : boundedBody(incoming, options.maxResponseBytes ?? defaults.maxResponseBytes);
      if (noBody) incoming.resume();
      resolve(new Response(stream, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders }));
    });
    request.on("error", reject);
    request.end(body ?? undefined);
  });
}

// The body as a web stream that errors with response_too_large past `limit` bytes.
function boundedBody(incoming: http.IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let size = 0;
  const source = Readable.toWeb(incoming) as unknown as ReadableStream<Uint8Array>;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) {
          incoming.destroy();
          controller.error(new EgressError("response_too_large", `The answer is larger than ${limit} bytes.`));
          return;
        }
        controller.enqueue(new Uint8Array(chunk));
      },
    }),
  );
}

// Any fetch body (string, bytes, FormData, URLSearchParams, Blob), encoded once so a 307/308 can
// send it again; the content type fetch would give it is kept unless the caller set one.
async function bodyBytes(init: RequestInit, headers: Headers): Promise<Uint8Array | null> {
  if (init.body === undefined || init.body === null) return null;
  const request = new Request("http://body.invalid/", { method: "POST", body: init.body });
  const type = request.headers.get("content-type");
  if (type && !headers.has("content-type")) headers.set("content-type", type);
  return new Uint8Array(await request.arrayBuffer());
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function internalAddress(url: URL, range: string): EgressError {
  return new EgressError(
    "address_not_allowed",
    `${url.hostname} is an internal address (${range}); Renum only calls public addresses.`,
  );
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isIpLiteral(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}
