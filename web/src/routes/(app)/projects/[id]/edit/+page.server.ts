// /projects/[id]/edit: a project's fields and, while it is a draft, its script. Those who handle
// conversations edit; a completed project is not edited (the API says so if asked anyway).
import { redirect } from "@sveltejs/kit";
import { project as projectSchema } from "$schemas/projects.ts";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, pageError } from "$lib/server/api";
import { typedValues } from "$lib/server/forms";
import { projectChoices, projectFormFailure, projectPath } from "$lib/server/project-form";
import { projectBody } from "$lib/projects";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const path = projectPath(event.params.id);
  await requireCapability(event, "handle_conversations");
  const api = createApi(event);
  try {
    const [project, choices] = await Promise.all([api.get(path, projectSchema), projectChoices(api)]);
    return { project, choices };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const path = projectPath(event.params.id);
    const values = typedValues(await event.request.formData());
    try {
      await createApi(event).patch(path, projectSchema, projectBody(values));
    } catch (cause) {
      return projectFormFailure(cause, values);
    }
    redirect(303, `/projects/${event.params.id}`);
  },
};
