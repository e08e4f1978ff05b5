// POST /tenant: work in another of the user's companies (remembered in a cookie, sent as X-Tenant-Id).
// `redirect_to` (a path of this app) opens a page of that company, such as the run a link pointed to.
import { fail, redirect } from "@sveltejs/kit";
import { currentTenants, switchTenant } from "$lib/server/api";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const chosen = data.get("tenant_id");
    const { tenants } = await currentTenants(event);
    const tenant = tenants.find((candidate) => candidate.id === chosen);
    if (!tenant) return fail(404, { message: "No company with this id is among yours.", code: "tenant_not_found" });
    switchTenant(event, tenant.id);
    // Pages of one company (an agent, say) mean nothing in another: start from its dashboard,
    // unless the page asked for is the one that company holds.
    const back = data.get("redirect_to");
    redirect(303, typeof back === "string" && back.startsWith("/") && !back.startsWith("//") && !back.startsWith("/\\") ? back : "/");
  },
};
