// The admin console's commands: /admin/commands (supabase/migrations/20261122004200_admin_commands.sql).
import { z } from "zod";
import { jsonObject, longText, timestamp, uuid } from "./common.ts";

export const adminCommandName = z.enum([
  "suspend_company",
  "reactivate_company",
  "resend_interview_invitation",
  "cancel_interview",
  "close_conversation",
  "export_contact",
  "erase_contact",
], { error: "Must be one of the admin commands." });
export type AdminCommandName = z.infer<typeof adminCommandName>;

/** Commands that cannot be undone lightly: the console asks for confirmation and the database for a reason. */
export const destructiveAdminCommands: readonly AdminCommandName[] = ["suspend_company", "cancel_interview", "erase_contact"];

/** Commands only platform admins run (the others: a company's owners too, on their company's targets). */
export const platformAdminCommands: readonly AdminCommandName[] = ["suspend_company", "reactivate_company"];

export const adminCommandEntry = z.object({
  id: z.number(),
  actor_id: z.string(),
  actor_role: z.enum(["platform_admin", "owner"]),
  tenant_id: z.string(),
  command: adminCommandName,
  target_id: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  status: z.enum(["succeeded", "failed"]),
  result: z.unknown().nullable(),
  error: z.object({ state: z.string(), code: z.string(), message: z.string() }).nullable(),
  created_at: timestamp(),
});
export type AdminCommandEntry = z.infer<typeof adminCommandEntry>;

export const adminCommandAnswer = z.object({
  command: adminCommandEntry,
  /** The exported document, for export_contact only. */
  output: z.record(z.string(), z.unknown()).nullable(),
});
export type AdminCommandAnswer = z.infer<typeof adminCommandAnswer>;

export const adminCommandPage = z.object({ items: z.array(adminCommandEntry), next_before: z.number().nullable() });
export type AdminCommandPage = z.infer<typeof adminCommandPage>;

export const runAdminCommandBody = z.strictObject({
  command: adminCommandName,
  target_id: uuid(),
  arguments: jsonObject({ maxDepth: 4, maxBytes: 4096, maxKeys: 20, maxKeyLength: 64 }).optional(),
  reason: longText(1000).optional(),
});
export type RunAdminCommandBody = z.infer<typeof runAdminCommandBody>;

export const adminCommandListQuery = z.strictObject({
  tenant_id: uuid().optional(),
  command: adminCommandName.optional(),
  before: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." }).optional(),
  limit: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(200, { error: "Must be at most 200." }).default(50),
});
