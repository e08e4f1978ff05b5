// /settings/members: the company's people and their roles, and the invitations its owners and admins send.
import { invitation, invitationList, member, memberPage, type Invitation } from "$schemas/members.ts";
import { memberRoles, type MemberRole } from "$schemas/tenants.ts";
import { ApiFailure, createApi, formFailure, pageError } from "$lib/server/api";
import { optionalText, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  try {
    const [members, invitations] = await Promise.all([
      api.get("/members", memberPage, { limit: 100 }),
      // Only owners and admins see the pending invitations; the others are told so, not shown an error.
      api.get("/members/invitations", invitationList).catch((cause: unknown) => {
        if (cause instanceof ApiFailure && cause.status === 403) return { items: [] as Invitation[] };
        throw cause;
      }),
    ]);
    return { members: members.items, membersTotal: members.total, pendingInvitations: invitations.items, userId: event.locals.user?.id ?? null };
  } catch (cause) {
    pageError(cause);
  }
};

function role(value: string | undefined): MemberRole | undefined {
  return (memberRoles as readonly string[]).includes(value ?? "") ? (value as MemberRole) : undefined;
}

export const actions: Actions = {
  invite: async (event) => {
    const data = await event.request.formData();
    const email = optionalText(data, "email") ?? "";
    try {
      await createApi(event).post("/members/invitations", invitation, { email, role: role(optionalText(data, "role")) ?? "member" });
      return notice("members.invited", { email });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "invite");
    }
  },

  role: async (event) => {
    const data = await event.request.formData();
    const userId = optionalText(data, "user_id") ?? "";
    try {
      const changed = await createApi(event).patch(`/members/${encodeURIComponent(userId)}`, member, { role: role(optionalText(data, "role")) });
      return notice("members.roleChanged", { name: changed.full_name ?? changed.email ?? "" });
    } catch (cause) {
      return formFailure(cause, {}, "role");
    }
  },

  remove: async (event) => {
    const data = await event.request.formData();
    const userId = optionalText(data, "user_id") ?? "";
    try {
      await createApi(event).delete(`/members/${encodeURIComponent(userId)}`);
      return notice("members.removed", { name: optionalText(data, "name") ?? "" });
    } catch (cause) {
      return formFailure(cause, {}, "remove");
    }
  },

  cancel: async (event) => {
    const id = optionalText(await event.request.formData(), "invitation_id") ?? "";
    try {
      await createApi(event).delete(`/members/invitations/${encodeURIComponent(id)}`);
      return notice("members.invitationCancelled");
    } catch (cause) {
      return formFailure(cause, {}, "cancel");
    }
  },
};
