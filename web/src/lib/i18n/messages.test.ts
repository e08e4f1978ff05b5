import { describe, expect, it } from "vitest";
import { en } from "./messages/en";
import { ptBR } from "./messages/pt-BR";

function keys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
  );
}

describe("the two languages", () => {
  it("translate exactly the same messages", () => {
    expect(keys(en).sort()).toEqual(keys(ptBR).sort());
  });

  it("leave no English message empty or equal to a key", () => {
    for (const key of keys(en)) {
      const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], en);
      expect(typeof text === "string" && text.trim().length > 0 && text !== key, key).toBe(true);
    }
  });
});
