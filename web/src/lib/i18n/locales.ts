// The app's languages: Brazilian Portuguese first, English second.
export const locales = ["pt-BR", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "pt-BR";

/** The cookie that remembers the language the person chose. */
export const localeCookie = "renum-locale";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

/** The language's own name, as the switch shows it. */
export const localeNames: Record<Locale, string> = { "pt-BR": "Português (Brasil)", en: "English" };
