// The agent form's fields as the API's create and update bodies.
import type { Agent, CreateAgentBody, UpdateAgentBody } from "$schemas/agents.ts";
import { all, optionalNumber, optionalText, text } from "./forms";

/**
 * Everything the form sent. Numbers typed as text that is not a number are passed on as text,
 * so the API names the field (the API validates every field; this only reshapes the form).
 */
export function agentFromForm(data: FormData): Record<string, unknown> {
  return {
    name: text(data, "name") ?? "",
    description: text(data, "description") ?? "",
    type: optionalText(data, "type"),
    provider: optionalText(data, "provider"),
    model: (text(data, "model") ?? "").trim(),
    system_prompt: text(data, "system_prompt") ?? "",
    temperature: optionalNumber(data, "temperature"),
    max_tokens: optionalNumber(data, "max_tokens"),
    tools: all(data, "tools"),
    // Only when the form had the picker: a form without it leaves the agent's bases alone.
    knowledge_base_ids: data.has("knowledge_base_ids_sent") ? all(data, "knowledge_base_ids") : undefined,
    status: optionalText(data, "status"),
  };
}

export function createBody(data: FormData): CreateAgentBody {
  const fields = agentFromForm(data);
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as CreateAgentBody;
}

/** Only what changed (so an archived agent's status is not sent back, and nothing else is touched). */
export function updateBody(data: FormData, agent: Agent): UpdateAgentBody {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(agentFromForm(data))) {
    if (value === undefined) continue;
    const current = agent[field as keyof Agent];
    const same =
      Array.isArray(value) && Array.isArray(current)
        ? [...value].sort().join("\n") === [...current].map(String).sort().join("\n")
        : value === current;
    if (!same) changed[field] = value;
  }
  return changed as UpdateAgentBody;
}
