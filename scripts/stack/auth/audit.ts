// auth.audit_log_entries, written as GoTrue's NewAuditLogEntry writes them (GoTrue leaves
// ip_address empty for these actions).
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import type { Queryable } from "./database.ts";

const logTypes = {
  login: "account",
  logout: "account",
  user_signedup: "team",
  user_invited: "team",
  user_deleted: "team",
  token_revoked: "token",
  token_refreshed: "token",
  user_modified: "user",
  user_repeated_signup: "user",
  user_confirmation_requested: "user",
  user_updated_password: "user",
  user_recovery_requested: "user",
  user_reauthenticate_requested: "user",
} as const;

export type AuditAction = keyof typeof logTypes;

export interface AuditActor {
  id: string;
  email: string | null;
  phone: string | null;
  is_sso_user?: boolean;
  raw_user_meta_data?: Record<string, unknown> | null;
}

/** The actor of admin actions: GoTrue records the token's role as the admin "user". */
export function adminActor(role: string): AuditActor {
  return { id: "00000000-0000-0000-0000-000000000000", email: role, phone: null };
}

export async function recordAudit(
  sql: Queryable,
  actor: AuditActor,
  action: AuditAction,
  traits?: Record<string, unknown>,
): Promise<void> {
  const payload: Record<string, unknown> = {
    actor_id: actor.id,
    actor_via_sso: actor.is_sso_user ?? false,
    actor_username: actor.phone || actor.email || "",
    action,
    log_type: logTypes[action],
  };
  const fullName = actor.raw_user_meta_data?.full_name;
  if (fullName !== undefined) payload.actor_name = fullName;
  if (traits) payload.traits = traits;
  await sql`
    insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
    values ('00000000-0000-0000-0000-000000000000', ${randomUUID()}, ${sql.json(payload as postgres.JSONValue)}, clock_timestamp(), '')
  `;
}
