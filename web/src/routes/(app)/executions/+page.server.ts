// /executions: the company's runs, newest first, filtered by team, status and the day they were
// created (from and to inclusive, as people read a date range), a page at a time.
import { executionPage, executionStatuses, type ExecutionStatus } from "$schemas/executions.ts";
import { teamPage } from "$schemas/teams.ts";
import { createApi, pageError } from "$lib/server/api";
import { dayRange } from "$lib/server/date-range";
import type { PageServerLoad } from "./$types";

const pageSize = 20;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const teamId = uuidPattern.test(params.get("team_id") ?? "") ? params.get("team_id")!.toLowerCase() : "";
  const requestedStatus = params.get("status") ?? "";
  const status = (executionStatuses as readonly string[]).includes(requestedStatus) ? (requestedStatus as ExecutionStatus) : null;
  const days = dayRange(params);
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  const api = createApi(event);
  try {
    const [executions, teams] = await Promise.all([
      api.get("/executions", executionPage, { page, limit: pageSize, team_id: teamId, status, ...days.query }),
      api.get("/teams", teamPage, { limit: 100 }),
    ]);
    return {
      executions,
      teams: teams.items.map((team) => ({ id: team.id, name: team.name })),
      filters: { team_id: teamId, status: status ?? "", from: days.from, to: days.to },
    };
  } catch (cause) {
    pageError(cause);
  }
};
