// Components as a person meets them: what they read, what is labelled, what is announced.
import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { AgentVersion } from "$schemas/agents.ts";
import { useLocale } from "$lib/i18n";
import AgentStatusBadge from "./agents/AgentStatusBadge.svelte";
import AgentVersions from "./agents/AgentVersions.svelte";
import PromptEditor from "./agents/PromptEditor.svelte";
import EmptyState from "./EmptyState.svelte";
import FormAlert from "./FormAlert.svelte";
import TextField from "./TextField.svelte";

beforeEach(() => useLocale("pt-BR"));

describe("FormAlert", () => {
  it("tells why a form was refused, in Portuguese, as an alert", () => {
    render(FormAlert, { problem: { code: "not_found", message: "Agent not found." } });
    expect(screen.getByRole("alert").textContent?.trim()).toBe("Não encontrado.");
  });

  it("speaks English when the person chose it", () => {
    useLocale("en");
    render(FormAlert, { problem: { code: "validation_failed", message: "x", fields: { name: "Must not be empty." } } });
    expect(screen.getByRole("alert").textContent?.trim()).toBe("Check the highlighted fields.");
  });

  it("shows nothing when nothing failed", () => {
    render(FormAlert, { problem: null });
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("TextField", () => {
  it("is found by its label and says what is wrong with it", () => {
    render(TextField, { label: "Nome", name: "name", error: "Preencha este campo.", help: "Como o agente se apresenta." });
    const input = screen.getByLabelText("Nome");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = (input.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent);
    expect(described).toEqual(["Como o agente se apresenta.", "Preencha este campo."]);
  });

  it("is not marked invalid without an error", () => {
    render(TextField, { label: "E-mail", name: "email", type: "email" });
    expect(screen.getByLabelText("E-mail").hasAttribute("aria-invalid")).toBe(false);
  });
});

describe("AgentStatusBadge", () => {
  it("names the status in the person's language", () => {
    render(AgentStatusBadge, { status: "archived" });
    expect(screen.getByText("Arquivado")).toBeTruthy();
  });
});

describe("PromptEditor", () => {
  it("counts the characters of the instructions", () => {
    render(PromptEditor, { value: "Você é cordial." });
    expect(screen.getByLabelText("Instruções (prompt de sistema)")).toBeTruthy();
    expect(screen.getByText(/15 caracteres/)).toBeTruthy();
  });
});

describe("AgentVersions", () => {
  const version = (n: number, definition: Record<string, unknown>, by: string | null): AgentVersion => ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    agent_id: "00000000-0000-4000-8000-0000000000aa",
    version: n,
    definition,
    created_by: by,
    created_at: `2026-03-0${n}T12:00:00Z`,
  });

  it("lists versions newest first, marks the current one and says what changed", () => {
    const me = "00000000-0000-4000-8000-0000000000ff";
    render(AgentVersions, {
      versions: [version(2, { name: "Vendas", model: "gpt-4o-mini" }, me), version(1, { name: "Vendas", model: "gpt-4o" }, null)],
      total: 2,
      currentVersion: 2,
      userId: me,
    });
    const items = screen.getAllByRole("listitem");
    expect(items.map((item) => item.querySelector("p")?.textContent?.replace(/\s+/g, " ").trim())).toEqual(["Versão 2 atual", "Versão 1"]);
    expect(items[0].textContent).toContain("Modelo");
    expect(items[0].textContent).toContain("você");
  });
});

describe("EmptyState", () => {
  it("says what is missing and what to do", () => {
    render(EmptyState, { title: "Nenhum agente ainda", text: "Crie o primeiro." });
    expect(screen.getByRole("heading", { name: "Nenhum agente ainda" })).toBeTruthy();
  });
});
