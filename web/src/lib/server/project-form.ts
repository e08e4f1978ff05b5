// The project pages' shared server parts (/projects/new, /projects/[id], /projects/[id]/edit):
// the API path of a project id from the address, the choices of the form (the company's numbers
// and teams), and a failure of the form with its field errors under the form's field names.
import { error, fail } from "@sveltejs/kit";
import { inboxList } from "$schemas/inboxes.ts";
import { teamPage } from "$schemas/teams.ts";
import { ApiFailure, type Api } from "./api";
import { projectFieldErrors } from "$lib/projects";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function projectPath(id: string): string {
  // Not an id at all: the same "not found" as an id that names nothing the user may see.
  if (!uuidPattern.test(id)) error(404, { message: "Project not found.", code: "project_not_found" });
  return `/projects/${id}`;
}

export function isUuid(id: string | undefined | null): id is string {
  return !!id && uuidPattern.test(id);
}

export interface ProjectChoices {
  inboxes: { id: string; name: string }[];
  teams: { id: string; name: string }[];
}

/** The numbers and teams a project may use (a list the person may not read is simply empty). */
export async function projectChoices(api: Api): Promise<ProjectChoices> {
  const [inboxes, teams] = await Promise.all([
    api.get("/inboxes", inboxList).then((list) => list.items).catch(() => []),
    api.get("/teams", teamPage, { limit: 100 }).then((page) => page.items).catch(() => []),
  ]);
  return {
    inboxes: inboxes.map((inbox) => ({ id: inbox.id, name: inbox.phone_number ? `${inbox.display_name} (${inbox.phone_number})` : inbox.display_name })),
    teams: teams.map((team) => ({ id: team.id, name: team.name })),
  };
}

/** The project form refused: the API's field messages under the form's names (q0_options, hours_mon). */
export function projectFormFailure(cause: unknown, values: Record<string, string>, form = "project") {
  if (cause instanceof ApiFailure) {
    return fail(cause.status, {
      message: cause.message,
      code: cause.code,
      reason: cause.reason(),
      fields: projectFieldErrors(cause.fieldErrors()),
      fieldRules: projectFieldErrors(cause.fieldRules()),
      values,
      form,
    });
  }
  throw cause;
}
