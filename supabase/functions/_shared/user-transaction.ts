import type postgres from "postgres";
import type { Sql } from "./db.ts";
import type { AccessTokenClaims } from "./jwt.ts";

export type TransactionSql = postgres.TransactionSql;

/** The database roles a request may act as; each is what the token's `role` claim names. */
type RequestRole = "anon" | "authenticated" | "service_role";

/**
 * Runs `work` in one transaction as the caller, exactly as Supabase's Data API does: the role of
 * the token (`authenticated`, or `anon` for the anon key) and its claims, transaction-local, so
 * `auth.uid()`, `auth.jwt()` and every RLS policy see this user and nothing outlives the request
 * (safe on the transaction pooler). Commits when `work` resolves, rolls back everything when it
 * throws, and rethrows (the app's error handler maps SQL errors to HTTP).
 *
 * `work` must use only `tx`; a query on `sql` would run outside the transaction as the pool's
 * login role, bypassing RLS.
 */
export function withUserTransaction<T>(
  sql: Sql,
  claims: AccessTokenClaims,
  work: (tx: TransactionSql) => Promise<T>,
  options: UserTransactionOptions = {},
): Promise<T> {
  if (claims.role !== "authenticated" && claims.role !== "anon") {
    throw new Error(`withUserTransaction acts for users and the anon key, not for role "${claims.role}"`);
  }
  return inTransactionAs(sql, claims.role, claims, work, options.tenantScope ?? null);
}

export interface UserTransactionOptions {
  /**
   * Narrows the user to one of their companies (`renum.tenant_scope`, read by every membership
   * check in the database): for what acts for one company only — an MCP token of that company, an
   * agent's query in that company's run — although its person may belong to others.
   */
  tenantScope?: string | null;
}

/**
 * Runs `work` in one transaction as `service_role` (RLS bypassed), for the few explicit service
 * paths: webhooks, orchestration, scheduled jobs. Such work states the tenant in every query.
 */
export function withServiceTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return inTransactionAs(sql, "service_role", { role: "service_role" }, work, null);
}

async function inTransactionAs<T>(
  sql: Sql,
  role: RequestRole,
  claims: Partial<AccessTokenClaims>,
  work: (tx: TransactionSql) => Promise<T>,
  tenantScope: string | null,
): Promise<T> {
  const result = await sql.begin(async (tx) => {
    // set_config('role', …, true) is `set local role …` with the role as a parameter, as PostgREST
    // does it; one round trip sets the role and the claims. The per-claim settings serve helpers
    // written before request.jwt.claims existed (auth.uid() reads request.jwt.claim.sub first).
    // The scope is always written, empty when none: nothing of an earlier request can linger.
    await tx`
      select
        set_config('role', ${role}, true),
        set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
        set_config('request.jwt.claim.sub', ${claims.sub ?? ""}, true),
        set_config('request.jwt.claim.role', ${role}, true),
        set_config('renum.tenant_scope', ${tenantScope ?? ""}, true)`;
    return { value: await work(tx) };
  });
  // Wrapped so postgres.js's typing of begin() does not try to unwrap arrays of results.
  return (result as { value: T }).value;
}
