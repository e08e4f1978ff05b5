// The team wizard as a person uses it: the input editor with its template and preview, the
// condition editor on variables, per-agent settings, what it refuses before sending, and the API's
// refusals shown beside the field they name, on the step that has it.
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { TeamDefinitionBody } from "$schemas/teams.ts";
import type { FormFailure } from "$lib/form-failure";
import { useLocale } from "$lib/i18n";
import { emptyDraft, noOverrides, type TeamDraft } from "$lib/teams";
import TeamWizard from "./TeamWizard.svelte";

beforeEach(() => useLocale("pt-BR"));

const triage = "aaaaaaaa-0000-4000-8000-000000000001";
const writer = "bbbbbbbb-0000-4000-8000-000000000002";
const agents = [
  { id: triage, name: "Triagem", status: "active", temperature: 0.7, max_tokens: 1000, tools: ["busca", "agenda"] },
  { id: writer, name: "Redator", status: "active", temperature: 0.2, max_tokens: 4000, tools: [] },
];

function twoAgents(changes: (draft: TeamDraft) => void = () => {}): TeamDraft {
  const draft = emptyDraft();
  draft.name = "Atendimento";
  draft.workflow_type = "conditional";
  draft.agents = [
    { agent_id: triage, name: "Triagem", role: "member", input: { source: "initial_prompt" }, conditions: [], config: noOverrides() },
    { agent_id: writer, name: "Redator", role: "member", input: { source: "initial_prompt" }, conditions: [], config: noOverrides() },
  ];
  changes(draft);
  return draft;
}

function open(initial: TeamDraft, failure: FormFailure | null = null) {
  return render(TeamWizard, { initial, agents, failure, mode: "create" });
}

const currentStep = () => document.querySelector("[data-testid=wizard-step]")?.getAttribute("data-step");
const definition = () => JSON.parse((document.querySelector("input[name=definition]") as HTMLInputElement).value) as TeamDefinitionBody;
/** The words an input is described by (its help and its error). */
const description = (element: HTMLElement) =>
  (element.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent?.trim()).join(" ");

async function goTo(stepName: string) {
  await fireEvent.click(screen.getByRole("button", { name: new RegExp(`^\\d\\. ${stepName}`) }));
}

describe("the API's refusals, beside the field they name", () => {
  it("opens the workflow step at a template the API refused", async () => {
    open(
      twoAgents((draft) => (draft.agents[1].input = { source: "combined", sources: [{ type: "initial_prompt" }], template: "{{initial_prompt}}" })),
      { code: "validation_failed", message: "Invalid.", fields: { "agents.1.input.template": "Must have at most 20000 characters." }, values: {} },
    );
    await Promise.resolve();
    expect(currentStep()).toBe("workflow");
    const template = screen.getByLabelText("Modelo de Redator (opcional)");
    expect(template.getAttribute("aria-invalid")).toBe("true");
    expect(description(template)).toContain("no máximo 20000 caracteres");
  });

  it("opens the settings step at an agent's temperature the API refused", async () => {
    open(twoAgents(), { code: "validation_failed", message: "Invalid.", fields: { "agents[0].config.temperature": "Must be between 0 and 2." }, values: {} });
    await Promise.resolve();
    expect(currentStep()).toBe("config");
    const temperature = screen.getByLabelText("Temperatura — Triagem");
    expect(temperature.getAttribute("aria-invalid")).toBe("true");
    expect(description(temperature)).toContain("Do agente: 0,7");
    expect(description(temperature)).toMatch(/entre 0 e 2/i);
    expect(screen.getByLabelText("Temperatura — Redator").getAttribute("aria-invalid")).toBeNull();
  });

  it("puts a condition's refused field beside that condition", async () => {
    open(
      twoAgents((draft) => (draft.agents[1].conditions = [{ field: "variables.prioridade", operator: "equals", value: "alta", type: "text" }])),
      { code: "validation_failed", message: "Invalid.", fields: { "agents.1.conditions.0.field": "Must be something the team produces." }, values: {} },
    );
    await Promise.resolve();
    expect(currentStep()).toBe("workflow");
    const name = screen.getByLabelText("Nome da variável — Redator");
    expect((name as HTMLInputElement).value).toBe("prioridade");
    expect(description(name)).toBe("Must be something the team produces.");
  });
});

describe("the input editor", () => {
  it("combines sources, inserts their placeholders by name and previews what the agent will receive", async () => {
    open(twoAgents());
    await goTo("Fluxo");
    await fireEvent.change(screen.getByLabelText("Entrada — Redator"), { target: { value: "combined" } });

    // The first agent cannot read a later one: only the second is offered Triagem's result.
    const [first, second] = screen.getAllByTestId("input-editor");
    expect(within(first).queryByRole("button", { name: "Inserir Resultado de Triagem no modelo" })).toBeNull();
    expect(within(second).queryByRole("button", { name: "Inserir Resultado de Redator no modelo" })).toBeNull();

    await fireEvent.click(within(second).getByRole("button", { name: /^Adicionar variável/ }));
    await fireEvent.input(within(second).getByLabelText("Nome da variável — Redator"), { target: { value: "cliente" } });
    const template = within(second).getByLabelText("Modelo de Redator (opcional)") as HTMLTextAreaElement;
    await fireEvent.input(template, { target: { value: "Cliente " } });
    template.setSelectionRange(8, 8);
    await fireEvent.click(within(second).getByRole("button", { name: "Inserir variável cliente no modelo" }));
    // The cursor waits after the placeholder as soon as the click is handled, so the next key
    // pressed lands there (placed a frame later, it moved under fast typing).
    expect(document.activeElement).toBe(template);
    expect([template.selectionStart, template.selectionEnd]).toEqual([29, 29]);
    await fireEvent.input(template, { target: { value: `${template.value}: ` } });
    template.setSelectionRange(template.value.length, template.value.length);
    await fireEvent.click(within(second).getByRole("button", { name: "Inserir Resultado de Triagem no modelo" }));

    expect(template.value).toBe(`Cliente {{variables.cliente}}: {{agent:${triage}}}`);
    // Inserting Triagem's result listed it among the sources.
    expect((within(second).getByLabelText("Resultado de Triagem") as HTMLInputElement).checked).toBe(true);
    const preview = within(second).getByTestId("input-preview");
    expect(preview.textContent).toBe("Cliente variável cliente: Resultado de Triagem");
    expect([...preview.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual(["variável cliente", "Resultado de Triagem"]);

    expect(definition().agents[1].input).toEqual({
      source: "combined",
      sources: [{ type: "initial_prompt" }, { type: "variable", name: "cliente" }, { type: "agent_result", agent_id: triage }],
      template: `Cliente {{variables.cliente}}: {{agent:${triage}}}`,
    });
    // The diagram draws the variables feeding the writer.
    expect(document.querySelector(`[data-testid=diagram-edge][data-from=variables][data-to="${writer}"]`)).not.toBeNull();
  });

  it("warns about a placeholder whose source is not listed, and lists it on request", async () => {
    open(twoAgents((draft) => (draft.agents[1].input = { source: "combined", sources: [{ type: "initial_prompt" }], template: "{{context.idioma}}: {{initial_prompt}}" })));
    await goTo("Fluxo");
    const warning = screen.getByTestId("unlisted-placeholders");
    expect(warning.textContent).toContain("{{context.idioma}}");
    expect(screen.getAllByTestId("input-preview")[1].textContent).toBe("{{context.idioma}}: Pedido inicial");
    await fireEvent.click(within(warning).getByRole("button", { name: "Incluir nas fontes" }));
    expect(screen.queryByTestId("unlisted-placeholders")).toBeNull();
    expect(screen.getAllByTestId("input-preview")[1].textContent).toBe("contexto idioma: Pedido inicial");
  });
});

describe("the condition editor", () => {
  it("offers the prompt, earlier agents and a variable the person names, checked with the API's pattern", async () => {
    open(twoAgents());
    await goTo("Fluxo");
    await fireEvent.click(screen.getByRole("button", { name: "Adicionar condição — Redator" }));
    const field = screen.getByLabelText("Campo") as HTMLSelectElement;
    expect([...field.options].map((option) => option.textContent)).toEqual([
      "Pedido inicial",
      "Resultado de Triagem",
      "Situação de Triagem",
      "Uma variável…",
      "Uma chave do contexto…",
    ]);
    await fireEvent.change(field, { target: { value: "variables" } });
    await fireEvent.input(screen.getByLabelText("Nome da variável — Redator"), { target: { value: "1prioridade" } });
    await fireEvent.change(screen.getByLabelText("Operador"), { target: { value: "greater_than" } });
    expect((screen.getByLabelText("Comparar como") as HTMLSelectElement).value).toBe("number");
    await fireEvent.input(screen.getByLabelText("Valor"), { target: { value: "muito" } });

    await fireEvent.click(screen.getByRole("button", { name: "Continuar" }));
    expect(currentStep()).toBe("workflow");
    expect(description(screen.getByLabelText("Nome da variável — Redator"))).toBe("Use letras, números e _ (até 64, sem começar por número).");
    expect(description(screen.getByLabelText("Valor"))).toBe("Digite um número.");

    await fireEvent.input(screen.getByLabelText("Nome da variável — Redator"), { target: { value: "prioridade" } });
    await fireEvent.input(screen.getByLabelText("Valor"), { target: { value: "2,5" } });
    expect(screen.getByLabelText("Valor").getAttribute("aria-invalid")).toBeNull();
    expect(definition().agents[1].conditions).toEqual([{ field: "variables.prioridade", operator: "greater_than", value: 2.5 }]);
    expect(screen.getByTestId("diagram-description").textContent).toContain("Triagem → Redator, quando variável prioridade maior que 2,5");
    await fireEvent.click(screen.getByRole("button", { name: "Continuar" }));
    expect(currentStep()).toBe("config");
  });

  it("takes true or false typed for an equality as a yes-or-no value", async () => {
    open(twoAgents((draft) => (draft.agents[1].conditions = [{ field: "variables.vip", operator: "equals", value: "", type: "text" }])));
    await goTo("Fluxo");
    await fireEvent.input(screen.getByLabelText("Valor"), { target: { value: "true" } });
    expect((screen.getByLabelText("Comparar como") as HTMLSelectElement).value).toBe("boolean");
    expect(definition().agents[1].conditions?.[0].value).toBe(true);
  });
});

describe("per-agent settings", () => {
  it("sends a temperature typed with a comma and the tools chosen, leaves blanks to the agent, and shows them in the review", async () => {
    open(twoAgents());
    await goTo("Configuração");
    await fireEvent.input(screen.getByLabelText("Temperatura — Redator"), { target: { value: "0,5" } });
    await fireEvent.click(screen.getByLabelText("Escolher as ferramentas de Triagem nesta equipe"));
    await fireEvent.click(screen.getByLabelText("agenda"));
    expect(screen.queryByLabelText("Escolher as ferramentas de Redator nesta equipe")).toBeNull();
    expect(definition().agents.map((member) => member.config)).toEqual([{ tools: ["busca"] }, { temperature: 0.5 }]);

    await fireEvent.click(screen.getByRole("button", { name: "Continuar" }));
    expect(currentStep()).toBe("review");
    const overrides = screen.getAllByTestId("agent-overrides").map((item) => item.textContent?.trim());
    expect(overrides).toEqual(["ferramentas: busca", "temperatura 0,5"]);
    expect(document.querySelector(`[data-node="${writer}"] [data-testid=overrides-marker]`)).not.toBeNull();
  });

  it("will not go on with a temperature out of range", async () => {
    open(twoAgents());
    await goTo("Configuração");
    await fireEvent.input(screen.getByLabelText("Temperatura — Triagem"), { target: { value: "2,5" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continuar" }));
    expect(currentStep()).toBe("config");
    expect(description(screen.getByLabelText("Temperatura — Triagem"))).toContain("Digite um número entre 0 e 2.");
  });
});
