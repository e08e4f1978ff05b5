// /auth/v1: the local stand-in for Supabase Auth (GoTrue), behind the gateway. Users, identities,
// sessions, refresh tokens and the audit log live in the stack database's `auth` schema.
import { getRequestListener } from "@hono/node-server";
import { apiUrl, dbUrl } from "../instances.ts";
import type { GatewayService, ServiceContext } from "../gateway/gateway-service.ts";
import { mailbox } from "../mail/mailbox.ts";
import { authApp } from "./auth-app.ts";
import { openDatabase, type Sql } from "./database.ts";
import type { AuthDeps } from "./route-context.ts";
import { SignInLimiter } from "./sign-in-limiter.ts";

export function authService({ instance, log, mail }: ServiceContext): GatewayService {
  let pool: Sql | null = null;
  let dummyHash: Promise<string> | null = null;

  const deps: AuthDeps = {
    sql() {
      if (!pool) throw new Error("the auth service has not started");
      return pool;
    },
    dummyPasswordHash() {
      dummyHash ??= deps
        .sql()`select extensions.crypt('no password matches this', extensions.gen_salt('bf', 10)) as hash`
        .then(([row]) => String(row.hash))
        .catch((error: unknown) => {
          dummyHash = null;
          throw error;
        });
      return dummyHash;
    },
    limiter: new SignInLimiter(),
    issuer: (configured) => configured ?? `${apiUrl(instance)}/auth/v1`,
    externalUrl: `${apiUrl(instance)}/auth/v1`,
    mail: mail ?? mailbox(instance),
    log,
  };

  // Not overriding the global Request/Response: the gateway process hosts other services too.
  const listener = getRequestListener(authApp(deps).fetch, { overrideGlobalObjects: false });

  return {
    prefix: "/auth/v1",
    handle(incoming, outgoing, pathAfterPrefix) {
      incoming.url = pathAfterPrefix.startsWith("/") ? pathAfterPrefix : `/${pathAfterPrefix}`;
      return listener(incoming, outgoing);
    },
    async start() {
      pool = openDatabase(dbUrl(instance));
    },
    async stop() {
      await pool?.end({ timeout: 5 });
      pool = null;
    },
  };
}
