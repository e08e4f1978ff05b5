// /invitations/<id>?token=...: where an invitation e-mail's link ends, once /auth/confirm has signed
// the owner of the address in. Shows the company and role, and accepts (joining and switching to
// the company) or declines with the link's token; the database decides who may.
import { fail, redirect } from "@sveltejs/kit";
import { acceptedInvitation, linkedInvitation } from "$schemas/invitations.ts";
import { createApi, formFailure, pageError, switchTenant } from "$lib/server/api";
import type { Actions, PageServerLoad } from "./$types";

function tokenOf(data: FormData): string | null {
  const token = data.get("token");
  return typeof token === "string" && /^[0-9a-f]{64}$/.test(token) ? token : null;
}

const missingToken = () => fail(422, { message: "This invitation link is not complete.", code: "invitation_token_invalid", fields: {}, values: {} });

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get("token") ?? "";
  const path = `/invitations/${encodeURIComponent(event.params.id)}`;
  const invitation = await createApi(event).get(path, linkedInvitation, { token }).catch(pageError);
  return { invitation, token, signedInAs: event.locals.user?.email ?? "" };
};

export const actions: Actions = {
  accept: async (event) => {
    const token = tokenOf(await event.request.formData());
    if (!token) return missingToken();
    let membership;
    try {
      membership = await createApi(event).post(`/invitations/${encodeURIComponent(event.params.id)}/accept`, acceptedInvitation, { token });
    } catch (cause) {
      return formFailure(cause);
    }
    switchTenant(event, membership.tenant_id);
    redirect(303, "/");
  },
  decline: async (event) => {
    const token = tokenOf(await event.request.formData());
    if (!token) return missingToken();
    try {
      const invitation = await createApi(event).post(`/invitations/${encodeURIComponent(event.params.id)}/decline`, linkedInvitation, { token });
      return { declined: invitation.tenant_name };
    } catch (cause) {
      return formFailure(cause);
    }
  },
};
