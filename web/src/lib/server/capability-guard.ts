// Pages that only change things (a new team, the run form, ...) refuse at once, in words, when the
// person's role in the company lacks the capability: better than a form that fails on submit. The
// capabilities are the database's (public.my_capabilities through /tenants); the API refuses anyway.
import { error } from "@sveltejs/kit";
import type { TenantCapability } from "$schemas/tenants.ts";
import { can } from "$lib/capabilities";
import { currentTenants, type ApiEvent } from "./api";

export async function requireCapability(event: ApiEvent, capability: TenantCapability): Promise<void> {
  const { current } = await currentTenants(event);
  if (current && !can(current, capability)) {
    error(403, { message: `Your role in this company does not allow this (${capability}).`, code: "capability_missing", missing: { capability, role: current.role } });
  }
}
