import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "./errors.ts";

export interface ProviderSignatureOptions {
  /** The header carrying the signature, e.g. `X-Hub-Signature-256` (WhatsApp Cloud API). */
  header: string;
  /** What precedes the hex digest in the header, e.g. `sha256=`; empty when nothing does. */
  prefix: string;
  /**
   * The shared secret the provider signs with (the app secret for WhatsApp), read per request: a
   * webhook per inbox reads that inbox's secret (set on the context by an earlier middleware).
   */
  // deno-lint-ignore no-explicit-any
  secret: (c: Context<any>) => string | undefined | null | Promise<string | undefined | null>;
}

export interface ProviderSignatureVariables {
  /** The exact bytes the signature covers; parse these, never a re-serialised body. */
  rawBody: Uint8Array;
}

/**
 * The auth mode of webhook functions: the request is from the provider when its body's
 * HMAC-SHA256, keyed by the shared secret, is the hex digest in `header`. The raw body is read
 * before anything parses it (a re-serialised body would not match), checked with WebCrypto's
 * verify (constant time), and left in `c.var.rawBody`; `c.req.json()` still works afterwards.
 * A missing or wrong signature is 401 `invalid_signature`; a missing secret is our deployment
 * mistake, 500.
 */
export function requireProviderSignature(
  options: ProviderSignatureOptions,
): MiddlewareHandler<{ Variables: ProviderSignatureVariables }> {
  return async (c, next) => {
    const secret = await options.secret(c);
    if (!secret) throw new Error(`no secret to check ${options.header} with`);
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const signature = signatureBytes(c.req.header(options.header), options.prefix);
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    if (!signature || !(await crypto.subtle.verify("HMAC", key, signature, rawBody))) {
      throw new ApiError(401, "invalid_signature", `The ${options.header} signature does not match the body.`);
    }
    c.set("rawBody", rawBody);
    await next();
  };
}

function signatureBytes(header: string | undefined, prefix: string): Uint8Array<ArrayBuffer> | null {
  if (!header?.startsWith(prefix)) return null;
  const hex = header.slice(prefix.length).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}
