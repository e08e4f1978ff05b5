// /settings/mcp: the company's MCP tokens, for AI clients that read (and, with read_write, run) its
// data through the `mcp` function. Owners and admins (capability manage_tools) make one — answered
// once, with the client configuration to paste —, see when each was last used, revoke it, and read
// the recent calls (GET /mcp-calls, newest first, older ones by cursor, filtered by result).
// Everyone else is told why they can't.
import { fail } from "@sveltejs/kit";
import { createdMcpToken, mcpTokenList, mcpTokenScopes, type McpToken } from "$schemas/mcp-tokens.ts";
import { mcpCallOutcomes, mcpCallPage, type McpCallPage } from "$schemas/mcp-calls.ts";
import { memberPage } from "$schemas/members.ts";
import { can } from "$lib/capabilities";
import { ApiFailure, createApi, currentTenants, formFailure, pageError } from "$lib/server/api";
import { supabaseConfig } from "$lib/server/config";
import { optionalText, typedValues } from "$lib/server/forms";
import { mcpTokenExpiry, mcpTokenLifetimes, type McpTokenLifetime } from "$lib/mcp-tokens";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

const callsPageSize = 20;

export const load: PageServerLoad = async (event) => {
  try {
    const { current } = await currentTenants(event);
    const nothing = { items: [], next_cursor: null } as McpCallPage;
    if (!can(current, "manage_tools")) {
      return { allowed: false as const, role: current?.role ?? null, tokens: [] as McpToken[], calls: nothing, people: [], filters: { outcome: "", cursor: "" } };
    }
    const params = event.url.searchParams;
    const requested = params.get("outcome") ?? "";
    const outcome = (mcpCallOutcomes as readonly string[]).includes(requested) ? requested : "";
    // A cursor is the API's to judge; a stale or edited one starts the list again.
    const cursor = /^[\w-]{1,200}$/.test(params.get("calls") ?? "") ? params.get("calls")! : "";
    const api = createApi(event);
    const [tokens, calls, members] = await Promise.all([
      api.get("/mcp-tokens", mcpTokenList),
      api.get("/mcp-calls", mcpCallPage, { limit: callsPageSize, outcome, cursor }).catch((cause) => {
        if (cause instanceof ApiFailure && cause.code === "validation_failed") return nothing;
        throw cause;
      }),
      api.get("/members", memberPage, { limit: 100 }),
    ]);
    return {
      allowed: true as const,
      role: current?.role ?? null,
      tokens: tokens.items,
      calls,
      people: members.items.map(({ user_id, full_name, email }) => ({ user_id, full_name, email })),
      filters: { outcome, cursor },
    };
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
