import { compactVerify } from "jose";

// Realtime's JWT rules (RealtimeWeb.ChannelsAuthorization / JwtVerification and the channel's
// confirm_token): HS256/384/512 signed with the project's secret, `exp` in the future, and both
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

export async function checkToken(token: unknown, secret: Uint8Array): Promise<TokenCheck> {
  if (typeof token !== "string") return unknownError(":invalid_token");
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
  if (typeof header.alg !== "string" || !hmacAlgorithms.has(header.alg)) return unknownError(":error_generating_signer");

  try {
    await compactVerify(cleaned, secret, { algorithms: [header.alg] });
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
