// Duplicating an agent or a team: the copy is made through the API as a new one, from what was
// read back, so every rule of creating one applies to it as well. A copy of an agent starts as a
// draft (it is made to be changed, and the team forms warn before a draft runs); a copy of a team
// has the same agents, workflow and settings.
import type { Agent, CreateAgentBody } from "$schemas/agents.ts";
import type { Team, TeamDefinitionBody } from "$schemas/teams.ts";
import type { Locale } from "$lib/i18n/locales";

const maxName = 120;
const copyWords: Record<Locale, (name: string) => string> = {
  "pt-BR": (name) => `Cópia de ${name}`,
  en: (name) => `Copy of ${name}`,
};

/** "Cópia de <name>" in the page's language, cut to the names' 120 characters. */
export function copyName(name: string, locale: Locale): string {
  return Array.from(copyWords[locale](name)).slice(0, maxName).join("");
}

export function agentCopy(agent: Agent, locale: Locale): CreateAgentBody {
  const { description, type, provider, model, system_prompt, temperature, max_tokens, config, tools, knowledge_base_ids } = agent;
  return {
    name: copyName(agent.name, locale),
    description,
    type,
    provider,
    model,
    system_prompt,
    temperature,
    max_tokens,
    config,
    tools,
    knowledge_base_ids,
    status: "draft",
  };
}

export function teamCopy(team: Team, locale: Locale): TeamDefinitionBody {
  return {
    name: copyName(team.name, locale),
    description: team.description,
    is_active: team.is_active,
    workflow_type: team.workflow_type,
    config: team.config,
    agents: team.agents.map(({ agent_id, role, execution_order, input, conditions, config }) => ({ agent_id, role, execution_order, input, conditions, config })),
  };
}
