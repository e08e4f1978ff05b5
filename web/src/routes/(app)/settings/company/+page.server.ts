// /settings/company: the company's details and its agents' preferences (owners and admins change
// them), and its monthly budget and dollar rate (owners), with this month's spend.
import { dashboardSummary } from "$schemas/dashboard.ts";
import { tenant as tenantSchema, tenantSettings, type Tenant, type TenantSettingsBody, type UpdateTenantBody } from "$schemas/tenants.ts";
import { parseDecimal } from "$lib/i18n/decimal-input";
import { createApi, currentTenants, formFailure, pageError } from "$lib/server/api";
import { checked, optionalNumber, optionalText, text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    return { spent: (await createApi(event).get("/dashboard", dashboardSummary)).spend_this_month_usd };
  } catch (cause) {
    pageError(cause);
  }
};

/** A money or rate field in the page's language ("1.500,50" in pt-BR): null when blank; text that is no number goes on for the API to name. */
function decimalField(data: FormData, name: string, locale: "pt-BR" | "en"): number | string | null {
  const typed = optionalText(data, name);
  if (typed === undefined) return null;
  return parseDecimal(typed, locale) ?? typed;
}

/** Only the fields that differ from the company as it is. */
function changedOnly<T extends Record<string, unknown>>(wanted: T, current: Tenant): Partial<T> {
  return Object.fromEntries(Object.entries(wanted).filter(([field, value]) => value !== current[field as keyof Tenant])) as Partial<T>;
}

export const actions: Actions = {
  budget: async (event) => {
    const data = await event.request.formData();
    try {
      const { current } = await currentTenants(event);
      if (!current) return notice("common.saved");
      await createApi(event).put(`/tenants/${current.id}/budget`, tenantSchema, {
        monthly_budget_usd: decimalField(data, "monthly_budget_usd", event.locals.locale),
        usd_brl_rate: decimalField(data, "usd_brl_rate", event.locals.locale),
      });
      return notice("budget.saved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "budget");
    }
  },

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
      // One host per line (blank lines and spaces ignored); sent only when the list changed.
      const hosts = String(data.get("http_request_hosts") ?? "").split(/\s+/).map((host) => host.trim()).filter(Boolean);
      if (data.has("http_request_hosts") && hosts.join("\n") !== current.http_request_hosts.join("\n")) changes.http_request_hosts = hosts;
      if (Object.keys(changes).length > 0) await createApi(event).patch(`/tenants/${current.id}/settings`, tenantSettings, changes);
      return notice("company.settingsSaved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "settings");
    }
  },
};
