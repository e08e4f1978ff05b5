// The team wizard's model: a team read from the API survives the wizard unchanged (inputs with
// templates, conditions of every type, per-agent overrides), numbers follow the person's language,
// the API's field paths open the step that shows them, and what the wizard checks before sending.
import { describe, expect, it } from "vitest";
import type { Team } from "$schemas/teams.ts";
import { formatDecimalInput, parseDecimal } from "$lib/i18n/decimal-input";
import { draftProblems } from "$lib/team-checks";
import { placeholderOf, previewOf, templateSources, unlistedSources } from "$lib/team-input";
import { conditionValueOf, definitionOf, draftFromTeam, emptyDraft, newApproval, noOverrides, stepOfPath, typeForOperator, type TeamDraft } from "$lib/teams";

const triage = "aaaaaaaa-0000-4000-8000-000000000001";
const writer = "bbbbbbbb-0000-4000-8000-000000000002";
const reviewer = "cccccccc-0000-4000-8000-000000000003";
const stamp = "2026-11-22T10:00:00.000Z";

function teamAgent(agent_id: string, name: string, execution_order: number, extra: Partial<Team["agents"][number]> = {}): Team["agents"][number] {
  return {
    id: agent_id.replace(/^./, "f"),
    agent_id,
    name,
    provider: "demo",
    model: "demo-small",
    agent_status: "active",
    role: "member",
    execution_order,
    input: { source: "initial_prompt" },
    conditions: [],
    config: {},
    created_at: stamp,
    updated_at: stamp,
    ...extra,
  };
}

const team: Team = {
  id: "dddddddd-0000-4000-8000-000000000004",
  tenant_id: "eeeeeeee-0000-4000-8000-000000000005",
  name: "Atendimento",
  description: "Triagem, resposta e revisão",
  is_active: true,
  workflow_type: "conditional",
  config: { max_tokens: 4000, temperature: 0.5, timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: true },
  created_by: null,
  created_at: stamp,
  updated_at: stamp,
  // Out of order on purpose: the wizard lists agents by execution order.
  agents: [
    teamAgent(reviewer, "Revisor", 3, {
      input: {
        source: "combined",
        sources: [{ type: "agent_result", agent_id: writer }, { type: "variable", name: "cliente" }, { type: "context", key: "idioma" }],
        template: "Cliente {{variables.cliente}} ({{context.idioma}}) pediu {{initial_prompt}}. Rascunho: {{agent:" + writer + "}}",
      },
      conditions: [
        { field: "variables.prioridade", operator: "equals", value: "alta" },
        { field: `agents.${triage}.status`, operator: "equals", value: "succeeded" },
        { field: "context.nota", operator: "greater_than", value: 0.75 },
        { field: "variables.vip", operator: "equals", value: true },
      ],
      config: { temperature: 0.25, max_tokens: 1500, tools: ["busca"] },
    }),
    teamAgent(triage, "Triagem", 1, { role: "leader", config: { tools: [] } }),
    teamAgent(writer, "Redator", 2, { input: { source: "agent_result", agent_id: triage } }),
  ],
};

describe("numbers as people type them", () => {
  it("reads pt-BR's decimal comma and thousands dot, and the other spelling when it is not ambiguous", () => {
    expect(parseDecimal("0,5", "pt-BR")).toBe(0.5);
    expect(parseDecimal("0.5", "pt-BR")).toBe(0.5);
    expect(parseDecimal("1.000", "pt-BR")).toBe(1000);
    expect(parseDecimal("1.500,25", "pt-BR")).toBe(1500.25);
    expect(parseDecimal("1,000", "en")).toBe(1000);
    expect(parseDecimal("0,5", "en")).toBe(0.5);
    expect(parseDecimal(" 2 ", "en")).toBe(2);
    for (const text of ["", "abc", "1,2,3", "0,5x"]) expect(parseDecimal(text, "pt-BR"), text).toBeNull();
  });

  it("writes them back for editing in the locale's spelling", () => {
    expect(formatDecimalInput(0.5, "pt-BR")).toBe("0,5");
    expect(formatDecimalInput(4000, "pt-BR")).toBe("4000");
    expect(formatDecimalInput(0.5, "en")).toBe("0.5");
  });
});

describe("an agent whose work needs approval", () => {
  const approver = "99999999-0000-4000-8000-000000000009";
  const withApproval = (approval: NonNullable<Team["agents"][number]["config"]["approval"]>): Team => ({
    ...team,
    agents: team.agents.map((member) => (member.agent_id === writer ? { ...member, config: { approval } } : member)),
  });

  it("survives the wizard unchanged: approvers, a time limit in the largest whole unit, the policy", () => {
    for (const approval of [
      { approvers: [approver], timeout_seconds: 3600, on_timeout: "reject" as const },
      { timeout_seconds: 172_800, on_timeout: "keep_waiting" as const },
      { timeout_seconds: 90 * 60, on_timeout: "approve" as const },
      {},
    ]) {
      const read = withApproval(approval);
      const definition = definitionOf(draftFromTeam(read, "pt-BR"), "pt-BR");
      expect(definition.agents.find((member) => member.agent_id === writer)?.config).toEqual({ approval });
    }
    const draft = draftFromTeam(withApproval({ timeout_seconds: 172_800, on_timeout: "keep_waiting" }), "pt-BR");
    expect(draft.agents.find((member) => member.agent_id === writer)?.config.approval).toEqual({ approvers: [], timeout: "2", timeout_unit: "days", on_timeout: "keep_waiting" });
  });

  it("sends a time limit typed in a unit as seconds, no policy without one, and names one out of range before sending", () => {
    const draft = draftFromTeam(team, "pt-BR");
    draft.agents[1].config.approval = { ...newApproval(), timeout: "1,5", timeout_unit: "hours", on_timeout: "approve" };
    expect(definitionOf(draft, "pt-BR").agents[1].config).toEqual({ approval: { timeout_seconds: 5400, on_timeout: "approve" } });
    draft.agents[1].config.approval = { ...newApproval(), on_timeout: "approve" };
    expect(definitionOf(draft, "pt-BR").agents[1].config).toEqual({ approval: {} });
    draft.agents[1].config.approval = { ...newApproval(), timeout: "31", timeout_unit: "days" };
    expect(draftProblems(draft, "pt-BR")["agents.1.config.approval.timeout_seconds"]).toEqual({ key: "approvalTimeout" });
    draft.agents[1].config.approval = { ...newApproval(), timeout: "30", timeout_unit: "minutes" };
    expect(draftProblems(draft, "pt-BR")["agents.1.config.approval.timeout_seconds"]).toBeUndefined();
    draft.agents[1].config.approval = { ...newApproval(), timeout: "meia", timeout_unit: "hours" };
    expect(draftProblems(draft, "pt-BR")["agents.1.config.approval.timeout_seconds"]).toEqual({ key: "number" });
  });
});

describe("a team through the wizard and back", () => {
  it("lists agents in execution order with numbers in pt-BR's spelling", () => {
    const draft = draftFromTeam(team, "pt-BR");
    expect(draft.agents.map((member) => member.name)).toEqual(["Triagem", "Redator", "Revisor"]);
    expect(draft.config).toMatchObject({ max_tokens: "4000", temperature: "0,5" });
    expect(draft.agents[2].config).toEqual({ temperature: "0,25", max_tokens: "1500", tools: ["busca"] });
    expect(draft.agents[0].config).toEqual({ temperature: "", max_tokens: "", tools: [] });
    expect(draft.agents[1].config).toEqual(noOverrides());
    expect(draft.agents[2].conditions.map((condition) => [condition.value, condition.type])).toEqual([
      ["alta", "text"],
      ["succeeded", "text"],
      ["0,75", "number"],
      ["true", "boolean"],
    ]);
  });

  it("sends back exactly the definition it read, in either language", () => {
    for (const locale of ["pt-BR", "en"] as const) {
      const definition = definitionOf(draftFromTeam(team, locale), locale);
      const ordered = [...team.agents].sort((a, b) => a.execution_order - b.execution_order);
      expect(definition).toEqual({
        name: team.name,
        description: team.description,
        is_active: true,
        workflow_type: "conditional",
        config: { max_tokens: 4000, temperature: 0.5, timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: true },
        agents: ordered.map((member) => ({
          agent_id: member.agent_id,
          role: member.role,
          execution_order: member.execution_order,
          input: member.input,
          conditions: member.conditions,
          config: member.config,
        })),
      });
    }
  });

  it("sends what a person typed: decimal commas as numbers, blank overrides as none, a blank template as none", () => {
    const draft: TeamDraft = emptyDraft();
    draft.name = " Vendas ";
    draft.config.temperature = "0,7";
    draft.agents = [
      { agent_id: triage, name: "Triagem", role: "member", input: { source: "combined", sources: [{ type: "initial_prompt" }], template: "  " }, conditions: [], config: { temperature: "1,5", max_tokens: "", tools: null } },
      {
        agent_id: writer,
        name: "Redator",
        role: "member",
        input: { source: "initial_prompt" },
        conditions: [{ field: "variables.valor", operator: "less_than", value: "1.000,5", type: "number" }],
        config: noOverrides(),
      },
    ];
    const definition = definitionOf(draft, "pt-BR");
    expect(definition.name).toBe("Vendas");
    expect(definition.config).toMatchObject({ temperature: 0.7, max_tokens: null });
    expect(definition.agents[0]).toMatchObject({ input: { source: "combined", sources: [{ type: "initial_prompt" }] }, config: { temperature: 1.5 } });
    expect(definition.agents[0].input).not.toHaveProperty("template");
    expect(definition.agents[1]).toMatchObject({ conditions: [{ field: "variables.valor", operator: "less_than", value: 1000.5 }], config: {} });
  });

  it("types a condition's value by its operator", () => {
    expect(typeForOperator("greater_than", "text")).toBe("number");
    expect(typeForOperator("contains", "boolean")).toBe("text");
    expect(typeForOperator("equals", "boolean")).toBe("boolean");
    expect(conditionValueOf({ field: "initial_prompt", operator: "equals", value: "false", type: "boolean" }, "pt-BR")).toBe(false);
    expect(conditionValueOf({ field: "initial_prompt", operator: "equals", value: "0,5", type: "text" }, "pt-BR")).toBe("0,5");
  });
});

describe("the API's field paths, on the wizard's steps", () => {
  it("opens the step that shows each field", () => {
    expect(stepOfPath("name")).toBe("basics");
    expect(stepOfPath("agents")).toBe("agents");
    expect(stepOfPath("agents[1].agent_id")).toBe("agents");
    expect(stepOfPath("agents.2.conditions.0.field")).toBe("workflow");
    expect(stepOfPath("agents[1].input.template")).toBe("workflow");
    expect(stepOfPath("agents.1.input.sources.0.agent_id")).toBe("workflow");
    expect(stepOfPath("agents.0.role")).toBe("workflow");
    expect(stepOfPath("agents.0.config.temperature")).toBe("config");
    expect(stepOfPath("agents[3].config.tools.0")).toBe("config");
    expect(stepOfPath("config.max_tokens")).toBe("config");
    expect(stepOfPath("something_else")).toBe("review");
  });
});

describe("what the wizard checks before sending", () => {
  function draftWith(changes: (draft: TeamDraft) => void): TeamDraft {
    const draft = draftFromTeam(team, "pt-BR");
    changes(draft);
    return draft;
  }

  it("finds nothing wrong with a team the API accepted", () => {
    expect(draftProblems(draftFromTeam(team, "pt-BR"), "pt-BR")).toEqual({});
  });

  it("names what is wrong by the path the API would use", () => {
    const problems = draftProblems(
      draftWith((draft) => {
        draft.agents[1].input = { source: "agent_result", agent_id: reviewer };
        draft.agents[2].conditions[0].field = "variables.1prioridade";
        draft.agents[2].conditions[2].value = "muito";
        draft.agents[2].input = { source: "combined", sources: [{ type: "variable", name: "" }] };
        draft.agents[0].config.temperature = "2,5";
        draft.agents[0].config.max_tokens = "1,5";
        draft.config.timeout_seconds = "5";
      }),
      "pt-BR",
    );
    expect(problems).toEqual({
      "agents.1.input.agent_id": { key: "notBefore", values: { name: "Revisor" } },
      "agents.2.conditions.0.field": { key: "identifier" },
      "agents.2.conditions.2.value": { key: "number" },
      "agents.2.input.sources.0.name": { key: "identifier" },
      "agents.0.config.temperature": { key: "between", values: { min: 0, max: 2 } },
      "agents.0.config.max_tokens": { key: "wholeNumber" },
      "config.timeout_seconds": { key: "between", values: { min: 10, max: 3600 } },
    });
  });

  it("refuses a condition on the agent's own result and a combined input without sources", () => {
    const problems = draftProblems(
      draftWith((draft) => {
        draft.agents[1].conditions = [{ field: `agents.${writer}.output`, operator: "contains", value: "x", type: "text" }];
        draft.agents[1].input = { source: "combined", sources: [] };
      }),
      "pt-BR",
    );
    expect(Object.keys(problems).sort()).toEqual(["agents.1.conditions.0.field", "agents.1.input.sources"]);
  });
});

describe("what an agent will receive", () => {
  const heading = (source: { type: string; name?: string; key?: string; agent_id?: string }) => source.name ?? source.key ?? source.agent_id ?? "";

  it("fills a template's placeholders of listed sources and the prompt, and leaves the others as written", () => {
    const input = {
      source: "combined" as const,
      sources: [{ type: "variable" as const, name: "cliente" }],
      template: `Oi {{variables.cliente}}: {{initial_prompt}} {{context.fora}}`,
    };
    expect(previewOf(input, 1, "sequential", heading)).toEqual([
      { text: "Oi " },
      { source: { type: "variable", name: "cliente" } },
      { text: ": " },
      { source: { type: "initial_prompt" } },
      { text: " {{context.fora}}" },
    ]);
    expect(unlistedSources(input)).toEqual([{ type: "context", key: "fora" }]);
  });

  it("joins sources under headings without a template, and reads the previous result in a pipeline", () => {
    const input = { source: "combined" as const, sources: [{ type: "initial_prompt" as const }, { type: "agent_result" as const, agent_id: triage }] };
    expect(previewOf(input, 1, "sequential", heading)).toEqual([
      { source: { type: "initial_prompt" } },
      { text: "\n\n" },
      { text: `## ${triage}\n` },
      { source: { type: "agent_result", agent_id: triage } },
    ]);
    expect(previewOf({ source: "initial_prompt" }, 1, "pipeline", heading)).toEqual([{ source: { type: "previous" } }]);
    expect(previewOf({ source: "initial_prompt" }, 0, "pipeline", heading)).toEqual([{ source: { type: "initial_prompt" } }]);
  });

  it("writes and reads the engine's placeholders", () => {
    const sources = [
      { type: "initial_prompt" as const },
      { type: "agent_result" as const, agent_id: triage },
      { type: "variable" as const, name: "cliente" },
      { type: "context" as const, key: "idioma" },
    ];
    const template = sources.map(placeholderOf).join(" ");
    expect(template).toBe(`{{initial_prompt}} {{agent:${triage}}} {{variables.cliente}} {{context.idioma}}`);
    expect(templateSources(`${template} {{variables.cliente}}`)).toEqual(sources);
  });
});
