// The dashboard: the company at a glance (agents by status, people, provider keys) and the next
// step when something is missing.
import { agentPage } from "$schemas/agents.ts";
import { apiKeyList } from "$schemas/api-keys.ts";
import { memberPage } from "$schemas/members.ts";
import { createApi, currentTenants, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  try {
    const { current } = await currentTenants(event);
    const [recent, active, drafts, members, keys] = await Promise.all([
      api.get("/agents", agentPage, { limit: 5 }),
      api.get("/agents", agentPage, { limit: 1, status: "active" }),
      api.get("/agents", agentPage, { limit: 1, status: "draft" }),
      api.get("/members", memberPage, { limit: 1 }),
      api.get("/api-keys", apiKeyList),
    ]);
    return {
      recentAgents: recent.items,
      counts: {
        agents: recent.total,
        active: active.total,
        drafts: drafts.total,
        members: members.total,
        // The keys this company's agents can use: the user's personal ones and the company's.
        keys: keys.items.filter((key) => key.tenant_id === null || key.tenant_id === current?.id).length,
      },
    };
  } catch (cause) {
    pageError(cause);
  }
};
