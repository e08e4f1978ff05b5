// A form's toast says the page shows the result, so it comes after SvelteKit's update (the page's
// new data), never before: a person, or a browser test, reading the toast may act on the page.
import { toast } from "svelte-sonner";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ActionResult } from "@sveltejs/kit";
import { Submission } from "./forms.svelte";
import { useLocale } from "./i18n";

type Finish = (options: { result: ActionResult; update: (options?: { reset?: boolean }) => Promise<void> }) => Promise<void>;

function submit(submission: Submission): Finish {
  const formData = new FormData();
  const finish = submission.enhance({ formData, cancel: () => {} } as never);
  return finish as unknown as Finish;
}

/** An update that finishes when the test says so, recording when the toasts came. */
function heldUpdate() {
  let release = () => {};
  const done = new Promise<void>((resolve) => (release = resolve));
  const calls: string[] = [];
  const update = vi.fn(async (options?: { reset?: boolean }) => {
    calls.push(`update started (reset ${options?.reset})`);
    await done;
    calls.push("update finished");
  });
  return { update, release, calls };
}

afterEach(() => vi.restoreAllMocks());

describe("Submission", () => {
  it("toasts a success only once the page has its new data", async () => {
    useLocale("pt-BR");
    const { update, release, calls } = heldUpdate();
    vi.spyOn(toast, "success").mockImplementation((text) => (calls.push(`toast ${String(text)}`), 1));
    const submission = new Submission({ reset: false });
    const finishing = submit(submission)({ result: { type: "success", status: 200, data: { notice: { key: "notifications.phoneSaved" } } }, update });
    await vi.waitFor(() => expect(calls).toEqual(["update started (reset false)"]));
    expect(submission.pending).toBe(false);
    release();
    await finishing;
    expect(calls).toEqual(["update started (reset false)", "update finished", "toast Celular para avisos salvo."]);
  });

  it("still toasts a server error when the update itself fails, in the language the form was sent in", async () => {
    useLocale("en");
    vi.spyOn(toast, "error").mockImplementation(() => 1);
    const update = vi.fn(async () => {
      useLocale("pt-BR");
      throw new Error("navigation failed");
    });
    const submission = new Submission({ toastFailures: true });
    await expect(submit(submission)({ result: { type: "error", error: new Error("boom") }, update })).rejects.toThrow("navigation failed");
    expect(toast.error).toHaveBeenCalledTimes(1);
    expect(toast.error).toHaveBeenCalledWith("We could not load this page");
  });

  it("sends nothing twice: a second press while the first is on its way is cancelled", () => {
    const submission = new Submission();
    expect(submission.enhance({ formData: new FormData(), cancel: () => {} } as never)).toBeTypeOf("function");
    const cancel = vi.fn();
    expect(submission.enhance({ formData: new FormData(), cancel } as never)).toBeUndefined();
    expect(cancel).toHaveBeenCalledTimes(1);
  });
});
