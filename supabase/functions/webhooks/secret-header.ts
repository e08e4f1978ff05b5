import type { MiddlewareHandler } from "hono";
import { ApiError } from "../_shared/errors.ts";
import type { InboxVariables } from "./inbox-lookup.ts";

/**
 * The auth mode of providers that do not sign their webhooks but send a shared token in a header
 * (Z-API's `Client-Token`, Evolution's `apikey`): the header must equal the inbox's secret,
 * compared in constant time. A missing or wrong token is 401 `invalid_signature`, before any of
 * the body is read.
 */
export function requireSecretHeader(header: string): MiddlewareHandler<{ Variables: InboxVariables }> {
  return async (c, next) => {
    const expected = c.var.inbox.secret;
    const given = c.req.header(header);
    if (!expected || !given || !(await sameSecret(given, expected))) {
      throw new ApiError(401, "invalid_signature", `The ${header} header does not match this inbox's secret.`);
    }
    await next();
  };
}

/**
 * Whether two secrets are equal, in time that depends on neither: both are hashed to 32 bytes
 * first (so their lengths do not show either) and every byte is compared.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i] ^ right[i];
  return difference === 0;
}
