// /settings/keys: the user's provider keys that work in the current company — their personal keys
// and the ones kept for this company — and, for owners and admins, every key stored for the company
// with whether the company's runs may use it. Stored encrypted by the API; only the last four
// characters ever come back, and the key typed into the form is never sent back to the page.
import { fail } from "@sveltejs/kit";
import {
  apiKey,
  apiKeyList,
  apiKeyTestResult,
  companyApiKeyList,
  providerServices,
  type ProviderService,
} from "$schemas/api-keys.ts";
import { createApi, currentTenants, formFailure, pageError, type ApiEvent } from "$lib/server/api";
import { optionalText, text, typedValues } from "$lib/server/forms";
import { testNotice } from "$lib/server/key-test";
import { can } from "$lib/capabilities";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    const [{ current }, keys] = await Promise.all([currentTenants(event), createApi(event).get("/api-keys", apiKeyList)]);
    const managesKeys = can(current, "share_keys");
    const companyKeys = current && managesKeys
      ? (await createApi(event).get("/api-keys/company", companyApiKeyList, { tenant_id: current.id })).items
      : null;
    return { keys: keys.items.filter((key) => key.tenant_id === null || key.tenant_id === current?.id), companyKeys };
  } catch (cause) {
    pageError(cause);
  }
};

/** The service and scope a form names: its `service`, and the current company when `scope` is `tenant`. */
async function keyOf(event: ApiEvent, data: FormData) {
  const service = optionalText(data, "service");
  if (!service || !(providerServices as readonly string[]).includes(service)) return null;
  const tenantId = optionalText(data, "scope") === "tenant" ? ((await currentTenants(event)).current?.id ?? null) : null;
  return { service: service as ProviderService, tenantId };
}

const serviceRequired = (form: string) =>
  fail(422, { message: "Choose a service.", code: "validation_failed", fields: { service: "Must not be empty." }, values: {}, form });

export const actions: Actions = {
  save: async (event) => {
    const data = await event.request.formData();
    const form = optionalText(data, "form") ?? "add";
    const key = await keyOf(event, data);
    if (!key) return serviceRequired(form);
    try {
      const saved = await createApi(event).post("/api-keys", apiKey, {
        service: key.service,
        api_key: text(data, "api_key") ?? "",
        tenant_id: key.tenantId,
        endpoint_url: optionalText(data, "endpoint_url") ?? null,
      });
      return notice("keys.saved", { service: `keys.services.${key.service}`, lastFour: saved.key_last_four }, "success", ["service"]);
    } catch (cause) {
      // Never the key itself: it goes back neither in the page nor in the form.
      return formFailure(cause, typedValues(data, "api_key"), form);
    }
  },

  test: async (event) => {
    const data = await event.request.formData();
    const key = await keyOf(event, data);
    if (!key) return serviceRequired("test");
    try {
      const result = await createApi(event).post(
        `/api-keys/${key.service}/test`,
        apiKeyTestResult,
        undefined,
        { tenant_id: key.tenantId },
        [502, 504],
      );
      return testNotice(key.service, result);
    } catch (cause) {
      return formFailure(cause, {}, "test");
    }
  },

  /** An owner or admin lets the company's runs use a key stored for the company, or stops it. */
  share: async (event) => {
    const data = await event.request.formData();
    const keyId = optionalText(data, "key_id");
    if (!keyId) return fail(422, { message: "Choose a key.", code: "validation_failed", fields: {}, values: {}, form: "share" });
    const shared = optionalText(data, "shared") === "true";
    try {
      const key = await createApi(event).put(`/api-keys/${encodeURIComponent(keyId)}/sharing`, apiKey, { shared });
      return notice(shared ? "keys.company.sharedNotice" : "keys.company.unsharedNotice", { service: `keys.services.${key.service}`, lastFour: key.key_last_four }, "success", ["service"]);
    } catch (cause) {
      return formFailure(cause, {}, "share");
    }
  },

  delete: async (event) => {
    const data = await event.request.formData();
    const key = await keyOf(event, data);
    if (!key) return serviceRequired("delete");
    try {
      await createApi(event).delete(`/api-keys/${key.service}`, { tenant_id: key.tenantId });
      return notice("keys.deleted", { service: `keys.services.${key.service}` }, "success", ["service"]);
    } catch (cause) {
      return formFailure(cause, {}, "delete");
    }
  },
};
