import { describe, expect, it } from "vitest";
import type { Agent } from "$schemas/agents.ts";
import type { Team } from "$schemas/teams.ts";
import { agentCopy, copyName, teamCopy } from "./duplicate";

const agent: Agent = {
  id: "00000000-0000-4000-8000-0000000000a1",
  tenant_id: "00000000-0000-4000-8000-0000000000f1",
  name: "Triagem",
  description: "Separa o urgente",
  type: "assistant" as Agent["type"],
  provider: "demo",
  model: "demo-small",
  system_prompt: "Classifique o pedido.",
  temperature: 0.3,
  max_tokens: 800,
  config: { reply: "ok" },
  tools: ["calculator"],
  knowledge_base_ids: [],
  status: "active",
  version: 4,
  created_by: null,
  created_at: "2026-11-22T10:00:00Z",
  updated_at: "2026-11-22T10:00:00Z",
  access: "owner",
};

describe("a copy's name", () => {
  it("says it is a copy, in the page's language, within the 120 characters a name may have", () => {
    expect(copyName("Triagem", "pt-BR")).toBe("Cópia de Triagem");
    expect(copyName("Triage", "en")).toBe("Copy of Triage");
    const long = copyName("ç".repeat(120), "pt-BR");
    expect(Array.from(long)).toHaveLength(120);
    expect(long.startsWith("Cópia de ç")).toBe(true);
  });
});

describe("a copy of an agent", () => {
  it("has everything the agent has, as a draft, and nothing the API sets itself", () => {
    expect(agentCopy(agent, "pt-BR")).toEqual({
      name: "Cópia de Triagem",
      description: "Separa o urgente",
      type: agent.type,
      provider: "demo",
      model: "demo-small",
      system_prompt: "Classifique o pedido.",
      temperature: 0.3,
      max_tokens: 800,
      config: { reply: "ok" },
      tools: ["calculator"],
      knowledge_base_ids: [],
      status: "draft",
    });
  });
});

describe("a copy of a team", () => {
  it("has the same agents, workflow and settings, sent as a definition", () => {
    const member = {
      id: "00000000-0000-4000-8000-0000000000b1",
      agent_id: agent.id,
      name: "Triagem",
      provider: "demo",
      model: "demo-small",
      agent_status: "active",
      role: "leader",
      execution_order: 1,
      input: { source: "initial_prompt" },
      conditions: [{ field: "variables.urgente", operator: "equals", value: true }],
      config: { temperature: 0.5 },
      created_at: "2026-11-22T10:00:00Z",
      updated_at: "2026-11-22T10:00:00Z",
    };
    const team = {
      id: "00000000-0000-4000-8000-0000000000c1",
      tenant_id: agent.tenant_id,
      name: "Plantão",
      description: "",
      is_active: true,
      workflow_type: "conditional",
      config: { max_tokens: null, temperature: null, timeout_seconds: 300, max_parallel_agents: 3, continue_on_error: false },
      created_by: null,
      created_at: "2026-11-22T10:00:00Z",
      updated_at: "2026-11-22T10:00:00Z",
      agents: [member],
    } as unknown as Team;
    expect(teamCopy(team, "en")).toEqual({
      name: "Copy of Plantão",
      description: "",
      is_active: true,
      workflow_type: "conditional",
      config: team.config,
      agents: [{ agent_id: agent.id, role: "leader", execution_order: 1, input: { source: "initial_prompt" }, conditions: member.conditions, config: { temperature: 0.5 } }],
    });
  });
});
