// The company's log of MCP calls (#16): /mcp-calls, for the people who manage its MCP tokens.
import { z } from "zod";
import { cursorPage, keysetLimit } from "./contacts.ts";
import { timestamp, uuid } from "./common.ts";

export const mcpCallOutcomes = ["ok", "error"] as const;

export const mcpCall = z.object({
  id: z.number(),
  /** null for a call made with a person's access token, or once its token was deleted. */
  token_id: z.string().nullable(),
  token_name: z.string().nullable(),
  token_prefix: z.string().nullable(),
  /** Who made the call: the token's maker, or the signed-in person. */
  user_id: z.string().nullable(),
  kind: z.enum(["tool", "resource"]),
  /** The tool's name, or the resource's URI. */
  name: z.string(),
  outcome: z.enum(mcpCallOutcomes),
  row_count: z.number().nullable(),
  duration_ms: z.number(),
  created_at: timestamp(),
});
export type McpCall = z.infer<typeof mcpCall>;

export const mcpCallPage = cursorPage(mcpCall);
export type McpCallPage = z.infer<typeof mcpCallPage>;

export const mcpCallListQuery = z.strictObject({
  token_id: uuid().optional(),
  outcome: z.enum(mcpCallOutcomes).optional(),
  cursor: z.string().max(200).optional(),
  limit: keysetLimit,
});
