// Progressive enhancement for the app's forms: a pending flag for the submit button, a toast for
// the result, and the page updated as SvelteKit would without JavaScript.
import type { SubmitFunction } from "@sveltejs/kit";
import { toast } from "$lib/toast.svelte";
import { get } from "svelte/store";
import { _, apiMessage, locale, type Locale } from "$lib/i18n";
import { noticeValues, type Notice } from "$lib/notice";

export interface SubmissionOptions {
  /** The toast after a redirect (which carries no data): a message key and values. */
  redirected?: (data: FormData) => Notice | null;
  /** Clear the form after success (default: true, as SvelteKit does). */
  reset?: boolean;
  /** Also toast failures (for buttons in lists, which have no place for an inline message). */
  toastFailures?: boolean;
}

export class Submission {
  pending = $state(false);

  constructor(private readonly options: SubmissionOptions = {}) {}

  /** `enhance`, then `after` once the result is in (closing a dialog, say). */
  enhanceThen(after: () => void): SubmitFunction {
    return (input) => {
      const finish = this.enhance(input) as ((result: Parameters<Exclude<ReturnType<SubmitFunction>, void | Promise<unknown>>>[0]) => Promise<void>) | undefined;
      if (!finish) return;
      return async (result) => {
        after();
        await finish(result);
      };
    };
  }

  enhance: SubmitFunction = ({ formData, cancel }) => {
    // A second press while the first is on its way (a double click, Enter twice) sends nothing.
    if (this.pending) {
      cancel();
      return;
    }
    this.pending = true;
    return async ({ result, update }) => {
      const t = get(_);
      const language = (get(locale) ?? "pt-BR") as Locale;
      if (result.type === "success") {
        const shown = (result.data as { notice?: Notice } | undefined)?.notice;
        if (shown) {
          const text = t(shown.key, { values: noticeValues(shown, (key) => t(key)) });
          if (shown.tone === "error") toast.error(text);
          else toast.success(text);
        }
      } else if (result.type === "redirect") {
        const shown = this.options.redirected?.(formData);
        if (shown) toast.success(t(shown.key, { values: shown.values }));
      } else if (result.type === "failure" && this.options.toastFailures) {
        const problem = result.data as { message?: string; code?: string; fields?: Record<string, string>; reason?: string } | undefined;
        toast.error(apiMessage({ message: problem?.message ?? t("errors.title"), code: problem?.code, fields: problem?.fields, reason: problem?.reason }, t, language));
      } else if (result.type === "error") {
        toast.error(t("errors.serverTitle"));
      }
      // Working until the page has its new data: SvelteKit's update then moves the focus to the
      // page, so what someone types in another field before that would go nowhere.
      try {
        await update({ reset: this.options.reset ?? true });
      } finally {
        this.pending = false;
      }
    };
  };
}
