// /admin/tenants/[id]: one company as the platform admins see it (details, members) and its status:
// suspend, mark inactive or reactivate, after a confirmation. The read and the change are both
// audited by the database (admin_get_tenant, the tenants trigger).
import { fail } from "@sveltejs/kit";
import { adminTenant, adminTenantStatus } from "$schemas/admin.ts";
import { tenantStatuses, type TenantStatus } from "$schemas/tenants.ts";
import { adminPageError, notFoundForOthers } from "$lib/server/admin";
import { ApiFailure, createApi, formFailure } from "$lib/server/api";
import { text } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  if (!uuidPattern.test(event.params.id)) notFoundForOthers();
  try {
    return { company: await createApi(event).get(`/admin/tenants/${event.params.id}`, adminTenant) };
  } catch (cause) {
    adminPageError(cause);
  }
};

export const actions: Actions = {
  status: async (event) => {
    const status = text(await event.request.formData(), "status") ?? "";
    if (!(tenantStatuses as readonly string[]).includes(status)) return fail(422, { message: "Unknown status.", code: "validation_failed" });
    if (!uuidPattern.test(event.params.id)) notFoundForOthers();
    try {
      const changed = await createApi(event).patch(`/admin/tenants/${event.params.id}`, adminTenantStatus, { status: status as TenantStatus });
      return notice("admin.statusChanged", { name: changed.name, status: changed.status });
    } catch (cause) {
      if (cause instanceof ApiFailure && cause.status === 403) notFoundForOthers();
      return formFailure(cause);
    }
  },
};
