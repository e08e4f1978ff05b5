// Toasts without svelte-sonner on a first visit (#18, about 6 kB gzipped): the first toast asked for
// downloads it, and the root layout mounts its Toaster (LazyToaster) from then on. A toast asked for
// while the download runs waits for it and then shows: svelte-sonner keeps its toasts in one
// module-wide list, which a Toaster mounted afterwards renders.
import type * as Sonner from "svelte-sonner";

type Toast = typeof Sonner.toast;

/** The Toaster once svelte-sonner arrived; null until the first toast. */
export const toaster = $state<{ component: typeof Sonner.Toaster | null }>({ component: null });

let sonner: Promise<typeof Sonner> | null = null;

function loadSonner(): Promise<typeof Sonner> {
  sonner ??= import("svelte-sonner").then(
    (module) => {
      toaster.component = module.Toaster;
      return module;
    },
    (error: unknown) => {
      // Offline for a moment: the next toast tries again.
      sonner = null;
      throw error;
    },
  );
  return sonner;
}

function deferred<K extends "success" | "error" | "info" | "custom">(kind: K) {
  return (...args: Parameters<Toast[K]>): void => {
    loadSonner().then(
      ({ toast }) => (toast[kind] as (...shown: Parameters<Toast[K]>) => unknown)(...args),
      (error: unknown) => console.error("the toast could not be shown", error),
    );
  };
}

/** svelte-sonner's toast, for the kinds the app uses. */
export const toast = {
  success: deferred("success"),
  error: deferred("error"),
  info: deferred("info"),
  custom: deferred("custom"),
};
