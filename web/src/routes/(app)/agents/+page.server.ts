// /agents: the company's agents and those shared with the user, searched by name, by status, a page at a time.
import { agentPage, agentStatuses, type AgentStatus } from "$schemas/agents.ts";
import { createApi, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const pageSize = 20;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const search = params.get("search")?.trim().slice(0, 200) || "";
  const requestedStatus = params.get("status") ?? "";
  const status = (agentStatuses as readonly string[]).includes(requestedStatus) ? (requestedStatus as AgentStatus) : null;
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  try {
    const agents = await createApi(event).get("/agents", agentPage, { page, limit: pageSize, search, status });
    return { agents, search, status };
  } catch (cause) {
    pageError(cause);
  }
};
