// /teams/[id]/execute: start a run of the team with a prompt and optional variables, then follow
// it live on /executions/<id>.
import { redirect } from "@sveltejs/kit";
import { executionStarted, type ExecuteTeamBody } from "$schemas/executions.ts";
import { team as teamSchema } from "$schemas/teams.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { text } from "$lib/server/forms";
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

/** The variable rows (`variable_name` and `variable_value`, repeated), blank names left out. */
function variablesOf(data: FormData): Record<string, string> | undefined {
  const names = data.getAll("variable_name");
  const values = data.getAll("variable_value");
  const variables: Record<string, string> = {};
  names.forEach((name, index) => {
    const value = values[index];
    if (typeof name === "string" && name.trim() !== "") variables[name.trim()] = typeof value === "string" ? value : "";
  });
  return Object.keys(variables).length > 0 ? variables : undefined;
}

export const actions: Actions = {
  default: async (event) => {
    const path = teamPath(event.params.id);
    const data = await event.request.formData();
    const body: ExecuteTeamBody = { initial_prompt: text(data, "initial_prompt") ?? "", variables: variablesOf(data) };
    let started;
    try {
      started = await createApi(event).post(`${path}/execute`, executionStarted, body);
    } catch (cause) {
      const failure = formFailure(cause, { initial_prompt: body.initial_prompt });
      // One message for the variables, whichever of them the API named.
      const fields = failure.data.fields;
      const variable = Object.keys(fields).find((name) => name.startsWith("variables"));
      if (variable) fields.variables ??= fields[variable];
      return failure;
    }
    redirect(303, `/executions/${started.execution_id}`);
  },
};
