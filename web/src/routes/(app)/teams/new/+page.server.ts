// /teams/new: the wizard for a new team of the company's agents.
import { redirect } from "@sveltejs/kit";
import { team } from "$schemas/teams.ts";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, pageError } from "$lib/server/api";
import { approverChoices, choosableAgents, definitionFrom, isFailure, teamFailure } from "$lib/server/team-form";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "build_teams");
  try {
    const api = createApi(event);
    const [agents, approvers] = await Promise.all([choosableAgents(api), approverChoices(api)]);
    return { agents, approvers };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const definition = definitionFrom(await event.request.formData());
    if (isFailure(definition)) return definition;
    let created;
    try {
      created = await createApi(event).post("/teams", team, definition);
    } catch (cause) {
      return teamFailure(cause);
    }
    redirect(303, `/teams/${created.id}`);
  },
};
