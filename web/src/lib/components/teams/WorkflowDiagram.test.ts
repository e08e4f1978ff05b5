// The workflow diagram as a person reads it: which boxes, which arrows between them, what the
// arrows say, and the same flow in words for screen readers.
import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { WorkflowType } from "$schemas/teams.ts";
import { useLocale } from "$lib/i18n";
import type { DraftMember } from "$lib/teams";
import WorkflowDiagram from "./WorkflowDiagram.svelte";

beforeEach(() => useLocale("pt-BR"));

const a = "aaaaaaaa-0000-4000-8000-000000000001";
const b = "bbbbbbbb-0000-4000-8000-000000000002";
const c = "cccccccc-0000-4000-8000-000000000003";

function member(agent_id: string, name: string, extra: Partial<DraftMember> = {}): DraftMember {
  return { agent_id, name, role: "member", input: { source: "initial_prompt" }, conditions: [], ...extra };
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
      member(b, "Reclamações", { conditions: [{ field: `agents.${a}.output`, operator: "contains", value: "reclama" }] }),
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
