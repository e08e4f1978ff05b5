// What every Auth route handler receives: the gateway's node request (for the client address),
// the database, and the sign-in limiter.
import type { Context } from "hono";
import type { AuthEnv } from "./auth-env.ts";
import type { Mailbox } from "../mail/mailbox.ts";
import type { Sql } from "./database.ts";
import { clientIp, type Client } from "./sessions.ts";
import type { SignInLimiter } from "./sign-in-limiter.ts";

export type { AuthEnv };
export type AuthContext = Context<AuthEnv>;

export interface AuthDeps {
  /** The pool, once the service has started. */
  sql(): Sql;
  /** A bcrypt hash to compare against when no user matches, so a miss costs what a wrong password costs. */
  dummyPasswordHash(): Promise<string>;
  limiter: SignInLimiter;
  /** `iss` of the access tokens: `[auth] jwt_issuer`, else `<API_URL>/auth/v1` as the CLI sets it. */
  issuer(configured: string | null): string;
  /** Where Auth is reached from outside (`<API_URL>/auth/v1`), for the links in emails. */
  externalUrl: string;
  /** The stack's mail catcher, which receives every email Auth sends. */
  mail: Mailbox;
  log(line: string): void;
}

/** GoTrue's requestAud: the X-JWT-AUD header, else the default audience. */
export function requestAud(c: AuthContext): string {
  return c.req.header("x-jwt-aud") || "authenticated";
}

export function clientOf(c: AuthContext): Client {
  return {
    userAgent: c.req.header("user-agent") ?? null,
    ip: clientIp(c.req.header("x-forwarded-for"), c.env?.incoming?.socket?.remoteAddress),
  };
}
