// /settings/inboxes/templates/<inbox id>: a Meta number's message templates — what WhatsApp lets
// the company send outside the 24-hour window — with their status as Meta last said, and for
// owners and admins "sync from Meta" (the API reads Meta's list with the number's token). Another
// company's number answers 404; a Z-API or Evolution number has none (the page says so). Owners
// and admins also choose the template free text goes as outside the window (PUT window-template).
import { inbox } from "$schemas/inboxes.ts";
import { messageTemplateList, templateSyncResult } from "$schemas/message-templates.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { notice } from "$lib/notice";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function inboxPath(id: string): string {
  if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
  return `/inboxes/${id}`;
}

export const load: PageServerLoad = async (event) => {
  const path = inboxPath(event.params.id);
  const api = createApi(event);
  try {
    const number = await api.get(path, inbox);
    const templates = number.provider === "meta_cloud" ? (await api.get(`${path}/templates`, messageTemplateList)).items : [];
    return { inbox: number, templates };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  window: async (event) => {
    const chosen = String((await event.request.formData()).get("window_template") ?? "");
    const [name, language = ""] = chosen.split("|");
    try {
      const saved = await createApi(event).put(`${inboxPath(event.params.id)}/window-template`, inbox, {
        template: chosen === "" ? null : { name, language },
      });
      return saved.window_template
        ? notice("inboxes.templates.window.saved", { name: saved.window_template.name })
        : notice("inboxes.templates.window.cleared");
    } catch (cause) {
      return formFailure(cause, { window_template: chosen }, "window");
    }
  },
  sync: async (event) => {
    try {
      const result = await createApi(event).post(`${inboxPath(event.params.id)}/templates/sync`, templateSyncResult);
      return notice("inboxes.templates.synced", { count: result.synced });
    } catch (cause) {
      return formFailure(cause, {}, "sync");
    }
  },
};
