// Invitations from the invitee's side: /invitations (mine), /invitations/:id (the e-mailed link's
// invitation), /invitations/:id/accept and /invitations/:id/decline with the link's token.
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
  /** The inviter's name from their profile, when they gave one. */
  invited_by_name: z.string().nullable(),
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

/** The one-time token of the invitation e-mail's link (64 hex characters). */
const invitationToken = z.string().regex(/^[0-9a-f]{64}$/, { error: "Must be the token from the invitation link." });

export const invitationTokenQuery = z.strictObject({ token: invitationToken });
export const answerInvitationBody = z.strictObject({ token: invitationToken });
export type AnswerInvitationBody = z.infer<typeof answerInvitationBody>;

/**
 * Declining: with the link's token (any account holding it), or without it for one of the caller's
 * own invitations (the account's address is the invited one), as from the list of invitations.
 */
export const declineInvitationBody = z.strictObject({ token: invitationToken.optional() });
export type DeclineInvitationBody = z.infer<typeof declineInvitationBody>;

/** The invitation an e-mailed link opens, whatever its state. */
export const linkedInvitation = z.object({
  id: uuid(),
  tenant_id: uuid(),
  tenant_name: z.string(),
  email: z.string(),
  role: memberRole,
  invited_by_email: z.string().nullable(),
  invited_by_name: z.string().nullable(),
  expires_at: timestamp(),
  status: z.enum(["pending", "accepted", "declined", "expired"]),
});
export type LinkedInvitation = z.infer<typeof linkedInvitation>;
