// /invitations: the companies that invited the user; accepting one joins it and switches to it.
import { fail, redirect } from "@sveltejs/kit";
import { acceptedInvitation } from "$schemas/invitations.ts";
import { createApi, formFailure, switchTenant } from "$lib/server/api";
import type { Actions } from "./$types";

export const actions: Actions = {
  accept: async (event) => {
    const id = (await event.request.formData()).get("id");
    if (typeof id !== "string" || !id) return fail(422, { message: "Which invitation?", code: "validation_failed", fields: {}, values: {} });
    let membership;
    try {
      membership = await createApi(event).post(`/invitations/${encodeURIComponent(id)}/accept`, acceptedInvitation);
    } catch (cause) {
      return formFailure(cause);
    }
    switchTenant(event, membership.tenant_id);
    redirect(303, "/");
  },
};
