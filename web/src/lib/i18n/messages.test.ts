import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./messages/en";
import { ptBR } from "./messages/pt-BR";
import { sectionMessages, sections, type Section } from "./sections";

function keys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
  );
}

function textOf(messages: object, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
}

const sectionCatalogues = Object.fromEntries(
  await Promise.all(sections.map(async (section) => [section, { ptBR: await sectionMessages(section, "pt-BR"), en: await sectionMessages(section, "en") }] as const)),
) as Record<Section, { ptBR: object; en: object }>;

/** Every message of a language: the root catalogue and each section's, with their keys. */
function everything(language: "ptBR" | "en"): [string, unknown][] {
  const root = language === "ptBR" ? ptBR : en;
  const all = new Map<string, unknown>(keys(root).map((key) => [key, textOf(root, key)]));
  for (const section of sections) {
    const catalogue = sectionCatalogues[section][language];
    for (const key of keys(catalogue)) all.set(key, textOf(catalogue, key));
  }
  return [...all];
}

describe("the two languages", () => {
  it("translate exactly the same messages in the root catalogue", () => {
    expect(keys(en).sort()).toEqual(keys(ptBR).sort());
  });

  for (const section of sections) {
    it(`translate exactly the same messages in the ${section} section`, () => {
      const { ptBR: portuguese, en: english } = sectionCatalogues[section];
      expect(keys(portuguese).length).toBeGreaterThan(0);
      expect(keys(english).sort()).toEqual(keys(portuguese).sort());
    });
  }

  it("leave no English message empty or equal to a key", () => {
    for (const [key, text] of everything("en")) {
      expect(typeof text === "string" && text.trim().length > 0 && text !== key, key).toBe(true);
    }
  });

  it("say in the root catalogue what it keeps of a section exactly as the section says it", () => {
    for (const language of ["ptBR", "en"] as const) {
      const root = language === "ptBR" ? ptBR : en;
      for (const section of sections) {
        const catalogue = sectionCatalogues[section][language];
        for (const key of keys(catalogue)) if (textOf(root, key) !== undefined) expect(textOf(root, key), key).toBe(textOf(catalogue, key));
      }
    }
  });
});

describe("Portuguese plurals", () => {
  // CLDR puts 0 in pt's "one" (pt-BR says "0 caracteres", not "0 caractere"), so a count's plural
  // that shows the number and has a "one" form needs its own "=0" form.
  it("give zero its own form wherever a count has a singular", () => {
    const withoutZero = everything("ptBR").filter(([, text]) =>
      [...(text as string).matchAll(/\{(\w+), plural,([^]*?)\}\}/g)].some(([, , forms]) => forms.includes("#") && / one \{/.test(` ${forms}`) && !/=0 \{/.test(forms)),
    );
    expect(withoutZero.map(([key]) => key)).toEqual([]);
  });
});

const sourceRoot = join(import.meta.dirname, "../..");

/** Every .svelte and .ts file of the app but the messages themselves and tests, by path under src/. */
function appFiles(dir = sourceRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "messages" ? [] : appFiles(path);
    return /\.(svelte|ts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [relative(sourceRoot, path)] : [];
  });
}

const files = appFiles();
const sources = new Map(files.map((file) => [file, readFileSync(join(sourceRoot, file), "utf8")]));

/** Whether `source` uses `key`: by its full key, or under a prefix it completes (`teams.roles.${role}`). */
function uses(source: string, key: string, prefixAllowed: (prefix: string) => boolean = () => true): boolean {
  if (source.includes(key)) return true;
  const parts = key.split(".");
  return parts.slice(1).some((_, index) => {
    const prefix = parts.slice(0, index + 1).join(".");
    return prefixAllowed(prefix) && source.includes(`${prefix}.\${`);
  });
}

describe("the messages", () => {
  it("are each used by the app, by their full key or under a prefix it completes (`teams.roles.${role}`)", () => {
    const source = [...sources.values()].join("\n");
    const unused = everything("ptBR").map(([key]) => key).filter((key) => !uses(source, key));
    expect(unused).toEqual([]);
  });
});

// A section's own words exist on a page only once a layout above it loaded them: a file using them
// must be a route under such a layout, or a module that only such routes import.
describe("a section's own messages", () => {
  const loadedBy = new Map<string, Section[]>();
  for (const file of files.filter((file) => /(^|\/)\+layout\.ts$/.test(file))) {
    const call = /loadSections\(\[([^\]]*)\]/.exec(sources.get(file)!);
    if (call) loadedBy.set(dirname(file), [...call[1].matchAll(/"(\w+)"/g)].map(([, name]) => name as Section));
  }

  const known = new Set(files);
  function resolve(from: string, specifier: string): string | undefined {
    const base = specifier.startsWith("$lib/") ? join("lib", specifier.slice(5)) : specifier.startsWith(".") ? join(dirname(from), specifier) : null;
    if (base === null) return undefined;
    return [base, `${base}.ts`, `${base}.svelte`, `${base}.svelte.ts`, join(base, "index.ts")].find((candidate) => known.has(candidate));
  }
  const importers = new Map<string, string[]>();
  for (const [file, source] of sources) {
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      const target = resolve(file, specifier);
      if (target) importers.set(target, [...(importers.get(target) ?? []), file]);
    }
  }

  const available = new Map<string, Set<Section>>();
  function sectionsFor(file: string, visiting = new Set<string>()): Set<Section> {
    const known = available.get(file);
    if (known) return known;
    let result: Set<Section>;
    if (file.startsWith("routes/")) {
      result = new Set();
      for (let dir = dirname(file); dir !== "."; dir = dirname(dir)) for (const section of loadedBy.get(dir) ?? []) result.add(section);
    } else {
      const users = (importers.get(file) ?? []).filter((user) => !visiting.has(user));
      visiting.add(file);
      const each = users.map((user) => sectionsFor(user, visiting));
      result = each.length === 0 ? new Set() : new Set([...each[0]].filter((section) => each.every((set) => set.has(section))));
      visiting.delete(file);
    }
    available.set(file, result);
    return result;
  }

  it("are loaded by at least one layout each, and by layouts that exist", () => {
    expect(new Set([...loadedBy.values()].flat())).toEqual(new Set(sections));
    for (const dir of loadedBy.keys()) expect(existsSync(join(sourceRoot, dir)), dir).toBe(true);
  });

  it("are used only where a layout above loaded them", () => {
    const rootKeys = new Set(keys(ptBR));
    const rootPrefixes = new Set([...rootKeys].flatMap((key) => key.split(".").map((_, index, parts) => parts.slice(0, index + 1).join("."))));
    const misplaced: string[] = [];
    for (const section of sections) {
      const own = keys(sectionCatalogues[section].ptBR).filter((key) => !rootKeys.has(key));
      for (const [file, source] of sources) {
        if (sectionsFor(file).has(section)) continue;
        const used = own.filter((key) => uses(source, key, (prefix) => !rootPrefixes.has(prefix)));
        if (used.length > 0) misplaced.push(`${file} uses ${section}'s ${used.slice(0, 3).join(", ")}`);
      }
    }
    expect(misplaced).toEqual([]);
  });
});
