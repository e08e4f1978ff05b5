import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

describe("Portuguese plurals", () => {
  // CLDR puts 0 in pt's "one" (pt-BR says "0 caracteres", not "0 caractere"), so a count's plural
  // that shows the number and has a "one" form needs its own "=0" form.
  it("give zero its own form wherever a count has a singular", () => {
    const withoutZero = keys(ptBR).filter((key) => {
      const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], ptBR) as string;
      return [...text.matchAll(/\{(\w+), plural,([^]*?)\}\}/g)].some(([, , forms]) => forms.includes("#") && / one \{/.test(` ${forms}`) && !/=0 \{/.test(forms));
    });
    expect(withoutZero).toEqual([]);
  });
});

/** Every .svelte and .ts file of the app but the messages themselves and tests, as one text. */
function appSource(dir = join(import.meta.dirname, "../..")): string {
  return readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "messages" ? "" : appSource(path);
    return /\.(svelte|ts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? readFileSync(path, "utf8") : "";
  }).join("\n");
}

describe("the messages", () => {
  it("are each used by the app, by their full key or under a prefix it completes (`teams.roles.${role}`)", () => {
    const source = appSource();
    const unused = keys(ptBR).filter((key) => {
      if (source.includes(key)) return false;
      const parts = key.split(".");
      return !parts.slice(1).some((_, index) => source.includes(`${parts.slice(0, index + 1).join(".")}.\${`));
    });
    expect(unused).toEqual([]);
  });
});
