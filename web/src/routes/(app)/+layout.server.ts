// Everything behind the sign-in: the user's companies for the switcher, the one they work in, and
// the invitations waiting for them. Without a company, only creating one or accepting an
// invitation makes sense, so every other page sends them there.
import { redirect } from "@sveltejs/kit";
import { myInvitationList } from "$schemas/invitations.ts";
import { createApi, currentTenants, pageError } from "$lib/server/api";
import type { LayoutServerLoad } from "./$types";

const pagesWithoutCompany = new Set(["/tenants/new", "/invitations"]);

export const load: LayoutServerLoad = async (event) => {
  const api = createApi(event);
  const [{ tenants, current }, invitations] = await Promise.all([
    currentTenants(event),
    api.get("/invitations", myInvitationList),
  ]).catch(pageError);
  if (!current && !pagesWithoutCompany.has(event.url.pathname)) redirect(303, "/tenants/new");

  const user = event.locals.user;
  const fullName = user?.user_metadata?.full_name;
  return {
    tenants,
    tenant: current,
    invitations: invitations.items,
    account: {
      email: user?.email ?? "",
      name: typeof fullName === "string" && fullName.trim() ? fullName.trim() : null,
    },
  };
};
