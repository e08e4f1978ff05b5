// /projects/new: a new project (a draft) with its script; those who handle conversations create.
import { redirect } from "@sveltejs/kit";
import { project } from "$schemas/projects.ts";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, pageError } from "$lib/server/api";
import { typedValues } from "$lib/server/forms";
import { projectChoices, projectFormFailure } from "$lib/server/project-form";
import { projectBody } from "$lib/projects";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "handle_conversations");
  try {
    return { choices: await projectChoices(createApi(event)) };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const values = typedValues(await event.request.formData());
    let created;
    try {
      created = await createApi(event).post("/projects", project, projectBody(values));
    } catch (cause) {
      return projectFormFailure(cause, values);
    }
    redirect(303, `/projects/${created.id}`);
  },
};
