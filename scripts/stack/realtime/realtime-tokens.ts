import { compactVerify, type CryptoKey } from "jose";

// Realtime's JWT rules (RealtimeWeb.ChannelsAuthorization / JwtVerification and the channel's
// confirm_token): HS256/384/512 signed with the project's secret, or on asymmetric keys ES256
// verified with the project's JWKS (the tenant's jwt_jwks), `exp` in the future, and both
// `role` and `exp` present. Each refusal carries the two texts the server uses: the join error's
// `reason` and the message of the `system` event that shuts a joined channel down.

export interface TokenClaims extends Record<string, unknown> {
  role: string;
  exp: number;
}

export interface TokenProblem {
  joinReason: string;
  shutdownMessage: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem };

const hmacAlgorithms = new Set(["HS256", "HS384", "HS512"]);

/** What verifies tokens: the legacy secret, and/or the public signing key of the JWKS. */
export interface TokenKeys {
  secret?: Uint8Array;
  publicKey?: { kid: string; key: CryptoKey | Uint8Array };
  /**
   * The publishable and secret keys and the role each stands for. They are not JWTs: hosted's
   * gateway hands Realtime a short-lived JWT of that role in their place, which is what they
   * check as here.
   */
  apiKeys?: Record<string, "anon" | "service_role">;
}

const apiKeyTokenSeconds = 3600;

function refused(joinReason: string, shutdownMessage: string): TokenCheck {
  return { ok: false, problem: { joinReason, shutdownMessage } };
}

const malformed = () => refused("MalformedJWT: The token provided is not a valid JWT", "The token provided is not a valid JWT");
const unknownError = (detail: string) => refused("Unknown Error on Channel", detail);

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function checkToken(token: unknown, keys: TokenKeys): Promise<TokenCheck> {
  if (typeof token !== "string") return unknownError(":invalid_token");
  const keyRole = keys.apiKeys?.[token];
  if (keyRole) return { ok: true, claims: { role: keyRole, exp: nowInSeconds() + apiKeyTokenSeconds } };
  let cleaned: string;
  try {
    cleaned = decodeURIComponent(token).replace(/\s/g, "");
  } catch {
    return malformed();
  }
  const segments = cleaned.split(".");
  if (segments.length !== 3) return malformed();
  const header = decodeSegment(segments[0]);
  const claims = decodeSegment(segments[1]);
  if (!isObject(header) || !isObject(claims)) return malformed();
  const key = typeof header.alg !== "string"
    ? undefined
    : hmacAlgorithms.has(header.alg)
    ? keys.secret
    : header.alg === "ES256" && keys.publicKey && header.kid === keys.publicKey.kid
    ? keys.publicKey.key
    : undefined;
  if (!key) return unknownError(":error_generating_signer");

  try {
    await compactVerify(cleaned, key, { algorithms: [header.alg as string] });
  } catch {
    return refused("JwtSignatureError: Failed to validate JWT signature", ":signature_error");
  }

  const now = nowInSeconds();
  if (typeof claims.exp === "number" && !(claims.exp > now)) {
    const message = `Token has expired ${now - claims.exp} seconds ago`;
    return refused(`InvalidJWTToken: ${message}`, message);
  }
  if (!("role" in claims) || !("exp" in claims)) {
    const message = "Fields `role` and `exp` are required in JWT";
    return refused(`InvalidJWTToken: ${message}`, message);
  }
  if (!Number.isInteger(claims.exp) || typeof claims.role !== "string") return unknownError(":invalid_claims");
  return { ok: true, claims: claims as TokenClaims };
}
