// The company's analytics: tokens and cost per day, cost per agent, each team's performance, over a
// range of UTC days (the last 30 by default), the lead funnel and response times, and when the
// numbers were last refreshed.
import { defaultRange } from "$lib/analytics";
import { createApi, pageError } from "$lib/server/api";
import { agentConsumptionList, analyticsFreshnessList, funnelList, responseTimesList, teamPerformanceList } from "$schemas/analytics.ts";
import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  const fallback = defaultRange();
  const range = {
    from: event.url.searchParams.get("from") || fallback.from,
    to: event.url.searchParams.get("to") || fallback.to,
  };
  try {
    const [teams, agents, funnel, responseTimes, freshness] = await Promise.all([
      api.get("/analytics/team-performance", teamPerformanceList, range),
      api.get("/analytics/agent-consumption", agentConsumptionList, range),
      api.get("/analytics/funnel", funnelList, range),
      api.get("/analytics/response-times", responseTimesList, range),
      api.get("/analytics/freshness", analyticsFreshnessList),
    ]);
    const refreshed = freshness.items.map((view) => view.refreshed_at).filter((moment): moment is string => moment !== null).sort();
    return { range, teams: teams.items, agents: agents.items, funnel: funnel.items, responseTimes: responseTimes.items, dataAsOf: refreshed[0] ?? null };
  } catch (cause) {
    pageError(cause);
  }
};
