// MCP tokens of a company: /mcp-tokens. A token is answered once, when made.
import { z } from "zod";
import { isoMoment, list, text, timestamp, uuid } from "./common.ts";

export const mcpTokenScopes = ["read", "read_write"] as const;

export const mcpToken = z.object({
  id: z.string(),
  name: z.string(),
  /** The token's first characters (`rnm_mcp_ab12`), to tell tokens apart. */
  token_prefix: z.string(),
  scope: z.enum(mcpTokenScopes),
  expires_at: timestamp().nullable(),
  revoked_at: timestamp().nullable(),
  last_used_at: timestamp().nullable(),
  created_by: z.string(),
  created_at: timestamp(),
});
export type McpToken = z.infer<typeof mcpToken>;

export const mcpTokenList = list(mcpToken);
export type McpTokenList = z.infer<typeof mcpTokenList>;

/** The answer to POST /mcp-tokens: the token itself, shown this once. */
export const createdMcpToken = mcpToken.extend({ token: z.string() });
export type CreatedMcpToken = z.infer<typeof createdMcpToken>;

export const createMcpTokenBody = z.strictObject({
  name: text(100),
  scope: z.enum(mcpTokenScopes).optional(),
  expires_at: isoMoment().optional(),
});

export const mcpTokenParams = z.strictObject({ id: uuid() });
