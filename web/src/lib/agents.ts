// What the agent pages know about providers and models (the API knows the rest).
import type { AgentProvider } from "$schemas/agents.ts";

/** Models with a published price (the model_prices table's seed), offered as suggestions. */
export const modelSuggestions: Record<AgentProvider, string[]> = {
  "openai-compatible": ["gpt-4o-mini", "gpt-4o"],
  anthropic: ["claude-sonnet-4-5", "claude-haiku-4-5"],
  suna: [],
  "agent-api": [],
  demo: ["demo-small", "demo-large"],
};

/** The definition fields a person edits, in the order the version history names them. */
export const definitionFields = [
  "name",
  "description",
  "type",
  "provider",
  "model",
  "system_prompt",
  "temperature",
  "max_tokens",
  "tools",
  "knowledge_base_ids",
  "config",
  "status",
] as const;

/** Which definition fields differ between two versions' definitions. */
export function changedFields(newer: Record<string, unknown>, older: Record<string, unknown> | undefined): string[] {
  if (!older) return [];
  return definitionFields.filter((field) => JSON.stringify(newer[field] ?? null) !== JSON.stringify(older[field] ?? null));
}
