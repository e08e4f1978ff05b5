// /teams/templates: the gallery of ready teams (#18) — lead qualification, market research, content
// pipeline. Choosing one creates its agents (on the demo provider) and the team in one step, in the
// page's language, and opens the new team.
import { redirect } from "@sveltejs/kit";
import { team as teamSchema, teamTemplateList, teamTemplateKeys, type TeamTemplateKey } from "$schemas/teams.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { requireCapability } from "$lib/server/capability-guard";
import { optionalText } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "build_teams");
  try {
    return { templates: (await createApi(event).get("/teams/templates", teamTemplateList)).items };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const chosen = optionalText(data, "template") ?? "";
    const template = (teamTemplateKeys as readonly string[]).includes(chosen) ? (chosen as TeamTemplateKey) : chosen;
    let created;
    try {
      created = await createApi(event).post("/teams/from-template", teamSchema, { template, locale: event.locals.locale });
    } catch (cause) {
      return formFailure(cause, { template: chosen });
    }
    redirect(303, `/teams/${created.id}`);
  },
};
