// The project pages' shared server parts (/projects/new, /projects/[id], /projects/[id]/edit):
// the API path of a project id from the address, the choices of the form (the company's numbers
// and teams), and a failure of the form with its field errors under the form's field names.
import { error, fail } from "@sveltejs/kit";
import { inboxList } from "$schemas/inboxes.ts";
import { teamPage } from "$schemas/teams.ts";
import { messageTemplateList } from "$schemas/message-templates.ts";
import { ApiFailure, type Api } from "./api";
import { projectFieldErrors } from "$lib/projects";
import { isAutomaticallySendableTemplate } from "$lib/messaging/template-preview";

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
  /** The approved Meta templates an invitation may go as, with the number they belong to. */
  templates: { inbox_id: string; inbox_name: string; name: string; language: string; parameter_count: number }[];
}

/** The numbers and teams a project may use (a list the person may not read is simply empty). */
export async function projectChoices(api: Api): Promise<ProjectChoices> {
  const [inboxes, teams] = await Promise.all([
    api.get("/inboxes", inboxList).then((list) => list.items).catch(() => []),
    api.get("/teams", teamPage, { limit: 100 }).then((page) => page.items).catch(() => []),
  ]);
  const named = inboxes.map((inbox) => ({
    id: inbox.id,
    provider: inbox.provider,
    name: inbox.phone_number ? `${inbox.display_name} (${inbox.phone_number})` : inbox.display_name,
  }));
  const templates = await Promise.all(named.filter((inbox) => inbox.provider === "meta_cloud").map((inbox) =>
    api.get(`/inboxes/${inbox.id}/templates`, messageTemplateList)
      .then((list) => list.items.filter(isAutomaticallySendableTemplate).map((template) => ({
        inbox_id: inbox.id, inbox_name: inbox.name, name: template.name, language: template.language, parameter_count: template.body_parameter_count,
      })))
      .catch(() => [])
  ));
  return {
    inboxes: named.map(({ id, name }) => ({ id, name })),
    teams: teams.map((team) => ({ id: team.id, name: team.name })),
    templates: templates.flat(),
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
