// Access tokens as Supabase Auth issues them, in the instance's key system (instance-keys.ts):
// legacy, header {"alg":"HS256","typ":"JWT"} (no `kid`: GoTrue adds one only when GOTRUE_JWT_KEYID
// is set, which the CLI's local stack does not); asymmetric, {"alg":"ES256","kid":…,"typ":"JWT"}
// with the key published in the JWKS. Claims in GoTrue's order (AccessTokenClaims), `aud` a string.
import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { activeKeys, apiKeyRole, signingPrivateKey, signingPublicKey } from "../instance-keys.ts";
import { AuthError, forbidden } from "./errors.ts";

export interface AccessTokenSubject {
  userId: string;
  aud: string;
  role: string;
  email: string;
  phone: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  isAnonymous: boolean;
  sessionId: string;
  /** When the session signed in with its password (GoTrue's AMR claim timestamp), Unix seconds. */
  signedInAt: number;
}

export async function signAccessToken(
  subject: AccessTokenSubject,
  { issuer, lifetimeSeconds }: { issuer: string; lifetimeSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + lifetimeSeconds;
  const claims: JWTPayload = {
    iss: issuer,
    sub: subject.userId,
    aud: subject.aud,
    exp: expiresAt,
    iat: issuedAt,
    email: subject.email,
    phone: subject.phone,
    app_metadata: subject.appMetadata,
    user_metadata: subject.userMetadata,
    role: subject.role,
    aal: "aal1",
    amr: [{ method: "password", timestamp: subject.signedInAt }],
    session_id: subject.sessionId,
    is_anonymous: subject.isAnonymous,
  };
  const keys = activeKeys();
  const token = keys.mode === "asymmetric"
    ? await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" })
      .sign(await signingPrivateKey(keys))
    : await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(keys.jwtSecret));
  return { token, expiresAt };
}

/** The claims of a token signed with the project's signing key; throws jose's error otherwise. */
export async function verifiedClaims(token: string): Promise<JWTPayload> {
  const keys = activeKeys();
  const { payload } = keys.mode === "asymmetric"
    ? await jwtVerify(token, await signingPublicKey(keys), { algorithms: ["ES256"] })
    : await jwtVerify(token, new TextEncoder().encode(keys.jwtSecret), { algorithms: ["HS256"] });
  return payload;
}

/** golang-jwt's wording for why a token was refused, which GoTrue passes on. */
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token has invalid claims: token is expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `token has invalid claims: ${error.message}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature is invalid: signature is invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "token is unverifiable: signing method is invalid";
  return "token is malformed: could not base64 decode or parse the token";
}

/** The bearer token's claims, or GoTrue's 401/403 for a missing or unusable token. */
export async function bearerClaims(authorization: string | undefined): Promise<JWTPayload> {
  const token = /^(?:B|b)earer (\S+)$/.exec(authorization ?? "")?.[1];
  if (!token) throw new AuthError(401, "no_authorization", "This endpoint requires a Bearer token");
  // Hosted's gateway puts a short-lived JWT of the key's role in place of a bearer API key (what
  // auth-js sends as Authorization when there is no session): the role is all it carries.
  const keyRole = apiKeyRole(activeKeys(), token);
  if (keyRole) return { role: keyRole };
  try {
    return await verifiedClaims(token);
  } catch (error) {
    throw forbidden("bad_jwt", `invalid JWT: unable to parse or verify signature, ${reasonFor(error)}`);
  }
}
