// A form says it is working until SvelteKit's update has brought the page's new data (and moved the
// focus to the page, which would swallow typing in another field); its toast comes at once.
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
  it("toasts a success at once, and is working until the page has its new data", async () => {
    useLocale("pt-BR");
    const { update, release, calls } = heldUpdate();
    vi.spyOn(toast, "success").mockImplementation((text) => (calls.push(`toast ${String(text)}`), 1));
    const submission = new Submission({ reset: false });
    const finishing = submit(submission)({ result: { type: "success", status: 200, data: { notice: { key: "notifications.phoneSaved" } } }, update });
    // The toast shows while the update is still on its way (in either order with its start, so a
    // toast loaded on first use would pass too).
    await vi.waitFor(() => expect([...calls].sort()).toEqual(["toast Celular para avisos salvo.", "update started (reset false)"]));
    expect(submission.pending).toBe(true);
    // A second press meanwhile sends nothing.
    const cancel = vi.fn();
    expect(submission.enhance({ formData: new FormData(), cancel } as never)).toBeUndefined();
    expect(cancel).toHaveBeenCalledTimes(1);
    release();
    await finishing;
    expect(calls).toHaveLength(3);
    expect(calls.at(-1)).toBe("update finished");
    expect(submission.pending).toBe(false);
  });

  it("toasts a server error in the language the form was sent in, and is not left working when the update fails", async () => {
    useLocale("en");
    vi.spyOn(toast, "error").mockImplementation(() => 1);
    const update = vi.fn(async () => {
      useLocale("pt-BR");
      throw new Error("navigation failed");
    });
    const submission = new Submission({ toastFailures: true });
    await expect(submit(submission)({ result: { type: "error", error: new Error("boom") }, update })).rejects.toThrow("navigation failed");
    expect(submission.pending).toBe(false);
    await vi.waitFor(() => expect(toast.error).toHaveBeenCalledTimes(1));
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
