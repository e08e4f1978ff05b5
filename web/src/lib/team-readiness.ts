// Agents that run in a team as they are, though they may not be ready: drafts, and agents without
// instructions. Drafts may run (a team is where a draft gets tried out); the wizard and the run form
// say so by name, so nobody runs one without knowing.
export interface AgentReadiness {
  name: string;
  status: string;
  /** The agent's system prompt has text. */
  has_instructions: boolean;
}

export interface TeamReadiness {
  drafts: string[];
  withoutInstructions: string[];
}

export function teamReadiness(agents: AgentReadiness[]): TeamReadiness {
  return {
    drafts: agents.filter((agent) => agent.status === "draft").map((agent) => agent.name),
    withoutInstructions: agents.filter((agent) => !agent.has_instructions).map((agent) => agent.name),
  };
}
