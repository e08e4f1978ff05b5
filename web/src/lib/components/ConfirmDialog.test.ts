// The question before something that cannot be undone: backing out must not do it.
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocale } from "$lib/i18n";
import ConfirmDialog from "./ConfirmDialog.svelte";

beforeEach(() => useLocale("pt-BR"));

const props = { triggerLabel: "Parar execução", title: "Parar esta execução?", description: "Os agentes serão cancelados.", confirmLabel: "Sim, parar", action: "?/stop" };

describe("ConfirmDialog", () => {
  it("asks first; its Cancel does not send the form, its confirm does", async () => {
    render(ConfirmDialog, { props });
    await fireEvent.click(screen.getByRole("button", { name: "Parar execução" }));
    // The dialog's code is downloaded on the first press: the first import can take a while on a busy machine.
    const dialog = await screen.findByRole("alertdialog", {}, { timeout: 25_000 });
    const form = dialog.querySelector("form");
    expect(form?.getAttribute("action")).toBe("?/stop");
    expect(screen.getByRole("button", { name: "Cancelar" }).getAttribute("type")).toBe("button");
    expect(screen.getByRole("button", { name: "Sim, parar" }).getAttribute("type")).toBe("submit");
  }, 30_000);

  it("cannot be opened when there is nothing left to do", () => {
    render(ConfirmDialog, { props: { ...props, disabled: true } });
    expect((screen.getByRole("button", { name: "Parar execução" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
