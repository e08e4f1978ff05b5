// /invitations: the companies that invited the signed-in person (the layout loads them). Declining
// happens here, with the account's address as the proof; accepting takes the e-mailed link.
import { linkedInvitation } from "$schemas/invitations.ts";
import { createApi, formFailure } from "$lib/server/api";
import { optionalText } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions } from "./$types";

export const actions: Actions = {
  decline: async (event) => {
    const data = await event.request.formData();
    const id = optionalText(data, "invitation_id") ?? "";
    try {
      const declined = await createApi(event).post(`/invitations/${encodeURIComponent(id)}/decline`, linkedInvitation, {});
      return notice("invitations.declined", { name: declined.tenant_name });
    } catch (cause) {
      return formFailure(cause);
    }
  },
};
