// The key Storage signs its URL tokens with (signed download and upload URLs): the project's JWT
// secret on legacy keys, HS256 — what `getJwtSecret().urlSigningKey` answers when the tenant has
// no separate URL-signing key. On asymmetric keys hosted Storage keeps a separate HMAC key of its
// own (jwks.urlSigningKey); the stand-in derives one from the instance's signing key, so tokens
// stay valid across restarts and never verify as anything else.
import { createHmac } from "node:crypto";
import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import { activeKeys } from "../instance-keys.ts";

function urlSigningKey(): { key: Uint8Array; kid?: string } {
  const keys = activeKeys();
  if (keys.mode === "legacy") return { key: new TextEncoder().encode(keys.jwtSecret) };
  const secret = createHmac("sha256", String(keys.signingKey.privateJwk.d)).update("storage url signing").digest();
  return { key: new Uint8Array(secret), kid: `${keys.signingKey.kid}-storage-urls` };
}

/** Storage's signJWT: the claims, `iat`, and `exp` `expiresIn` seconds ahead. */
export async function signUrlToken(claims: JWTPayload, expiresIn: number): Promise<string> {
  const { key, kid } = urlSigningKey();
  return new SignJWT(claims)
    .setProtectedHeader(kid ? { alg: "HS256", kid } : { alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(`${Math.floor(expiresIn)}s`)
    .sign(key);
}

/** The claims of a URL token this stack signed; throws jose's error otherwise (expired included). */
export async function verifiedUrlToken(token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, urlSigningKey().key, { algorithms: ["HS256"] });
  return payload;
}
