// /settings/inboxes/responder/<inbox id>: who answers one number; /settings/inboxes/responder/default:
// the company default, for numbers without settings of their own. Everyone in the company sees
// which settings apply and whose they are; owners and admins (manage_inboxes) change them, or
// remove them (a number then follows the company default, the default then leaves numbers to people).
import { appliedResponder } from "$schemas/responders.ts";
import { inbox as inboxSchema } from "$schemas/inboxes.ts";
import { teamPage } from "$schemas/teams.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { settingsBody } from "$lib/responder-form";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API path of the settings the page is about. */
function settingsPath(scope: string): string {
  if (scope === "default") return "/responder-defaults";
  if (!uuidPattern.test(scope)) error(404, { message: "Not found.", code: "not_found" });
  return `/inboxes/${scope}/responder`;
}

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  const path = settingsPath(event.params.scope);
  try {
    const [applied, teams, inbox] = await Promise.all([
      api.get(path, appliedResponder),
      api.get("/teams", teamPage, { limit: 100 }),
      event.params.scope === "default" ? Promise.resolve(null) : api.get(`/inboxes/${event.params.scope}`, inboxSchema),
    ]);
    return {
      applied,
      inbox: inbox ? { id: inbox.id, display_name: inbox.display_name } : null,
      teams: teams.items.map((team) => ({ id: team.id, name: team.name, is_active: team.is_active })),
    };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  save: async (event) => {
    const data = await event.request.formData();
    const values = typedValues(data);
    try {
      await createApi(event).put(settingsPath(event.params.scope), appliedResponder, settingsBody(values));
      return notice("responder.saved");
    } catch (cause) {
      return formFailure(cause, values, "save");
    }
  },

  remove: async (event) => {
    try {
      await createApi(event).delete(settingsPath(event.params.scope));
      return notice(event.params.scope === "default" ? "responder.defaultRemoved" : "responder.removed");
    } catch (cause) {
      return formFailure(cause, {}, "remove");
    }
  },
};
