// /tenants/new: create a company; the creator becomes its owner and works in it from then on.
import { redirect } from "@sveltejs/kit";
import { tenant, type CreateTenantBody } from "$schemas/tenants.ts";
import { createApi, formFailure, switchTenant } from "$lib/server/api";
import { optionalText, text, typedValues } from "$lib/server/forms";
import type { Actions } from "./$types";

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const body: CreateTenantBody = {
      name: text(data, "name") ?? "",
      slug: (text(data, "slug") ?? "").trim().toLowerCase(),
      tax_id: optionalText(data, "tax_id") ?? null,
    };
    let created;
    try {
      created = await createApi(event).post("/tenants", tenant, body);
    } catch (cause) {
      return formFailure(cause, typedValues(data));
    }
    switchTenant(event, created.id);
    redirect(303, "/");
  },
};
