// /admin: every company on the platform, searchable by name or address, a page at a time, with how
// many people each has. Each read is written to the audit log by the database (admin_list_tenants).
import { adminTenantPage } from "$schemas/admin.ts";
import { adminPageError } from "$lib/server/admin";
import { createApi } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const pageSize = 20;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const search = (params.get("search") ?? "").trim().slice(0, 200);
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  try {
    const tenants = await createApi(event).get("/admin/tenants", adminTenantPage, { search, page, limit: pageSize });
    return { tenants, search };
  } catch (cause) {
    adminPageError(cause);
  }
};
