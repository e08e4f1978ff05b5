// One catalogue's messages as the runtime (src/lib/i18n/translate.ts) reads them after the build:
// a literal stays its text, anything with ICU syntax becomes its formatjs syntax tree.
import { parse, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

export type Tree = { [key: string]: string | MessageFormatElement[] | Tree };

/** One message as the runtime reads it: its text when that is all it says, else its syntax tree. */
export function compileMessage(text: string): string | MessageFormatElement[] {
  // svelte-i18n parsed with ignoreTag, so "<b>" is text, as before.
  const elements = parse(text, { ignoreTag: true });
  if (elements.length === 0 && text === "") return text;
  if (elements.length === 1 && elements[0].type === 0 && elements[0].value === text) return text;
  return elements;
}

/** A catalogue (nested objects of messages) with each message compiled. */
export function compileCatalogue(catalogue: object, path = ""): Tree {
  return Object.fromEntries(
    Object.entries(catalogue).map(([key, value]) => {
      if (typeof value === "string") return [key, compileMessage(value)];
      if (value && typeof value === "object" && !Array.isArray(value)) return [key, compileCatalogue(value, `${path}${key}.`)];
      throw new Error(`i18n: ${path}${key} is neither a message nor a group of messages`);
    }),
  );
}
