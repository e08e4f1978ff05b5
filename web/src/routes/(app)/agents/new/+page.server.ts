// /agents/new: a new agent of the current company.
import { redirect } from "@sveltejs/kit";
import { agent } from "$schemas/agents.ts";
import { apiKeyList } from "$schemas/api-keys.ts";
import { providerList } from "$schemas/providers.ts";
import { toolList } from "$schemas/tools.ts";
import { knowledgeBaseList } from "$schemas/knowledge.ts";
import { createBody } from "$lib/server/agent-form";
import { requireCapability } from "$lib/server/capability-guard";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { typedValues } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  await requireCapability(event, "build_agents");
  const api = createApi(event);
  try {
    const [tools, keys, providers, knowledgeBases] = await Promise.all([
      api.get("/tools", toolList),
      api.get("/api-keys", apiKeyList),
      api.get("/providers", providerList),
      api.get("/knowledge-bases", knowledgeBaseList),
    ]);
    return { tools: tools.items, keys: keys.items, providers: providers.items, knowledgeBases: knowledgeBases.items };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    let created;
    try {
      created = await createApi(event).post("/agents", agent, createBody(data));
    } catch (cause) {
      return formFailure(cause, typedValues(data));
    }
    redirect(303, `/agents/${created.id}`);
  },
};
