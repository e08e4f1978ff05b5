// The workflow diagram as a person reads it: which boxes, which arrows between them, what the
// arrows say, and the same flow in words for screen readers.
import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { WorkflowType } from "$schemas/teams.ts";
import { useLocale } from "$lib/i18n";
import { noOverrides, type DraftMember } from "$lib/teams";
import WorkflowDiagram from "./WorkflowDiagram.svelte";

beforeEach(() => useLocale("pt-BR"));

const a = "aaaaaaaa-0000-4000-8000-000000000001";
const b = "bbbbbbbb-0000-4000-8000-000000000002";
const c = "cccccccc-0000-4000-8000-000000000003";

function member(agent_id: string, name: string, extra: Partial<DraftMember> = {}): DraftMember {
  return { agent_id, name, role: "member", input: { source: "initial_prompt" }, conditions: [], config: noOverrides(), ...extra };
}

function draw(workflowType: WorkflowType, members: DraftMember[], name = "Atendimento") {
  const { container } = render(WorkflowDiagram, { workflowType, members, name });
  const nodes = [...container.querySelectorAll("[data-testid=diagram-node]")].map((node) => node.getAttribute("data-node"));
  const edges = [...container.querySelectorAll("[data-testid=diagram-edge]")].map(
    (edge) => `${edge.getAttribute("data-from")}>${edge.getAttribute("data-to")}`,
  );
  const labels = [...container.querySelectorAll("[data-testid=edge-label] text")].map((label) => label.textContent?.trim());
  return { container, nodes, edges, labels };
}

describe("WorkflowDiagram", () => {
  it("draws a sequential team as a chain in order, from the prompt to the result", () => {
    const { nodes, edges } = draw("sequential", [member(a, "Triagem"), member(b, "Redator"), member(c, "Revisor")]);
    expect(nodes).toEqual(["prompt", a, b, c, "result"]);
    expect(edges).toEqual([`prompt>${a}`, `${a}>${b}`, `${b}>${c}`, `${c}>result`]);
  });

  it("draws a pipeline as a chain, plus an arrow from an earlier agent whose result a later one reads", () => {
    const { edges } = draw("pipeline", [member(a, "Triagem"), member(b, "Redator"), member(c, "Revisor", { input: { source: "agent_result", agent_id: a } })]);
    expect(edges).toEqual([`prompt>${a}`, `${a}>${b}`, `${b}>${c}`, `${c}>result`, `${a}>${c}`]);
  });

  it("fans a parallel team out from the prompt to its members and in to its leader", () => {
    const { edges } = draw("parallel", [member(a, "Pesquisa"), member(b, "Preços"), member(c, "Chefe", { role: "leader" })]);
    expect(edges.sort()).toEqual([`${a}>${c}`, `${b}>${c}`, `${c}>result`, `prompt>${a}`, `prompt>${b}`].sort());
  });

  it("sends a parallel team without a leader straight to the result", () => {
    const { edges } = draw("parallel", [member(a, "Pesquisa"), member(b, "Preços")]);
    expect(edges.sort()).toEqual([`${a}>result`, `${b}>result`, `prompt>${a}`, `prompt>${b}`].sort());
  });

  it("writes a conditional agent's conditions on the arrow into it, and says them to screen readers", () => {
    const { labels, container } = draw("conditional", [
      member(a, "Triagem"),
      member(b, "Reclamações", { conditions: [{ field: `agents.${a}.output`, operator: "contains", value: "reclama", type: "text" }] }),
    ]);
    expect(labels).toEqual([expect.stringMatching(/^Resultado de Triagem/)]);
    expect(container.querySelector(`[data-to="${b}"] [data-testid=edge-label] title`)?.textContent).toBe("Resultado de Triagem contém “reclama”");
    const flow = screen.getByTestId("diagram-description").textContent ?? "";
    expect(flow).toContain("Triagem → Reclamações, quando Resultado de Triagem contém “reclama”");
    expect(flow).toContain("Pedido → Triagem");
  });

  it("joins the sources of a combined input", () => {
    const { edges } = draw("sequential", [
      member(a, "Triagem"),
      member(b, "Redator"),
      member(c, "Revisor", { input: { source: "combined", sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: a }] } }),
    ]);
    expect(edges).toContain(`${a}>${c}`);
    expect(edges).toContain(`prompt>${c}`);
  });

  it("writes conditions on variables and context, numbers as the locale writes them, on one arrow into the agent", () => {
    const { container, labels } = draw("conditional", [
      member(a, "Triagem"),
      member(b, "Redator"),
      member(c, "Revisor", {
        input: { source: "combined", sources: [{ type: "agent_result", agent_id: a }, { type: "agent_result", agent_id: b }] },
        conditions: [
          { field: "variables.prioridade", operator: "equals", value: "alta", type: "text" },
          { field: "context.nota", operator: "greater_than", value: "0,5", type: "number" },
          { field: "variables.vip", operator: "equals", value: "true", type: "boolean" },
        ],
      }),
    ]);
    const expected = "variável prioridade igual a “alta” · contexto nota maior que 0,5 · variável vip igual a verdadeiro";
    expect(container.querySelector(`[data-from="${b}"][data-to="${c}"] [data-testid=edge-label] title`)?.textContent).toBe(expected);
    // The second arrow into the reviewer (from Triagem, its combined input) carries no second label.
    expect(labels).toHaveLength(1);
    expect(container.querySelector(`[data-from="${a}"][data-to="${c}"]`)).not.toBeNull();
    expect(screen.getByTestId("diagram-description").textContent).toContain(`Redator → Revisor, quando ${expected}`);
  });

  it("draws the run's variables as a box with an arrow to each agent whose input reads them", () => {
    const { nodes, edges } = draw("sequential", [
      member(a, "Triagem"),
      member(b, "Redator", { input: { source: "combined", sources: [{ type: "initial_prompt" }, { type: "variable", name: "cliente" }, { type: "context", key: "idioma" }] } }),
    ]);
    expect(nodes).toEqual(["prompt", "variables", a, b, "result"]);
    expect(edges).toContain(`variables>${b}`);
    expect(edges).not.toContain(`variables>${a}`);
    expect(screen.getByTestId("diagram-description").textContent).toContain("Variáveis (variável cliente, contexto idioma) → Redator");
  });

  it("marks an agent with settings of its own in this team, and says which", () => {
    const { container } = draw("sequential", [
      member(a, "Triagem"),
      member(b, "Redator", { config: { temperature: "0,5", max_tokens: "2000", tools: ["busca"] } }),
    ]);
    expect(container.querySelector(`[data-node="${a}"] [data-testid=overrides-marker]`)).toBeNull();
    const marker = container.querySelector(`[data-node="${b}"] [data-testid=overrides-marker] title`);
    expect(marker?.textContent).toBe("Ajustes nesta equipe: temperatura 0,5 · até 2.000 tokens · ferramentas: busca");
    expect(screen.getByTestId("diagram-description").textContent).toContain("Redator tem ajustes nesta equipe: temperatura 0,5 · até 2.000 tokens · ferramentas: busca.");
  });

  it("is an image titled with the team's name and described by its strategy", () => {
    draw("pipeline", [member(a, "Triagem")], "Suporte");
    const image = screen.getByRole("img", { name: "Fluxo da equipe Suporte" });
    const described = (image.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent?.trim());
    expect(described[0]).toBe("Pipeline: 1 agente.");
    expect(described[1]).toContain("Pedido → Triagem");
  });

  it("shows just the prompt and the result before any agent is chosen", () => {
    const { nodes, edges } = draw("sequential", []);
    expect(nodes).toEqual(["prompt", "result"]);
    expect(edges).toEqual(["prompt>result"]);
  });
});
