// Agents of the current tenant and agents shared with the caller: /agents, /agents/:id,
// /agents/:id/archive, /agents/:id/versions.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { jsonObject, longText, paginated, paginationQuery, storableString, text, timestamp, uuid } from "./common.ts";

export const agentTypes = Constants.public.Enums.agent_type;
export const agentProviders = Constants.public.Enums.agent_provider;
export const agentStatuses = Constants.public.Enums.agent_status;

export const agentType = z.enum(agentTypes);
export const agentProvider = z.enum(agentProviders);
export const agentStatus = z.enum(agentStatuses);
export type AgentType = z.infer<typeof agentType>;
export type AgentProvider = z.infer<typeof agentProvider>;
export type AgentStatus = z.infer<typeof agentStatus>;

/**
 * What the caller may do with an agent: `owner` — it belongs to the current tenant (what the
 * caller's role there allows); `edit` — shared with them for editing; `use` — shared read-only.
 */
export const agentAccess = z.enum(["owner", "edit", "use"]);
export type AgentAccess = z.infer<typeof agentAccess>;

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

const definition = {
  name: text(120),
  description: longText(2000),
  type: agentType,
  provider: agentProvider,
  model: text(200),
  system_prompt: longText(100_000),
  temperature: z.number().min(0, { error: "Must be between 0 and 2." }).max(2, { error: "Must be between 0 and 2." }),
  max_tokens: z.number().int({ error: "Must be a whole number." }).min(1).max(200_000),
  // Provider-specific settings; the database checks them against the provider and names the field.
  // Bounds as the agents_config_bounded check (supabase/migrations/20261122000050_input_bounds.sql).
  config: jsonObject({ maxDepth: 8, maxBytes: 16_384, maxKeys: 32, maxKeyLength: 64 }),
  // Reserved: stored, versioned and validated against the registry, but no provider call uses them
  // yet (tools reach runs with the tools/MCP issue, knowledge bases with the knowledge issue).
  tools: z.array(storableString().min(1).max(64)).max(64, { error: "Must have at most 64 tools." }),
  knowledge_base_ids: z.array(uuid()).max(100, { error: "Must have at most 100 knowledge bases." }),
  // Archiving has its own endpoint (POST /agents/:id/archive), which also says what it does.
  status: z.enum(["draft", "active"]),
};

export const createAgentBody = z.strictObject({
  ...definition,
  description: definition.description.optional(),
  type: definition.type.optional(),
  provider: definition.provider.optional(),
  system_prompt: definition.system_prompt.optional(),
  temperature: definition.temperature.optional(),
  max_tokens: definition.max_tokens.optional(),
  config: definition.config.optional(),
  tools: definition.tools.optional(),
  knowledge_base_ids: definition.knowledge_base_ids.optional(),
  status: definition.status.optional(),
});
export type CreateAgentBody = z.input<typeof createAgentBody>;

export const updateAgentBody = z.strictObject(definition).partial().refine(
  (value) => Object.keys(value).length > 0,
  { error: "Send at least one field to change." },
);
export type UpdateAgentBody = z.input<typeof updateAgentBody>;

export const agentListQuery = z.strictObject({
  ...paginationQuery,
  search: text(200).optional(),
  status: agentStatus.optional(),
});
export type AgentListQuery = z.input<typeof agentListQuery>;

export const agentParams = z.strictObject({ id: uuid() });

// ─── responses ────────────────────────────────────────────────────────────────────────────────

export const agent = z.object({
  id: uuid(),
  tenant_id: uuid(),
  name: z.string(),
  description: z.string(),
  type: agentType,
  provider: agentProvider,
  model: z.string(),
  system_prompt: z.string(),
  temperature: z.number(),
  max_tokens: z.number().int(),
  config: z.record(z.string(), z.unknown()),
  tools: z.array(z.string()),
  knowledge_base_ids: z.array(uuid()),
  status: agentStatus,
  version: z.number().int(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
  access: agentAccess,
});
export type Agent = z.infer<typeof agent>;

export const agentPage = paginated(agent);
export type AgentPage = z.infer<typeof agentPage>;

/** An immutable snapshot of an agent's definition, one per change. */
export const agentVersion = z.object({
  id: uuid(),
  agent_id: uuid(),
  version: z.number().int(),
  definition: z.record(z.string(), z.unknown()),
  created_by: uuid().nullable(),
  created_at: timestamp(),
});
export type AgentVersion = z.infer<typeof agentVersion>;

export const agentVersionPage = paginated(agentVersion);
export type AgentVersionPage = z.infer<typeof agentVersionPage>;
