// /executions: the company's runs, newest first, filtered by team, status, the day they were
// created (from and to inclusive, as people read a date range) and text their prompt or result
// contains, or only those waiting for my approval (?awaiting=me), a page at a time.
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
  // The API takes up to 200 characters; more is cut rather than refused (it came from the address bar).
  const search = Array.from((params.get("search") ?? "").trim()).slice(0, 200).join("");
  const awaiting = params.get("awaiting") === "me" ? "me" : undefined;
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  const api = createApi(event);
  try {
    const [executions, teams] = await Promise.all([
      api.get("/executions", executionPage, { page, limit: pageSize, team_id: teamId, status, search: search || undefined, awaiting, ...days.query }),
      api.get("/teams", teamPage, { limit: 100 }),
    ]);
    return {
      executions,
      teams: teams.items.map((team) => ({ id: team.id, name: team.name })),
      filters: { search, team_id: teamId, status: status ?? "", from: days.from, to: days.to, awaiting: awaiting ?? "" },
    };
  } catch (cause) {
    pageError(cause);
  }
};
