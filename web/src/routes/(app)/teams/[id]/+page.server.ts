// /teams/[id]: one team — its workflow, agents and settings; edit, run, duplicate or delete it. Another
// company's team answers 404, exactly like one that does not exist.
import { redirect } from "@sveltejs/kit";
import { team as teamSchema } from "$schemas/teams.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { teamCopy } from "$lib/server/duplicate";
import { teamPath } from "$lib/server/team-form";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const path = teamPath(event.params.id);
  try {
    return { team: await createApi(event).get(path, teamSchema) };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  duplicate: async (event) => {
    const path = teamPath(event.params.id);
    let copy;
    try {
      const api = createApi(event);
      copy = await api.post("/teams", teamSchema, teamCopy(await api.get(path, teamSchema), event.locals.locale));
    } catch (cause) {
      return formFailure(cause, {}, "duplicate");
    }
    redirect(303, `/teams/${copy.id}`);
  },

  delete: async (event) => {
    const path = teamPath(event.params.id);
    try {
      await createApi(event).delete(path);
    } catch (cause) {
      return formFailure(cause, {}, "delete");
    }
    redirect(303, "/teams");
  },
};
