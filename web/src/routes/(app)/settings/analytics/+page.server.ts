// /settings/analytics: the SQL logins of the company's analysts. Owners and admins (capability
// manage_analytics) make one — its password is answered once, with a connection string and a psql
// example, and never again —, list them and revoke them. Everyone else is told why they can't.
import { fail } from "@sveltejs/kit";
import { analystLoginList, createdAnalystLogin } from "$schemas/analytics.ts";
import { can } from "$lib/capabilities";
import { createApi, currentTenants, formFailure, pageError } from "$lib/server/api";
import { analystDatabase } from "$lib/server/config";
import { optionalNumber, optionalText, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    const { current } = await currentTenants(event);
    if (!can(current, "manage_analytics")) return { allowed: false as const, role: current?.role ?? null, logins: [] };
    const logins = await createApi(event).get("/analytics/logins", analystLoginList);
    return { allowed: true as const, role: current?.role ?? null, logins: logins.items };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  create: async (event) => {
    const data = await event.request.formData();
    const timeoutSeconds = optionalNumber(data, "statement_timeout_s");
    try {
      const login = await createApi(event).post("/analytics/logins", createdAnalystLogin, {
        connection_limit: optionalNumber(data, "connection_limit") ?? 5,
        // The form asks in seconds; text that is not a number goes on as it is, for the API to name.
        statement_timeout_ms: typeof timeoutSeconds === "number" ? Math.round(timeoutSeconds * 1000) : (timeoutSeconds ?? 30000),
      });
      return { ...notice("sqlLogins.created"), created: { login, database: analystDatabase() } };
    } catch (cause) {
      return formFailure(cause, typedValues(data), "create");
    }
  },

  revoke: async (event) => {
    const data = await event.request.formData();
    const roleName = optionalText(data, "role_name");
    if (!roleName) return fail(422, { message: "Choose a login.", code: "validation_failed", fields: {}, values: {}, form: "revoke" });
    try {
      await createApi(event).delete(`/analytics/logins/${encodeURIComponent(roleName)}`);
      return notice("sqlLogins.revoked", { login: roleName });
    } catch (cause) {
      return formFailure(cause, {}, "revoke");
    }
  },
};
