// What the signed-in person may do in the current company: the API answers each company with the
// capabilities of their role there (public.my_capabilities, the database's one list), and the
// pages offer only what those allow. Never a role compared here: the database decides.
import type { TenantCapability } from "$schemas/tenants.ts";

/**
 * The company's budget and dollar rate are its owners' (public.set_company_budget checks the role;
 * no capability names it): the one place the app reads a role, to offer the form or not.
 */
export function ownsCompany(tenant: { role: string } | null | undefined): boolean {
  return tenant?.role === "owner";
}

export function can(tenant: { capabilities: readonly TenantCapability[] } | null | undefined, capability: TenantCapability): boolean {
  return tenant?.capabilities.includes(capability) ?? false;
}
