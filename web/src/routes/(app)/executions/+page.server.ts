// /executions: the company's runs, newest first, filtered by team, status and the day they were
// created (from and to inclusive, as people read a date range), a page at a time.
import { executionPage, executionStatuses, type ExecutionStatus } from "$schemas/executions.ts";
import { teamPage } from "$schemas/teams.ts";
import { createApi, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const pageSize = 20;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** The day after `date` (YYYY-MM-DD): the API's `to` is exclusive, the form's is the last day included. */
function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function validDate(value: string | null): string {
  return value && datePattern.test(value) && !Number.isNaN(Date.parse(value)) ? value : "";
}

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const teamId = uuidPattern.test(params.get("team_id") ?? "") ? params.get("team_id")!.toLowerCase() : "";
  const requestedStatus = params.get("status") ?? "";
  const status = (executionStatuses as readonly string[]).includes(requestedStatus) ? (requestedStatus as ExecutionStatus) : null;
  const from = validDate(params.get("from"));
  const to = validDate(params.get("to"));
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  const api = createApi(event);
  try {
    const [executions, teams] = await Promise.all([
      api.get("/executions", executionPage, { page, limit: pageSize, team_id: teamId, status, from, to: to ? dayAfter(to) : "" }),
      api.get("/teams", teamPage, { limit: 100 }),
    ]);
    return {
      executions,
      teams: teams.items.map((team) => ({ id: team.id, name: team.name })),
      filters: { team_id: teamId, status: status ?? "", from, to },
    };
  } catch (cause) {
    pageError(cause);
  }
};
