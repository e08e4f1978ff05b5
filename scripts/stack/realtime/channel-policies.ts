import type { Sql } from "postgres";
import type { TokenClaims } from "./realtime-tokens.ts";

// Who may use a private channel is decided by the RLS policies on realtime.messages, evaluated the
// way Realtime.Tenants.Authorization does it, always inside a transaction that is rolled back:
//   read   insert one probe row per extension (broadcast, presence) for the topic, switch to the
//          token's role and claims, and see which probes that role can select;
//   write  switch to the role and claims, and try to insert a probe per extension (each under a
//          savepoint): an RLS refusal (42501) means no.
// `realtime.topic()` returns the channel's topic throughout, so policies can filter on it.

export interface PolicySubject {
  topic: string;
  claims: TokenClaims;
  headers: Record<string, string>;
}

export interface ReadPolicies {
  broadcastRead: boolean;
  presenceRead: boolean;
}

export interface WritePolicies {
  broadcastWrite: boolean;
  presenceWrite: boolean;
}

/** The database could not be asked at all (as opposed to a policy saying no or failing). */
export class PoliciesUnavailable extends Error {}

const insufficientPrivilege = "42501";

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : undefined;
}

export class ChannelPolicies {
  private readonly bypassing = new Map<string, Promise<boolean>>();

  constructor(private readonly sql: Sql) {}

  /**
   * True when `role` bypasses RLS (service_role): every policy probe would pass, so callers may skip
   * it. Asked once per role; an unanswered question is asked again next time.
   */
  bypassesRls(role: string): Promise<boolean> {
    let known = this.bypassing.get(role);
    if (!known) {
      known = this.sql<{ bypass: boolean }[]>`select rolbypassrls as bypass from pg_roles where rolname = ${role}`.then((rows) => rows[0]?.bypass === true);
      this.bypassing.set(role, known);
      known.catch(() => this.bypassing.delete(role));
    }
    return known;
  }

  /** A policy that raises counts as a refusal, as on Supabase (RlsPolicyError → Unauthorized). */
  async read(subject: PolicySubject): Promise<ReadPolicies> {
    return this.inRolledBackTransaction(async (tx) => {
      const probes = await tx<{ id: string; extension: string }[]>`
        insert into realtime.messages (topic, extension)
        values (${subject.topic}, 'broadcast'), (${subject.topic}, 'presence')
        returning id, extension`;
      const broadcastId = probes.find((probe) => probe.extension === "broadcast")?.id;
      const presenceId = probes.find((probe) => probe.extension === "presence")?.id;
      try {
        await this.actAs(tx, subject);
        const visible = await tx<{ id: string }[]>`
          select id from realtime.messages
          where (topic = ${subject.topic} and extension = 'broadcast' and id = ${broadcastId!})
             or (extension = 'presence' and id = ${presenceId!})`;
        const ids = new Set(visible.map((row) => row.id));
        return { broadcastRead: ids.has(broadcastId!), presenceRead: ids.has(presenceId!) };
      } catch (error) {
        if (sqlState(error)) return { broadcastRead: false, presenceRead: false };
        throw error;
      }
    });
  }

  async write(subject: PolicySubject): Promise<WritePolicies> {
    return this.inRolledBackTransaction(async (tx) => {
      try {
        await this.actAs(tx, subject);
        const broadcastWrite = await this.canInsert(tx, subject.topic, "broadcast");
        const presenceWrite = await this.canInsert(tx, subject.topic, "presence");
        return { broadcastWrite, presenceWrite };
      } catch (error) {
        if (sqlState(error)) return { broadcastWrite: false, presenceWrite: false };
        throw error;
      }
    });
  }

  private async actAs(tx: Sql, subject: PolicySubject): Promise<void> {
    await tx`
      select set_config('role', ${subject.claims.role}, true),
             set_config('realtime.topic', ${subject.topic}, true),
             set_config('request.jwt.claims', ${JSON.stringify(subject.claims)}, true),
             set_config('request.headers', ${JSON.stringify(subject.headers)}, true)`;
  }

  private async canInsert(tx: Sql, topic: string, extension: "broadcast" | "presence"): Promise<boolean> {
    await tx`savepoint realtime_write_probe`;
    try {
      await tx`insert into realtime.messages (topic, extension) values (${topic}, ${extension})`;
      return true;
    } catch (error) {
      if (sqlState(error) === insufficientPrivilege) return false;
      throw error;
    } finally {
      await tx`rollback to savepoint realtime_write_probe`;
    }
  }

  private async inRolledBackTransaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    let tx;
    try {
      tx = await this.sql.reserve();
    } catch (error) {
      throw new PoliciesUnavailable(error instanceof Error ? error.message : String(error));
    }
    try {
      await tx`begin`;
      return await work(tx);
    } catch (error) {
      if (error instanceof PoliciesUnavailable || sqlState(error)) throw error;
      throw new PoliciesUnavailable(error instanceof Error ? error.message : String(error));
    } finally {
      await tx`rollback`.catch(() => undefined);
      tx.release();
    }
  }
}
