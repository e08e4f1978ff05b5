// /teams/[id]/edit: the wizard, filled in with the team; saving replaces its definition (PUT).
import { redirect } from "@sveltejs/kit";
import { team as teamSchema } from "$schemas/teams.ts";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, pageError } from "$lib/server/api";
import { approverChoices, choosableAgents, definitionFrom, isFailure, teamFailure, teamPath } from "$lib/server/team-form";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "build_teams");
  const path = teamPath(event.params.id);
  const api = createApi(event);
  try {
    const [team, agents, approvers] = await Promise.all([api.get(path, teamSchema), choosableAgents(api), approverChoices(api)]);
    return { team, agents, approvers };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const path = teamPath(event.params.id);
    const definition = definitionFrom(await event.request.formData());
    if (isFailure(definition)) return definition;
    try {
      await createApi(event).put(path, teamSchema, definition);
    } catch (cause) {
      return teamFailure(cause);
    }
    redirect(303, path);
  },
};
