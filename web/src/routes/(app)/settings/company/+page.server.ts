// /settings/company: the company's details and its agents' preferences; owners and admins change them.
import { tenant as tenantSchema, tenantSettings, type Tenant, type TenantSettingsBody, type UpdateTenantBody } from "$schemas/tenants.ts";
import { createApi, currentTenants, formFailure } from "$lib/server/api";
import { checked, optionalNumber, optionalText, text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions } from "./$types";

/** Only the fields that differ from the company as it is. */
function changedOnly<T extends Record<string, unknown>>(wanted: T, current: Tenant): Partial<T> {
  return Object.fromEntries(Object.entries(wanted).filter(([field, value]) => value !== current[field as keyof Tenant])) as Partial<T>;
}

export const actions: Actions = {
  details: async (event) => {
    const data = await event.request.formData();
    try {
      const { current } = await currentTenants(event);
      if (!current) return notice("common.saved");
      const taxId = optionalText(data, "tax_id");
      const wanted: UpdateTenantBody = {
        name: text(data, "name") ?? "",
        slug: (text(data, "slug") ?? "").trim().toLowerCase(),
        // The API answers the CNPJ as its 14 digits: compare like with like.
        tax_id: taxId ? taxId.replace(/[\s./-]/g, "") : null,
      };
      const changes = changedOnly(wanted, current);
      if (Object.keys(changes).length > 0) {
        if (changes.tax_id) changes.tax_id = taxId;
        await createApi(event).patch(`/tenants/${current.id}`, tenantSchema, changes);
      }
      return notice("company.saved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "details");
    }
  },

  settings: async (event) => {
    const data = await event.request.formData();
    try {
      const { current } = await currentTenants(event);
      if (!current) return notice("common.saved");
      const wanted = {
        agents_endpoint_url: optionalText(data, "agents_endpoint_url") ?? null,
        agents_timeout_ms: optionalNumber(data, "agents_timeout_ms"),
        default_agent_type: optionalText(data, "default_agent_type"),
        rag_enabled: checked(data, "rag_enabled"),
        rag_top_k: optionalNumber(data, "rag_top_k"),
      };
      const changes = changedOnly(wanted, current) as TenantSettingsBody;
      if (Object.keys(changes).length > 0) await createApi(event).patch(`/tenants/${current.id}/settings`, tenantSettings, changes);
      return notice("company.settingsSaved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "settings");
    }
  },
};
