// Everything behind the sign-in: the person's profile for the header, their companies for the
// switcher, the one they work in, and the invitations waiting for them. Without a company, only
// creating one or accepting an invitation makes sense (and, for platform admins, their panel), so
// every other page sends them there.
import { redirect } from "@sveltejs/kit";
import { myInvitationList } from "$schemas/invitations.ts";
import { profile as profileSchema } from "$schemas/me.ts";
import { createApi, currentTenants, pageError } from "$lib/server/api";
import type { LayoutServerLoad } from "./$types";

const pagesWithoutCompany = new Set(["/tenants/new", "/invitations"]);

function needsCompany(pathname: string): boolean {
  return !pagesWithoutCompany.has(pathname) && !pathname.startsWith("/invitations/") && pathname !== "/admin" && !pathname.startsWith("/admin/");
}

export const load: LayoutServerLoad = async (event) => {
  const api = createApi(event);
  // The profile, not the sign-up metadata: a name or photo changed in /settings shows at once.
  const [{ tenants, current }, invitations, profile] = await Promise.all([
    currentTenants(event),
    api.get("/invitations", myInvitationList),
    api.get("/me/profile", profileSchema),
  ]).catch(pageError);
  if (!current && needsCompany(event.url.pathname)) redirect(303, "/tenants/new");

  return {
    tenants,
    tenant: current,
    invitations: invitations.items,
    account: {
      email: profile.email ?? event.locals.user?.email ?? "",
      name: profile.full_name?.trim() || null,
      avatarUrl: profile.avatar_url,
      isPlatformAdmin: profile.is_platform_admin,
    },
  };
};
