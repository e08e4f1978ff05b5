// A component whose code is downloaded when the person first reaches for it (a header menu, a
// confirm dialog), not with the page: until then the page shows a plain button that looks the same,
// which calls prefetch() when the pointer comes near or it gets focus, and show() when clicked.
import type { Component } from "svelte";

export class DeferredComponent<C extends Component<any>> {
  /** The real component, set once it was asked for and downloaded. */
  component: C | null = $state(null);
  open = $state(false);
  #loading: Promise<{ default: C }> | null = null;

  constructor(private readonly load: () => Promise<{ default: C }>) {}

  prefetch = (): Promise<{ default: C }> => (this.#loading ??= this.load());

  // The real component replaces the plain button only once it was clicked: swapped in earlier (the
  // download done between a press and its click), the click would reach neither.
  show = async (): Promise<void> => {
    const module = await this.prefetch();
    this.open = true;
    this.component = module.default;
  };
}
