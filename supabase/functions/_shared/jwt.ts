import type { MiddlewareHandler } from "hono";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { z } from "zod";
import { ApiError } from "./errors.ts";
import type { ProjectKeys } from "./project-keys.ts";
import type { Sql } from "./db.ts";
import { type TransactionSql, withUserTransaction } from "./user-transaction.ts";

/**
 * The keys that verify the project's access tokens, both kinds side by side (project-keys.ts):
 * HS256 tokens with the legacy secret (`jwtSecret`), ES256/RS256 tokens with the project's signing
 * keys — those handed over in SUPABASE_JWKS first, then those published at
 * `${supabaseUrl}/auth/v1/.well-known/jwks.json` (fetched on first use, cached, refetched when a
 * token names a key not seen yet, as after a rotation). A token's own `alg` and `kid` choose.
 */
export interface JwtVerifierConfig extends Partial<Pick<ProjectKeys, "jwks" | "supabaseUrl">> {
  jwtSecret?: string | Uint8Array;
}
// The claims Supabase Auth puts in an access token; other claims (custom access token hooks) are kept.
const accessTokenClaims = z.looseObject({
  sub: z.string().optional(),
  role: z.string(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  exp: z.number(),
  iat: z.number().optional(),
  iss: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  session_id: z.string().optional(),
  is_anonymous: z.boolean().optional(),
  aal: z.string().optional(),
  amr: z.array(z.looseObject({ method: z.string(), timestamp: z.number().optional() })).optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

/** The verified claims of any project token: a user's access token, the anon key, the service role key. */
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** The claims of a signed-in user's access token (role and audience `authenticated`, a subject). */
export type UserClaims = AccessTokenClaims & { sub: string; role: "authenticated" };

/** Checks a token's signature and expiry; answers its claims or throws an ApiError (401, or 503). */
export type JwtVerifier = (token: string) => Promise<AccessTokenClaims>;

export interface AuthVariables {
  claims: UserClaims;
  /**
   * Runs `work` in one transaction as this user (role `authenticated` and the token's claims), so
   * RLS decides what it sees; the way routes reach the database (user-transaction.ts).
   */
  asUser: <T>(work: (tx: TransactionSql) => Promise<T>) => Promise<T>;
}

const userAudience = "authenticated";
const asymmetricAlgorithms = ["ES256", "RS256"];

export function createJwtVerifier(config: JwtVerifierConfig): JwtVerifier {
  const secret = typeof config.jwtSecret === "string" ? new TextEncoder().encode(config.jwtSecret) : config.jwtSecret;
  const handedOver = config.jwks ? createLocalJWKSet(config.jwks as Parameters<typeof createLocalJWKSet>[0]) : null;
  const published = config.supabaseUrl
    ? createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", config.supabaseUrl))
    : null;
  if (!secret && !handedOver && !published) {
    throw new Error("the JWT verifier needs JWT_SECRET, SUPABASE_JWKS or SUPABASE_URL (for the project's JWKS)");
  }
  const algorithms = [...(secret ? ["HS256"] : []), ...(handedOver || published ? asymmetricAlgorithms : [])];

  const signingKey: JWTVerifyGetKey = async (header: JWSHeaderParameters, token) => {
    if (header.alg === "HS256" && secret) return secret;
    if (handedOver) {
      try {
        return await handedOver(header, token);
      } catch (error) {
        // A key rotated in after boot is only in the published set.
        if (!(error instanceof errors.JWKSNoMatchingKey) || !published) throw error;
      }
    }
    if (published) return published(header, token);
    throw new errors.JWKSNoMatchingKey();
  };

  return async (token) => {
    let payload: unknown;
    try {
      // Refused before any key is looked up: an algorithm this project does not sign with.
      const { alg } = readableHeader(token);
      if (!alg || !algorithms.includes(alg)) throw new errors.JOSEAlgNotAllowed(`"alg" ${alg} is not allowed`);
      ({ payload } = await jwtVerify(token, signingKey, { algorithms, requiredClaims: ["exp"] }));
    } catch (error) {
      throw tokenRejection(error);
    }
    const claims = accessTokenClaims.safeParse(payload);
    if (!claims.success) {
      throw invalidToken("The access token does not carry the claims Supabase Auth issues (role, exp).");
    }
    return claims.data;
  };
}

/**
 * Middleware for endpoints that act for a signed-in user: a valid, unexpired user access token in
 * `Authorization: Bearer ...`, whose claims it puts in `c.var.claims`, and `c.var.asUser` to reach
 * the database as that user (given `sql`). The anon and service role keys are valid project tokens
 * but not users, and the new API keys (`sb_publishable_…`, `sb_secret_…`) are not tokens: all refused.
 */
export function requireUser(verify: JwtVerifier, sql?: Sql): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError(
        401,
        "unauthorized",
        "Sign in first: send the user's access token as `Authorization: Bearer <token>`.",
        {
          headers: { "WWW-Authenticate": 'Bearer realm="renum"' },
        },
      );
    }
    if (/^sb_(publishable|secret)_/.test(token)) {
      throw invalidToken("This endpoint acts for a signed-in user, and the token is a project API key, not a user.");
    }
    const claims = await verify(token);
    if (claims.role !== "authenticated") {
      const which = claims.role === "anon" ? "the anon key, which identifies the app" : `a ${claims.role} token`;
      throw new ApiError(
        401,
        "unauthorized",
        `This endpoint acts for a signed-in user, and the token is ${which}, not a user.`,
        {
          headers: { "WWW-Authenticate": 'Bearer realm="renum", error="invalid_token"' },
        },
      );
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(userAudience) || !claims.sub) {
      throw invalidToken("The access token is not a user's token (its audience or subject is missing).");
    }
    const user = claims as UserClaims;
    c.set("claims", user);
    c.set("asUser", (work) => {
      if (!sql) throw new Error("requireUser was built without a database, so asUser() has none");
      return withUserTransaction(sql, user, work);
    });
    await next();
  };
}

/** The token of an `Authorization: Bearer <token>` header; null when the header is absent or another scheme. */
export function bearerToken(authorization: string | undefined): string | null {
  return authorization?.match(/^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i)?.[1] ?? null;
}

function invalidToken(message: string): ApiError {
  return new ApiError(401, "invalid_token", message, {
    headers: { "WWW-Authenticate": 'Bearer realm="renum", error="invalid_token"' },
  });
}

// A token whose header cannot be read is the caller's mistake, like any other malformed token.
function readableHeader(token: string): JWSHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new errors.JWTInvalid("the token's header is not readable");
  }
}

function tokenRejection(error: unknown): ApiError {
  if (error instanceof errors.JWTExpired) {
    return invalidToken("The access token has expired: refresh the session and try again.");
  }
  // The signing keys could not be fetched or read: our problem, not the caller's token.
  if (
    error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)
  ) {
    return new ApiError(503, "auth_unavailable", "The sign-in keys could not be loaded; try again shortly.", {
      headers: { "Retry-After": "5" },
      cause: error,
    });
  }
  return invalidToken("The access token is invalid: it is malformed or not signed by this project.");
}
