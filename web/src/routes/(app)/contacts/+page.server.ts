// /contacts: the people who wrote to the company, ordered by phone a page at a time (keyset: "next
// page" carries the API's cursor), or the best matches of a search by name or phone; a handler may
// block one, and opt one out of proactive messages (with a reason) or back in.
import { contact, contactPage, contactStatus } from "$schemas/contacts.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { optionalText } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const search = (params.get("search") ?? "").trim().slice(0, 100);
  const status = contactStatus.safeParse(params.get("status")).data ?? "";
  const cursor = (params.get("cursor") ?? "").slice(0, 200);
  try {
    const contacts = await createApi(event).get("/contacts", contactPage, {
      search: search || null,
      status: status || null,
      cursor: search ? null : cursor || null,
      limit: 50,
    });
    return { contacts, filters: { search, status }, paged: cursor !== "" };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  block: async (event) => {
    const data = await event.request.formData();
    const id = optionalText(data, "contact_id") ?? "";
    try {
      if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
      await createApi(event).post(`/contacts/${id}/block`, contact);
      return notice("contacts.blocked");
    } catch (cause) {
      return formFailure(cause, {}, "block");
    }
  },

  optOut: async (event) => {
    const data = await event.request.formData();
    const id = optionalText(data, "contact_id") ?? "";
    const optedOut = optionalText(data, "opted_out") === "true";
    const reason = optionalText(data, "opt_out_reason");
    try {
      if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
      await createApi(event).patch(`/contacts/${id}`, contact, optedOut ? { opted_out: true, opt_out_reason: reason ?? null } : { opted_out: false });
      return notice(optedOut ? "contacts.optedOutNotice" : "contacts.optedInNotice");
    } catch (cause) {
      return formFailure(cause, {}, "optOut");
    }
  },
};
