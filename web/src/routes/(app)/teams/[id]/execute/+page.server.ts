// /teams/[id]/execute: start a run of the team with a prompt and the variables its agents read
// (each asked for by name, true/false and numbers typed as such), then follow it live on
// /executions/<id>. Drafts and agents without instructions run as they are: the form names them.
// `?from=<run id>` fills the form with what that run of this team was started with (run again,
// editing first).
import { fail, redirect } from "@sveltejs/kit";
import { agentPage } from "$schemas/agents.ts";
import { executionStarted, executionStatusResponse, type ExecuteTeamBody } from "$schemas/executions.ts";
import { team as teamSchema } from "$schemas/teams.ts";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { text } from "$lib/server/forms";
import { teamPath } from "$lib/server/team-form";
import { teamReadiness } from "$lib/team-readiness";
import { teamVariables, typedVariable, variableValue, type VariableKind } from "$lib/team-variables";
import { executionPath } from "$lib/server/executions";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "run_teams");
  const path = teamPath(event.params.id);
  const api = createApi(event);
  try {
    const [team, agents] = await Promise.all([api.get(path, teamSchema), api.get("/agents", agentPage, { limit: 100 })]);
    const instructed = new Map(agents.items.map((agent) => [agent.id, agent.system_prompt.trim() !== ""]));
    const readiness = teamReadiness(
      team.agents.map((member) => ({ name: member.name, status: member.agent_status, has_instructions: instructed.get(member.agent_id) ?? true })),
    );
    return { team, variables: teamVariables(team), readiness, again: await runToRepeat(event, team.id) };
  } catch (cause) {
    pageError(cause);
  }
};

/** The prompt and variables (as typed) of the run `?from=` names, when it is a run of this team. */
async function runToRepeat(event: Parameters<PageServerLoad>[0], teamId: string) {
  const from = event.url.searchParams.get("from");
  if (!from) return null;
  const run = await createApi(event).get(`${executionPath(from)}/status`, executionStatusResponse);
  if (run.team_id !== teamId) return null;
  const variables = Object.entries(run.variables).map(([name, value]) => ({ name, value: typedVariable(value, event.locals.locale) }));
  return { execution_id: run.execution_id, initial_prompt: run.initial_prompt, variables };
}

const kinds = new Set<string>(["boolean", "number", "text"]);

/**
 * The variable rows (`variable_name`, `variable_kind`, `variable_value`, repeated), blank names and
 * blank values left out; field name → problem for a number that is not one.
 */
function variablesOf(data: FormData, locale: Parameters<typeof variableValue>[2]) {
  const names = data.getAll("variable_name");
  const kindsSent = data.getAll("variable_kind");
  const values = data.getAll("variable_value");
  const variables: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  const typedBack: Record<string, string> = {};
  names.forEach((name, index) => {
    if (typeof name !== "string" || name.trim() === "") return;
    const kindSent = kindsSent[index];
    const kind = (typeof kindSent === "string" && kinds.has(kindSent) ? kindSent : "text") as VariableKind;
    const typed = typeof values[index] === "string" ? (values[index] as string) : "";
    typedBack[`variables.${name.trim()}`] = typed;
    const read = variableValue(kind, typed, locale);
    if (read === null) return;
    if ("problem" in read) problems[`variables.${name.trim()}`] = read.problem;
    else variables[name.trim()] = read.value;
  });
  return { variables: Object.keys(variables).length > 0 ? variables : undefined, problems, typedBack };
}

export const actions: Actions = {
  default: async (event) => {
    const path = teamPath(event.params.id);
    const data = await event.request.formData();
    const { variables, problems, typedBack } = variablesOf(data, event.locals.locale);
    // What was typed goes back into the form after a refusal, each variable under its name.
    const values: Record<string, string> = { initial_prompt: text(data, "initial_prompt") ?? "", ...typedBack };
    if (Object.keys(problems).length > 0) {
      return fail(400, { message: "Check the variables.", code: "validation_failed", fields: problems, values });
    }
    const body: ExecuteTeamBody = { initial_prompt: text(data, "initial_prompt") ?? "", variables: variables as ExecuteTeamBody["variables"] };
    let started;
    try {
      started = await createApi(event).post(`${path}/execute`, executionStarted, body);
    } catch (cause) {
      const failure = formFailure(cause, values);
      // One message for the variables, whichever of them the API named.
      const fields = failure.data.fields;
      const variable = Object.keys(fields).find((name) => name.startsWith("variables"));
      if (variable) fields.variables ??= fields[variable];
      return failure;
    }
    redirect(303, `/executions/${started.execution_id}`);
  },
};
