import { describe, expect, it } from "vitest";
import type { TeamAgent } from "$schemas/teams.ts";
import { teamVariables, variableValue } from "./team-variables";

type Member = Pick<TeamAgent, "name" | "input" | "conditions">;

const member = (name: string, fields: Partial<Member>): Member => ({ name, input: { source: "initial_prompt" }, conditions: [], ...fields });

describe("the variables a team's run reads", () => {
  const agents = [
    member("Triagem", { conditions: [{ field: "initial_prompt", operator: "contains", value: "dor" }] }),
    member("Plantão", {
      conditions: [
        { field: "variables.urgente", operator: "equals", value: true },
        { field: "variables.valor", operator: "greater_than", value: "100" },
      ],
    }),
    member("Redator", {
      input: {
        source: "combined",
        sources: [{ type: "variable", name: "cliente" }, { type: "initial_prompt" }],
        template: "Cliente {{variables.cliente}} ({{variables.unidade}}), urgente: {{variables.urgente}}",
      },
      conditions: [{ field: "variables.idade", operator: "less_than", value: 18 }, { field: "context.idioma", operator: "equals", value: "pt" }],
    }),
  ];

  it("lists each once, in the team's order (each agent's conditions, then its input), typed by what its conditions compare it with, with who reads it", () => {
    expect(teamVariables({ agents } as never)).toEqual([
      { name: "urgente", kind: "boolean", readBy: ["Plantão", "Redator"] },
      { name: "valor", kind: "number", readBy: ["Plantão"] },
      { name: "idade", kind: "number", readBy: ["Redator"] },
      { name: "cliente", kind: "text", readBy: ["Redator"] },
      { name: "unidade", kind: "text", readBy: ["Redator"] },
    ]);
  });

  it("keeps a typed kind when a text placeholder reads the same variable first", () => {
    const team = { agents: [member("A", { input: { source: "combined", sources: [{ type: "variable", name: "vip" }] } }), member("B", { conditions: [{ field: "variables.vip", operator: "equals", value: false }] })] };
    expect(teamVariables(team as never)).toEqual([{ name: "vip", kind: "boolean", readBy: ["A", "B"] }]);
  });

  it("is empty for a team that reads none", () => {
    expect(teamVariables({ agents: [member("A", {})] } as never)).toEqual([]);
  });
});

describe("a variable as the run form sent it", () => {
  it("sends true/false and numbers as JSON values, the way the engine's conditions compare them", () => {
    expect(variableValue("boolean", "true", "pt-BR")).toEqual({ value: true });
    expect(variableValue("boolean", "false", "en")).toEqual({ value: false });
    expect(variableValue("number", "1.000,5", "pt-BR")).toEqual({ value: 1000.5 });
    expect(variableValue("number", "1,000.5", "en")).toEqual({ value: 1000.5 });
    expect(variableValue("text", " Ana ", "pt-BR")).toEqual({ value: " Ana " });
  });

  it("leaves a blank one out, and names a number that is not one", () => {
    expect(variableValue("boolean", "", "pt-BR")).toBeNull();
    expect(variableValue("number", "  ", "pt-BR")).toBeNull();
    expect(variableValue("text", "", "pt-BR")).toBeNull();
    expect(variableValue("number", "cem", "pt-BR")).toEqual({ problem: "Must be a number." });
  });
});
