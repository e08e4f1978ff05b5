// MCP tokens as the settings page offers and lists them.
import type { McpToken } from "$schemas/mcp-tokens.ts";

/** How long a new token lasts, as the form offers it: days, or `never`. */
export const mcpTokenLifetimes = ["30", "90", "365", "never"] as const;
export type McpTokenLifetime = (typeof mcpTokenLifetimes)[number];

/** When a token made now with that lifetime expires (undefined: never). */
export function mcpTokenExpiry(lifetime: McpTokenLifetime, now = new Date()): string | undefined {
  return lifetime === "never" ? undefined : new Date(now.getTime() + Number(lifetime) * 86_400_000).toISOString();
}

/** Whether the token still opens the MCP server: not revoked, not past its expiry. */
export function mcpTokenState(token: Pick<McpToken, "revoked_at" | "expires_at">, now = new Date()): "active" | "revoked" | "expired" {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && new Date(token.expires_at) <= now) return "expired";
  return "active";
}
