// The Auth stand-in as a Hono app, with paths as Supabase Auth sees them (the gateway strips
// /auth/v1, as Kong does). The gateway's part comes first: CORS, the API key, the body size limit.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { activeKeys, publishedKeySet } from "../instance-keys.ts";
import { requireApiKey } from "./api-key.ts";
import { apiVersionHeader, AuthError, errorResponse, notFound, OAuthError, unexpectedFailure } from "./errors.ts";
import { readBody } from "./request-body.ts";
import type { AuthDeps, AuthEnv } from "./route-context.ts";
import { adminUserRoutes } from "./routes/admin-users.ts";
import { generateLinkRoutes } from "./routes/generate-link.ts";
import { identityRoutes } from "./routes/identities.ts";
import { inviteRoutes } from "./routes/invite.ts";
import { otpRoutes } from "./routes/otp.ts";
import { reauthenticateRoutes } from "./routes/reauthenticate.ts";
import { resendRoutes } from "./routes/resend.ts";
import { logoutRoutes } from "./routes/logout.ts";
import { metaRoutes } from "./routes/meta.ts";
import { recoverRoutes } from "./routes/recover.ts";
import { signupRoutes } from "./routes/signup.ts";
import { tokenRoutes } from "./routes/token.ts";
import { userRoutes } from "./routes/user.ts";
import { verifyRoutes } from "./routes/verify.ts";

const knownPaths = [
  "/health", "/settings", "/signup", "/recover", "/verify", "/token", "/user", "/logout", "/admin/users", "/admin/users/:id",
  "/invite", "/otp", "/resend", "/reauthenticate", "/user/identities/authorize", "/user/identities/:identityId", "/admin/generate_link",
];

export function authApp(deps: AuthDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.use(
    cors({
      origin: (origin) => origin || "*",
      credentials: true,
      allowMethods: ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Total-Count", "Link", apiVersionHeader],
    }),
  );
  // The signing keys are public, as GoTrue serves them: no API key needed to read them.
  app.get("/.well-known/jwks.json", (c) => c.json(publishedKeySet(activeKeys())));
  app.use(requireApiKey);
  app.use(readBody);

  metaRoutes(app);
  signupRoutes(app, deps);
  tokenRoutes(app, deps);
  recoverRoutes(app, deps);
  verifyRoutes(app, deps);
  userRoutes(app, deps);
  logoutRoutes(app, deps);
  adminUserRoutes(app, deps);
  inviteRoutes(app, deps);
  otpRoutes(app, deps);
  resendRoutes(app, deps);
  reauthenticateRoutes(app, deps);
  identityRoutes(app, deps);
  generateLinkRoutes(app, deps);

  // A known path with another method is 405, as GoTrue's router (chi) answers; an unknown path gets
  // the error shape every other Auth answer has, so clients parse it like any other error.
  for (const path of knownPaths) app.all(path, (c) => c.body(null, 405));
  app.notFound((c) => errorResponse(c, notFound("not_found", "Path not found")));

  app.onError((error, c) => {
    if (error instanceof AuthError || error instanceof OAuthError) return errorResponse(c, error);
    deps.log(`[auth] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(c, unexpectedFailure());
  });
  return app;
}
