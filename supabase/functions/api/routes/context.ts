import { Hono, type MiddlewareHandler } from "hono";
import type { Sql } from "../../_shared/db.ts";
import { ApiError } from "../../_shared/errors.ts";
import type { SendInvitationMail } from "../../_shared/invitation-mail.ts";
import type { AuthVariables } from "../../_shared/jwt.ts";
import type { ProviderEndpoints } from "../../_shared/provider-key-check.ts";
import type { RequestLogVariables } from "../../_shared/request-log.ts";
import type { TenantContext, TenantVariables } from "../../_shared/tenant-context.ts";
import type { TenantCapability } from "../../_shared/schemas/tenants.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";

/**
 * What a route handler can read from the context. `claims` is set by `signedIn`, `tenant` by
 * `inTenant`; a route reads only what its middleware set.
 */
export type RouteEnv = { Variables: RequestLogVariables & AuthVariables & TenantVariables };

/** What every resource group's routes are built from (see app.ts). */
export interface RouteDependencies {
  sql: Sql;
  /** A valid user access token; sets `c.var.claims`. */
  signedIn: MiddlewareHandler<{ Variables: AuthVariables }>;
  /** The caller's current tenant (X-Tenant-Id); sets `c.var.tenant`. Runs after `signedIn`. */
  inTenant: MiddlewareHandler<{ Variables: AuthVariables & TenantVariables }>;
  providers: ProviderEndpoints;
  /** The public base of the project's functions (`https://<ref>.supabase.co/functions/v1`), for webhook URLs. */
  functionsUrl: string;
  /** E-mails an invitation's link (through Supabase Auth in production and on the stack). */
  sendInvitationMail: SendInvitationMail;
  /** Removes objects of the `documents` bucket (deleted documents' files), as the service. */
  removeDocumentObjects: RemoveDocumentObjects;
}

/** Deletes these paths of the `documents` bucket; throws when Storage refuses. */
export type RemoveDocumentObjects = (paths: string[]) => Promise<void>;

export function routes(): Hono<RouteEnv> {
  return new Hono<RouteEnv>();
}

/** LIMIT and OFFSET for `?page&limit` (pages count from 1). */
export function pageWindow({ page, limit }: { page: number; limit: number }): { limit: number; offset: number } {
  return { limit, offset: (page - 1) * limit };
}

/** The ILIKE pattern for "contains `search`", with the pattern characters in it taken literally. */
export function containsPattern(search: string | undefined): string | null {
  return search === undefined ? null : `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * For writes that RLS filtered to nothing: 403 when the caller can see the row (so they lack the
 * right to change it), 404 when they cannot (it does not exist for them).
 */
export function refusedOrMissing(visible: boolean, what: string, refusal: string): ApiError {
  return visible ? new ApiError(403, "forbidden", refusal) : new ApiError(404, "not_found", `${what} not found.`);
}

/**
 * 403 unless the caller's role in the current tenant grants `capability` (public.my_capabilities):
 * an early, clear answer where RLS would only filter rows out. The database enforces the same
 * rule whether or not the request comes through here.
 */
export function requireCapability(tenant: TenantContext, capability: TenantCapability, refusal: string): void {
  if (!tenant.capabilities.includes(capability)) {
    throw new ApiError(403, "forbidden", refusal, { details: { capability } });
  }
}

/** The keys of a parsed body whose value was given (zod leaves absent optional fields out). */
export function givenColumns(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((key) => body[key] !== undefined);
}

/**
 * A column list for a query (`"name", "slug"`), from names the route's zod schema allowed. Written
 * out rather than with postgres.js's `sql(columns)` helper, which guesses its output from the
 * keyword before it and would make an insert's column list into a values clause.
 */
export function columnList(tx: TransactionSql, columns: string[]) {
  if (columns.length === 0 || !columns.every((column) => /^[a-z_][a-z0-9_]*$/.test(column))) {
    throw new Error(`not a list of column names: ${columns.join(", ")}`);
  }
  return tx.unsafe(columns.map((column) => `"${column}"`).join(", "));
}
