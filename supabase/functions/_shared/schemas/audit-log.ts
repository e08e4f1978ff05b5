// The current tenant's audit trail, for its owners and admins: /audit-log.
import { z } from "zod";
import { isoMoment, paginated, paginationQuery, text, timestamp, uuid } from "./common.ts";

export const auditActions = ["insert", "update", "delete", "read", "decrypt"] as const;
export const auditAction = z.enum(auditActions);
export type AuditAction = z.infer<typeof auditAction>;

/** `GET /audit-log`: newest first; `from` inclusive and `to` exclusive, on when the entry was written. */
export const auditLogQuery = z.strictObject({
  ...paginationQuery,
  table_name: text(63).optional(),
  action: auditAction.optional(),
  record_id: text(100).optional(),
  actor_id: uuid().optional(),
  from: isoMoment().optional(),
  to: isoMoment().optional(),
});
export type AuditLogQuery = z.input<typeof auditLogQuery>;

/** One change (or audited read): who, what, and the row before and after, secrets redacted. */
export const auditEntry = z.object({
  id: z.number().int(),
  tenant_id: uuid().nullable(),
  actor_id: uuid().nullable(),
  actor_role: z.string(),
  action: auditAction,
  table_name: z.string(),
  record_id: z.string().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  created_at: timestamp(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditLogPage = paginated(auditEntry);
export type AuditLogPage = z.infer<typeof auditLogPage>;
