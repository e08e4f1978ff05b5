// svelte-i18n with both languages' messages loaded up front (they are small), so a page renders in
// its language on the server and in the browser without waiting. The language of a request comes
// from the `renum-locale` cookie (hooks.server.ts), reaches the pages as layout data, and is set
// by the root layout while it renders.
import { addMessages, init, locale } from "svelte-i18n";
import { defaultLocale, type Locale } from "./locales";
import { en } from "./messages/en";
import { ptBR } from "./messages/pt-BR";

addMessages("pt-BR", ptBR);
addMessages("en", en);
void init({ fallbackLocale: defaultLocale, initialLocale: defaultLocale });

/** Makes `locale` the language of everything rendered from now on. Synchronous: the messages are loaded. */
export function useLocale(language: Locale): void {
  void locale.set(language);
}

export { _, locale } from "svelte-i18n";
export * from "./locales";
export * from "./format";
export * from "./api-messages";
