// Invitations from the invitee's side: /invitations (mine) and /invitations/:id/accept.
import { z } from "zod";
import { timestamp, uuid } from "./common.ts";
import { memberRole } from "./tenants.ts";

export { invitationParams } from "./members.ts";

/** An invitation addressed to the caller, with the inviting company's name. */
export const myInvitation = z.object({
  id: uuid(),
  tenant_id: uuid(),
  tenant_name: z.string(),
  tenant_slug: z.string(),
  role: memberRole,
  invited_by_email: z.string().nullable(),
  expires_at: timestamp(),
  created_at: timestamp(),
});
export type MyInvitation = z.infer<typeof myInvitation>;

export const myInvitationList = z.object({ items: z.array(myInvitation) });
export type MyInvitationList = z.infer<typeof myInvitationList>;

/** What accepting answers: the caller's new membership. */
export const acceptedInvitation = z.object({
  tenant_id: uuid(),
  user_id: uuid(),
  role: memberRole,
  created_at: timestamp(),
});
export type AcceptedInvitation = z.infer<typeof acceptedInvitation>;
