import { IntlMessageFormat } from "intl-messageformat";
import { parse, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { compileCatalogue, compileMessage } from "../../../vite/message-compiler";
import { en } from "./messages/en";
import { ptBR } from "./messages/pt-BR";

function messages(catalogue: object, prefix = ""): [string, string][] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : messages(value as object, `${prefix}${key}.`),
  );
}

/** Values that walk each branch of a message: every select option, counts around each plural form. */
function sampleValues(elements: MessageFormatElement[]): Record<string, string | number>[] {
  const samples: Record<string, string | number>[] = [{}];
  const visit = (nodes: MessageFormatElement[]) => {
    for (const node of nodes) {
      if (node.type === 1) for (const sample of samples) sample[node.value] ??= "Ana";
      if (node.type === 5 || node.type === 6) {
        const choices = node.type === 6 ? [0, 1, 2, 5, 21, 1000] : Object.keys(node.options);
        const base = samples.splice(0);
        for (const choice of choices) for (const sample of base) samples.push({ ...sample, [node.value]: choice });
        for (const option of Object.values(node.options)) visit(option.value);
      }
    }
  };
  visit(elements);
  return samples.slice(0, 200);
}

describe("the build's compiled messages", () => {
  for (const [language, catalogue] of [["pt-BR", ptBR], ["en", en]] as const) {
    it(`format every ${language} message exactly as the text it was written as`, () => {
      for (const [key, text] of messages(catalogue)) {
        const compiled = compileMessage(text);
        for (const values of sampleValues(parse(text, { ignoreTag: true }))) {
          const written = String(new IntlMessageFormat(text, language, undefined, { ignoreTag: true }).format(values));
          // A literal is kept as its text, which the runtime shows as is, values or not.
          const shown = typeof compiled === "string" ? compiled : String(new IntlMessageFormat(compiled, language).format(values));
          expect(shown, key).toBe(written);
        }
      }
    });
  }

  it("keep literals as text and parse everything with syntax, tags included as text", () => {
    expect(compileMessage("Salvar")).toBe("Salvar");
    expect(compileMessage("<b>negrito</b>")).toBe("<b>negrito</b>");
    expect(compileMessage("Olá, {name}")).toEqual(parse("Olá, {name}", { ignoreTag: true }));
    // Quoting changes the text, so it is not a literal any more.
    expect(Array.isArray(compileMessage("'{'chaves'}'"))).toBe(true);
  });

  it("refuse a catalogue holding anything but messages", () => {
    expect(() => compileCatalogue({ teams: { count: 3 } })).toThrow(/teams\.count/);
  });
});
