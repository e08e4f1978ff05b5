// What a successful form action tells the person: a message key and its values, shown as a toast
// in the page's language (see forms.svelte.ts).
export interface Notice {
  key: string;
  values?: Record<string, string | number>;
  /** An outcome that is not a success (a provider refusing a key under test). */
  tone?: "success" | "error";
  /** Values that are themselves message keys (a service's name), translated before use. */
  translate?: string[];
}

export function notice(
  key: string,
  values?: Notice["values"],
  tone: Notice["tone"] = "success",
  translate?: string[],
): { notice: Notice } {
  return { notice: { key, values, tone, translate } };
}

/** The notice's values, with those that are message keys translated. */
export function noticeValues(shown: Notice, t: (key: string) => string): Notice["values"] {
  if (!shown.values || !shown.translate) return shown.values;
  const values = { ...shown.values };
  for (const name of shown.translate) if (typeof values[name] === "string") values[name] = t(values[name] as string);
  return values;
}
