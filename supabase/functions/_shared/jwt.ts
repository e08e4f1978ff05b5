import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { ApiError } from "./errors.ts";

/**
 * Where the keys that sign the project's access tokens come from. With `jwtSecret` (env JWT_SECRET:
 * the local stack, and hosted projects still on the legacy shared secret) tokens are HS256; without
 * it they are checked against the project's published signing keys at
 * `${supabaseUrl}/auth/v1/.well-known/jwks.json` (hosted projects on asymmetric keys).
 */
export interface JwtVerifierConfig {
  jwtSecret?: string;
  supabaseUrl?: string;
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
}

const userAudience = "authenticated";
const asymmetricAlgorithms = ["ES256", "RS256"];

export function createJwtVerifier(config: JwtVerifierConfig): JwtVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwtSecret) {
    key = new TextEncoder().encode(config.jwtSecret);
    algorithms = ["HS256"];
  } else if (config.supabaseUrl) {
    // Fetched on first use, cached, and refetched when a token names a key it has not seen (rotation).
    key = createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", config.supabaseUrl));
    algorithms = asymmetricAlgorithms;
  } else {
    throw new Error("the JWT verifier needs JWT_SECRET or SUPABASE_URL (for the project's JWKS)");
  }

  return async (token) => {
    let payload: unknown;
    try {
      // Both key kinds go through the same overload at runtime; the union only confuses the typings.
      ({ payload } = await jwtVerify(token, key as Uint8Array, { algorithms, requiredClaims: ["exp"] }));
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
 * `Authorization: Bearer ...`, whose claims it puts in `c.var.claims`. The anon and service role
 * keys are valid project tokens but not users, so they are refused too.
 */
export function requireUser(verify: JwtVerifier): MiddlewareHandler<{ Variables: AuthVariables }> {
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
    c.set("claims", claims as UserClaims);
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
