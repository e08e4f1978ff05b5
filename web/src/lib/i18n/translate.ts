// The app's message runtime: a language store, the catalogues loaded so far and `_`, which finds a
// message by its dotted key and formats its values with intl-messageformat. It behaves as
// svelte-i18n did (same lookup, English falling back to Portuguese, a message without values
// returned as written), but takes messages already parsed: the build turns each ICU message into
// its syntax tree (message-compiler.ts), so the formatjs parser never reaches the browser.
import { IntlMessageFormat } from "intl-messageformat";
import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { derived, writable } from "svelte/store";
import { defaultLocale, type Locale } from "./locales";

/** A message as written (dev, tests) or as the build parsed it (a literal stays a string). */
export type Message = string | MessageFormatElement[];
export interface Catalogue {
  [key: string]: Message | Catalogue;
}

export interface MessageOptions {
  values?: Record<string, unknown>;
  locale?: string;
  default?: string;
}

const catalogues = writable<Partial<Record<Locale, Catalogue>>>({});
let current: Partial<Record<Locale, Catalogue>> = {};
catalogues.subscribe((value) => (current = value));

/** The language everything is rendered in; the page's `lang` follows it in the browser. */
export const locale = writable<Locale>(defaultLocale);
let currentLocale: Locale = defaultLocale;
locale.subscribe((value) => {
  currentLocale = value;
  if (typeof window !== "undefined") document.documentElement.setAttribute("lang", value);
});

const formatters = new Map<string, IntlMessageFormat>();

function merge(into: Catalogue, from: Catalogue): Catalogue {
  const merged: Catalogue = { ...into };
  for (const [key, value] of Object.entries(from)) {
    const existing = merged[key];
    merged[key] = isBranch(value) && existing && isBranch(existing) ? merge(existing, value) : value;
  }
  return merged;
}

function isBranch(value: Message | Catalogue): value is Catalogue {
  return typeof value === "object" && !Array.isArray(value);
}

/** Adds messages to a language (deeply merged with what it has). */
export function addMessages(language: Locale, messages: Catalogue): void {
  for (const key of formatters.keys()) if (key.startsWith(`${language}\u0000`)) formatters.delete(key);
  catalogues.update((all) => ({ ...all, [language]: merge(all[language] ?? {}, messages) }));
}

function find(language: string, id: string): Message | undefined {
  let node: Message | Catalogue | undefined = current[language as Locale];
  for (const part of id.split(".")) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Catalogue)[part];
  }
  return typeof node === "string" || Array.isArray(node) ? node : undefined;
}

/** The language itself, then Portuguese, as svelte-i18n's fallback locale did. */
function lookup(id: string, language: string): { message: Message; language: string } | undefined {
  for (const candidate of language === defaultLocale ? [language] : [language, defaultLocale]) {
    const message = find(candidate, id);
    if (message) return { message, language: candidate };
  }
  return undefined;
}

/** One message in `options.locale` (or the current language), its values filled in. */
export function formatMessage(id: string, options: MessageOptions = {}): string {
  const language = options.locale ?? currentLocale;
  const found = lookup(id, language);
  // A missing message shows its default, or its key.
  const message: Message = found?.message ?? options.default ?? id;
  if (!options.values) {
    if (typeof message === "string") return message;
  } else if (typeof message === "string" && !message.includes("{")) {
    // A literal: what formatting would give (the build keeps only those whose text is their value).
    return message;
  }
  const cacheKey = found ? `${language}\u0000${id}` : null;
  let formatter = cacheKey ? formatters.get(cacheKey) : undefined;
  try {
    if (!formatter) {
      formatter = new IntlMessageFormat(message, language, undefined, { ignoreTag: true });
      if (cacheKey) formatters.set(cacheKey, formatter);
    }
    return String(formatter.format(options.values ?? {}));
  } catch (error) {
    console.warn(`[i18n] message "${id}" could not be formatted:`, error instanceof Error ? error.message : error);
    return typeof message === "string" ? message : id;
  }
}

/** `$_("key", { values })` in components: re-renders when the language or the catalogues change. */
export const _ = derived([locale, catalogues], () => formatMessage);
