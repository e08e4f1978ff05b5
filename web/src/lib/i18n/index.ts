// The app's words (translate.ts: `_`, `locale`). Brazilian Portuguese, the default, comes with
// every page; English (about 10 kB gzipped) is downloaded only by those who chose it: the root
// layout's load awaits loadLocale() on the server and in the browser before anything renders, so a
// page never waits for its words nor shows a key. The language of a request comes from the
// `renum-locale` cookie (hooks.server.ts), reaches the pages as layout data, and is set by the root
// layout while it renders.
import { defaultLocale, type Locale } from "./locales";
import { ptBR, type Messages } from "./messages/pt-BR";
import { addMessages, locale, type Catalogue } from "./translate";

addMessages(defaultLocale, ptBR as Catalogue);

const loaders: Partial<Record<Locale, () => Promise<Messages>>> = {
  en: () => import("./messages/en").then((module) => module.en),
};
const loaded = new Set<Locale>([defaultLocale]);

/** Makes a language's messages available; resolves at once when they already are. */
export async function loadLocale(language: Locale): Promise<void> {
  const load = loaders[language];
  if (loaded.has(language) || !load) return;
  addMessages(language, (await load()) as Catalogue);
  loaded.add(language);
}

/** Makes `locale` the language of everything rendered from now on. Synchronous: loadLocale(language) came first. */
export function useLocale(language: Locale): void {
  locale.set(language);
}

export { _, formatMessage, locale } from "./translate";
export { loadSections, sections, type Section } from "./sections";
export * from "./locales";
export * from "./format";
export * from "./api-messages";
