// /agents/[id]: one agent — edit it (each saved change is a new version), see its versions, share
// it, duplicate it (the company's own agents), archive it. Another company's agent answers 404,
// exactly like one that does not exist.
import { error, redirect } from "@sveltejs/kit";
import { agent as agentSchema, agentVersionPage } from "$schemas/agents.ts";
import { apiKeyList } from "$schemas/api-keys.ts";
import { share, sharePage, type CreateShareBody } from "$schemas/shares.ts";
import { providerList } from "$schemas/providers.ts";
import { toolList } from "$schemas/tools.ts";
import { knowledgeBaseList } from "$schemas/knowledge.ts";
import { updateBody } from "$lib/server/agent-form";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { agentCopy } from "$lib/server/duplicate";
import { optionalText, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function agentPath(id: string): string {
  // Not an id at all: the same "not found" as an id that names nothing the user may see.
  if (!uuidPattern.test(id)) error(404, { message: "Agent not found.", code: "not_found" });
  return `/agents/${id}`;
}

export const load: PageServerLoad = async (event) => {
  const path = agentPath(event.params.id);
  const api = createApi(event);
  try {
    const agent = await api.get(path, agentSchema);
    const [versions, shares, tools, keys, providers, knowledgeBases] = await Promise.all([
      api.get(`${path}/versions`, agentVersionPage, { limit: 50 }),
      // Shares are the agent's company's business: not listed for agents shared with the user.
      agent.access === "owner" ? api.get("/shares", sharePage, { agent_id: agent.id, limit: 100 }) : null,
      api.get("/tools", toolList),
      api.get("/api-keys", apiKeyList),
      api.get("/providers", providerList),
      api.get("/knowledge-bases", knowledgeBaseList),
    ]);
    return {
      agent,
      versions,
      shares: shares?.items ?? [],
      tools: tools.items,
      keys: keys.items,
      providers: providers.items,
      knowledgeBases: knowledgeBases.items,
      userId: event.locals.user?.id ?? null,
    };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  save: async (event) => {
    const path = agentPath(event.params.id);
    const data = await event.request.formData();
    const api = createApi(event);
    try {
      const current = await api.get(path, agentSchema);
      const changes = updateBody(data, current);
      if (Object.keys(changes).length === 0) return notice("common.saved");
      const saved = await api.patch(path, agentSchema, changes);
      return notice("agents.form.saved", { version: saved.version });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "agent");
    }
  },

  duplicate: async (event) => {
    const path = agentPath(event.params.id);
    let copy;
    try {
      const api = createApi(event);
      const agent = await api.get(path, agentSchema);
      // An agent shared with this company is used, not copied: its instructions stay its owner's.
      if (agent.access !== "owner") error(404, { message: "Agent not found.", code: "not_found" });
      copy = await api.post("/agents", agentSchema, agentCopy(agent, event.locals.locale));
    } catch (cause) {
      return formFailure(cause, {}, "duplicate");
    }
    redirect(303, `/agents/${copy.id}`);
  },

  archive: async (event) => {
    const path = agentPath(event.params.id);
    try {
      await createApi(event).post(`${path}/archive`, agentSchema);
      return notice("agents.archive.archived");
    } catch (cause) {
      return formFailure(cause, {}, "archive");
    }
  },

  share: async (event) => {
    agentPath(event.params.id);
    const data = await event.request.formData();
    const grantee = optionalText(data, "grantee") ?? "";
    const kind = optionalText(data, "grantee_kind") === "company" ? "company" : "person";
    const body: CreateShareBody = {
      agent_id: event.params.id,
      permission: optionalText(data, "permission") === "edit" ? "edit" : "use",
      ...(kind === "company" ? { grantee_tenant_slug: grantee.toLowerCase() } : { grantee_email: grantee }),
    };
    try {
      await createApi(event).post("/shares", share, body);
      return notice("agents.sharing.shared");
    } catch (cause) {
      const failure = formFailure(cause, typedValues(data), "share");
      // The form has one field for the grantee, whichever kind it is.
      const fields = failure.data.fields;
      fields.grantee ??= fields.grantee_email ?? fields.grantee_tenant_slug;
      return failure;
    }
  },

  revoke: async (event) => {
    agentPath(event.params.id);
    const shareId = optionalText(await event.request.formData(), "share_id") ?? "";
    try {
      await createApi(event).delete(`/shares/${encodeURIComponent(shareId)}`);
      return notice("agents.sharing.revoked");
    } catch (cause) {
      return formFailure(cause, {}, "revoke");
    }
  },
};
