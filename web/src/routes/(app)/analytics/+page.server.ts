// The company's analytics: tokens and cost per day, cost per agent, each team's performance, over a
// range of UTC days (the last 30 by default), the conversation funnel (by ISO week) and response times — for all
// inboxes or one (?inbox=<id>; the other charts are the company's whatever the inbox) — and when the
// numbers were last refreshed. An inbox that is not the company's is the API's 404, an error page.
import { defaultRange } from "$lib/analytics";
import { createApi, pageError } from "$lib/server/api";
import { agentConsumptionList, analyticsFreshnessList, funnelList, responseTimesList, teamPerformanceList } from "$schemas/analytics.ts";
import { inboxList } from "$schemas/inboxes.ts";
import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  const fallback = defaultRange();
  const range = {
    from: event.url.searchParams.get("from") || fallback.from,
    to: event.url.searchParams.get("to") || fallback.to,
  };
  const inboxId = event.url.searchParams.get("inbox") || null;
  const byInbox = inboxId === null ? range : { ...range, inbox_id: inboxId };
  try {
    const [teams, agents, funnel, responseTimes, freshness, inboxes] = await Promise.all([
      api.get("/analytics/team-performance", teamPerformanceList, range),
      api.get("/analytics/agent-consumption", agentConsumptionList, range),
      // By ISO week: the table shows each week, the chart their sum (the range's days, as by day).
      api.get("/analytics/funnel", funnelList, { ...byInbox, grain: "week" }),
      api.get("/analytics/response-times", responseTimesList, byInbox),
      api.get("/analytics/freshness", analyticsFreshnessList),
      api.get("/inboxes", inboxList),
    ]);
    const refreshed = freshness.items.map((view) => view.refreshed_at).filter((moment): moment is string => moment !== null).sort();
    return {
      range,
      inboxId,
      inboxes: inboxes.items.map((inbox) => ({ id: inbox.id, name: inbox.display_name })),
      teams: teams.items,
      agents: agents.items,
      funnel: funnel.items,
      responseTimes: responseTimes.items,
      dataAsOf: refreshed[0] ?? null,
    };
  } catch (cause) {
    pageError(cause);
  }
};
