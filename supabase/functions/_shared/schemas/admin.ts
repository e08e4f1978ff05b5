// The platform admins' panel, through the audited admin_* SQL functions: /admin/tenants.
import { z } from "zod";
import { paginated, paginationQuery, text, timestamp, uuid } from "./common.ts";
import { memberRole, tenantPlan, tenantSettings, tenantStatus } from "./tenants.ts";

export const adminTenantListQuery = z.strictObject({
  ...paginationQuery,
  search: text(200).optional(),
});
export type AdminTenantListQuery = z.input<typeof adminTenantListQuery>;

export const adminTenantParams = z.strictObject({ id: uuid() });

export const setTenantStatusBody = z.strictObject({ status: tenantStatus });
export type SetTenantStatusBody = z.input<typeof setTenantStatusBody>;

export const adminTenantSummary = z.object({
  id: uuid(),
  name: z.string(),
  slug: z.string(),
  plan: tenantPlan,
  status: tenantStatus,
  member_count: z.number().int(),
  created_at: timestamp(),
});
export type AdminTenantSummary = z.infer<typeof adminTenantSummary>;

export const adminTenantPage = paginated(adminTenantSummary);
export type AdminTenantPage = z.infer<typeof adminTenantPage>;

/** One tenant as the admin panel shows it, with its members. */
export const adminTenant = tenantSettings.extend({
  id: uuid(),
  name: z.string(),
  slug: z.string(),
  plan: tenantPlan,
  status: tenantStatus,
  tax_id: z.string().nullable(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
  members: z.array(z.object({ user_id: uuid(), role: memberRole, email: z.string().nullable() })),
});
export type AdminTenant = z.infer<typeof adminTenant>;

/** The tenant after a status change (without members). */
export const adminTenantStatus = adminTenant.omit({ members: true });
export type AdminTenantStatus = z.infer<typeof adminTenantStatus>;
