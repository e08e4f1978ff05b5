// POST /tenant: work in another of the user's companies (remembered in a cookie, sent as X-Tenant-Id).
import { fail, redirect } from "@sveltejs/kit";
import { currentTenants, switchTenant } from "$lib/server/api";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  default: async (event) => {
    const chosen = (await event.request.formData()).get("tenant_id");
    const { tenants } = await currentTenants(event);
    const tenant = tenants.find((candidate) => candidate.id === chosen);
    if (!tenant) return fail(404, { message: "No company with this id is among yours.", code: "tenant_not_found" });
    switchTenant(event, tenant.id);
    // Pages of one company (an agent, say) mean nothing in another: start from its dashboard.
    redirect(303, "/");
  },
};
