// The monitor's event log and the toast for a run that finished, as a person meets them.
import { fireEvent, render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { MonitorEvent } from "$lib/executions/monitor-state";
import { useLocale } from "$lib/i18n";
import ExecutionTimeline from "./ExecutionTimeline.svelte";
import RunFinishedToast from "./RunFinishedToast.svelte";

beforeEach(() => useLocale("pt-BR"));

const lines = (from: number, to: number): MonitorEvent[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({
    seq: from + index,
    event: "log",
    step_id: null,
    payload: { message: `linha ${from + index}` },
    created_at: "2026-11-22T10:00:05Z",
  }));

function deferred() {
  let resolve: (value: boolean) => void = () => {};
  const promise = new Promise<boolean>((done) => (resolve = done));
  return { promise, resolve };
}

describe("ExecutionTimeline", () => {
  it("shows the events it has in seq order, with what a log line says", () => {
    render(ExecutionTimeline, { props: { events: lines(7, 9), agents: [] } });
    const items = screen.getAllByTestId("timeline-event");
    expect(items.map((item) => item.dataset.seq)).toEqual(["7", "8", "9"]);
    expect(items[0].textContent).toContain("Registro: linha 7");
  });

  it("offers the earlier events of a long log, asks for them once however often it is pressed, and says when they could not come", async () => {
    const asked: ReturnType<typeof deferred>[] = [];
    render(ExecutionTimeline, {
      props: {
        events: lines(1201, 1400),
        agents: [],
        earlierCount: 1200,
        showEarlier: () => {
          asked.push(deferred());
          return asked[asked.length - 1].promise;
        },
      },
    });
    const button = screen.getByTestId("show-earlier");
    expect(button.textContent).toContain("Mostrar eventos anteriores (faltam 1.200)");
    await fireEvent.click(button);
    await fireEvent.click(button);
    expect(asked).toHaveLength(1);
    expect(button.textContent).toContain("Carregando eventos anteriores…");
    asked[0].resolve(false);
    await asked[0].promise;
    await tick();
    await tick();
    expect(screen.getByRole("alert").textContent).toContain("Não foi possível carregar os eventos anteriores.");
    await fireEvent.click(button);
    expect(asked).toHaveLength(2);
  });

  it("offers nothing earlier when it shows the log from its first event", () => {
    render(ExecutionTimeline, { props: { events: lines(1, 3), agents: [], earlierCount: 0, showEarlier: async () => true } });
    expect(screen.queryByTestId("show-earlier")).toBeNull();
  });
});

describe("RunFinishedToast", () => {
  it("says which run finished, with a link to it", () => {
    render(RunFinishedToast, { message: "A execução de Vendas terminou.", href: "/executions/abc", linkLabel: "Ver execução", tone: "success" });
    expect(screen.getByTestId("run-finished-toast").textContent).toContain("A execução de Vendas terminou.");
    expect(screen.getByRole("link", { name: "Ver execução" }).getAttribute("href")).toBe("/executions/abc");
  });
});
