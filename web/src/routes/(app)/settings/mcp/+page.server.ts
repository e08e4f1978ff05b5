// /settings/mcp: the company's MCP tokens, for AI clients that read (and, with read_write, run) its
// data through the `mcp` function. Owners and admins (capability manage_tools) make one — answered
// once, with the client configuration to paste —, see when each was last used, and revoke it.
// Everyone else is told why they can't.
import { fail } from "@sveltejs/kit";
import { createdMcpToken, mcpTokenList, mcpTokenScopes, type McpToken } from "$schemas/mcp-tokens.ts";
import { can } from "$lib/capabilities";
import { createApi, currentTenants, formFailure, pageError } from "$lib/server/api";
import { supabaseConfig } from "$lib/server/config";
import { optionalText, typedValues } from "$lib/server/forms";
import { mcpTokenExpiry, mcpTokenLifetimes, type McpTokenLifetime } from "$lib/mcp-tokens";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    const { current } = await currentTenants(event);
    if (!can(current, "manage_tools")) return { allowed: false as const, role: current?.role ?? null, tokens: [] as McpToken[] };
    const tokens = await createApi(event).get("/mcp-tokens", mcpTokenList);
    return { allowed: true as const, role: current?.role ?? null, tokens: tokens.items };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  create: async (event) => {
    const data = await event.request.formData();
    const scope = optionalText(data, "scope") ?? "read";
    const lifetime = optionalText(data, "lifetime") ?? "90";
    if (!(mcpTokenLifetimes as readonly string[]).includes(lifetime) || !(mcpTokenScopes as readonly string[]).includes(scope)) {
      return fail(422, { message: "Choose a scope and a lifetime from the list.", code: "validation_failed", fields: {}, values: typedValues(data), form: "create" });
    }
    const expiresAt = mcpTokenExpiry(lifetime as McpTokenLifetime);
    try {
      const token = await createApi(event).post("/mcp-tokens", createdMcpToken, { name: optionalText(data, "name") ?? "", scope, expires_at: expiresAt });
      return { ...notice("mcpTokens.created", { name: token.name }), created: { token, endpoint: `${supabaseConfig().functionsUrl}/mcp` } };
    } catch (cause) {
      return formFailure(cause, typedValues(data), "create");
    }
  },

  revoke: async (event) => {
    const data = await event.request.formData();
    const id = optionalText(data, "token_id");
    if (!id) return fail(422, { message: "Choose a token.", code: "validation_failed", fields: {}, values: {}, form: "revoke" });
    try {
      await createApi(event).delete(`/mcp-tokens/${encodeURIComponent(id)}`);
      return notice("mcpTokens.revoked");
    } catch (cause) {
      return formFailure(cause, {}, "revoke");
    }
  },
};
