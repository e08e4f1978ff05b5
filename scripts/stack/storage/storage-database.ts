// The Storage stand-in's database access, as supabase/storage's (src/internal/database/
// pg-connection.ts and postgres/scope.ts): it connects as supabase_storage_admin and opens every
// statement's transaction with the caller's scope — `role`, `request.jwt.claims` and friends,
// `storage.operation` and `storage.allow_delete_query` — so RLS policies on storage.buckets and
// storage.objects see the caller exactly as PostgREST would present them. The "super user" of a
// request (bucket lookups, the final write of an upload) is service_role.
import postgres, { type Sql, type TransactionSql } from "postgres";
import type { StackInstance } from "../instances.ts";
import type { Caller } from "./storage-callers.ts";

export interface RequestScope {
  caller: Caller;
  /** Storage's route operation, e.g. `storage.object.upload`; policies read it with storage.operation(). */
  operation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
}

export type Transaction = TransactionSql;

const serviceRoleCaller: Caller = { role: "service_role", claims: { role: "service_role" }, jwt: "", owner: undefined, authenticated: true };

/**
 * Storage's waitObjectLock: a transaction-scoped advisory lock on `<bucket>/<name>`, so writes of
 * one object (uploads, copies and moves onto it) take turns and each sees the version it replaces.
 * Waits at most `timeoutMs`, then fails with 55P03 (ResourceLocked).
 */
export async function lockObject(tx: Transaction, bucketId: string, name: string, timeoutMs = 5_000): Promise<void> {
  await tx`select set_config('lock_timeout', ${`${timeoutMs}ms`}, true)`;
  await tx`select pg_advisory_xact_lock(hashtextextended(${`${bucketId}/${name}`}, 0))`;
  await tx`select set_config('lock_timeout', '0', true)`;
}

/** Thrown inside a transaction to roll it back on purpose (Storage's testPermission). */
class RolledBack extends Error {}

export function storageDatabaseUrl(instance: StackInstance): string {
  return `postgresql://supabase_storage_admin:postgres@127.0.0.1:${instance.dbPort}/postgres`;
}

export class StorageDatabase {
  readonly sql: Sql;

  constructor(instance: StackInstance) {
    this.sql = postgres(storageDatabaseUrl(instance), {
      max: 6,
      onnotice: () => {},
      // Storage's pool keeps few idle connections; the stand-in lets them go after a while.
      idle_timeout: 30,
      connection: { application_name: "renum-storage" },
    });
  }

  /** Runs `work` in a transaction as the request's caller. */
  asCaller<T>(scope: RequestScope, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.inScope(scope, scope.caller, work);
  }

  /** Runs `work` in a transaction as service_role (Storage's asSuperUser), keeping the request's operation. */
  asSuperUser<T>(scope: RequestScope, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.inScope(scope, serviceRoleCaller, work);
  }

  /** Runs `work` as the caller and rolls it back: did the policies let it through? Throws what they raised. */
  async testPermission(scope: RequestScope, work: (tx: Transaction) => Promise<unknown>): Promise<void> {
    try {
      await this.asCaller(scope, async (tx) => {
        await work(tx);
        throw new RolledBack();
      });
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
    }
  }

  async end(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  private inScope<T>(scope: RequestScope, caller: Caller, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      await tx`
        select set_config('role', ${caller.role}, true),
               set_config('request.jwt.claim.role', ${caller.role}, true),
               set_config('request.jwt', ${caller.jwt}, true),
               set_config('request.jwt.claim.sub', ${typeof caller.claims.sub === "string" ? caller.claims.sub : ""}, true),
               set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
               set_config('request.headers', ${JSON.stringify(scope.headers)}, true),
               set_config('request.method', ${scope.method}, true),
               set_config('request.path', ${scope.path}, true),
               set_config('storage.operation', ${scope.operation}, true),
               set_config('storage.allow_delete_query', 'true', true)`;
      return work(tx);
    }) as Promise<T>;
  }
}
