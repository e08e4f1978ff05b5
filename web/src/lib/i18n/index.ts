// svelte-i18n. Brazilian Portuguese, the default, comes with every page; English (about 10 kB
// gzipped) is downloaded only by those who chose it: the root layout's load awaits loadLocale()
// on the server and in the browser before anything renders, so a page never waits for its words
// nor shows a key. The language of a request comes from the `renum-locale` cookie
// (hooks.server.ts), reaches the pages as layout data, and is set by the root layout while it renders.
import { addMessages, init, locale } from "svelte-i18n";
import { defaultLocale, type Locale } from "./locales";
import { ptBR, type Messages } from "./messages/pt-BR";

addMessages("pt-BR", ptBR);
void init({ fallbackLocale: defaultLocale, initialLocale: defaultLocale });

const loaders: Partial<Record<Locale, () => Promise<Messages>>> = {
  en: () => import("./messages/en").then((module) => module.en),
};
const loaded = new Set<Locale>([defaultLocale]);

/** Makes a language's messages available; resolves at once when they already are. */
export async function loadLocale(language: Locale): Promise<void> {
  const load = loaders[language];
  if (loaded.has(language) || !load) return;
  addMessages(language, await load());
  loaded.add(language);
}

/** Makes `locale` the language of everything rendered from now on. Synchronous: loadLocale(language) came first. */
export function useLocale(language: Locale): void {
  void locale.set(language);
}

export { _, locale } from "svelte-i18n";
export * from "./locales";
export * from "./format";
export * from "./api-messages";
