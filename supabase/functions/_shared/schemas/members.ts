// Members of the current tenant and the invitations its owners and admins send:
// /members, /members/:user_id, /members/invitations.
import { z } from "zod";
import { email, paginated, text, timestamp, uuid } from "./common.ts";
import { memberRole } from "./tenants.ts";

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

export const memberListQuery = z.strictObject({
  page: z.coerce.number({ error: "Must be a number." }).int().min(1).max(100_000).default(1),
  limit: z.coerce.number({ error: "Must be a number." }).int().min(1).max(100).default(50),
  role: memberRole.optional(),
  search: text(200).optional(),
});
export type MemberListQuery = z.input<typeof memberListQuery>;

export const memberParams = z.strictObject({ user_id: uuid() });

export const changeMemberRoleBody = z.strictObject({ role: memberRole });
export type ChangeMemberRoleBody = z.input<typeof changeMemberRoleBody>;

export const inviteMemberBody = z.strictObject({
  email: email(),
  role: memberRole.default("member"),
});
export type InviteMemberBody = z.input<typeof inviteMemberBody>;

export const invitationParams = z.strictObject({ id: uuid() });

// ─── responses ────────────────────────────────────────────────────────────────────────────────

export const member = z.object({
  user_id: uuid(),
  email: z.string().nullable(),
  full_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  role: memberRole,
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Member = z.infer<typeof member>;

export const memberPage = paginated(member);
export type MemberPage = z.infer<typeof memberPage>;

/** An invitation as the inviting tenant's owners and admins see it. */
export const invitation = z.object({
  id: uuid(),
  tenant_id: uuid(),
  email: z.string(),
  role: memberRole,
  invited_by: uuid().nullable(),
  expires_at: timestamp(),
  accepted_at: timestamp().nullable(),
  accepted_by: uuid().nullable(),
  created_at: timestamp(),
});
export type Invitation = z.infer<typeof invitation>;

export const invitationList = z.object({ items: z.array(invitation) });
export type InvitationList = z.infer<typeof invitationList>;
