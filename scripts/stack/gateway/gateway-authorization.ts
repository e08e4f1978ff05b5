// The Authorization header Supabase's gateway gives a request on its way to a function, as the
// Supabase CLI's Kong does (request-transformer with its key-translating expression, see the CLI's
// kong.yml and Kong entrypoint): a caller's own bearer token is kept; without one (or when it is an
// `sb_` key, which is not a JWT) the project key in `apikey` becomes the bearer — on signing keys as
// a short-lived JWT of the key's role that the gateway mints, on legacy keys as the key itself. No
// key at all adds nothing: the request still reaches a function with verify_jwt = false.
import { SignJWT } from "jose";
import { activeKeys, apiKeyRole, type AsymmetricKeys, signingPrivateKey } from "../instance-keys.ts";

const mintedLifetimeSeconds = 3600;
const minted = new Map<string, { token: string; expiresAt: number }>();

export async function gatewayAuthorization(authorization: string | undefined, apikey: string | undefined): Promise<string | undefined> {
  if (authorization !== undefined && !/^Bearer sb_/.test(authorization)) return authorization;
  if (!apikey) return authorization;
  const keys = activeKeys();
  const role = apiKeyRole(keys, apikey);
  if (role && keys.mode === "asymmetric") return `Bearer ${await mintedToken(keys, role)}`;
  return `Bearer ${apikey}`;
}

/** The JWT the gateway stands in for an API key with (`role` and nothing of a user), reused until near its end. */
async function mintedToken(keys: AsymmetricKeys, role: "anon" | "service_role"): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const cached = minted.get(`${keys.signingKey.kid}:${role}`);
  if (cached && cached.expiresAt - now > 60) return cached.token;
  const token = await new SignJWT({ role, iss: "supabase" })
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: keys.signingKey.kid })
    .setIssuedAt(now)
    .setExpirationTime(now + mintedLifetimeSeconds)
    .sign(await signingPrivateKey(keys));
  minted.set(`${keys.signingKey.kid}:${role}`, { token, expiresAt: now + mintedLifetimeSeconds });
  return token;
}
