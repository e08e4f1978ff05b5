// The build parses every ICU message once (issue #18): the catalogues in src/lib/i18n/messages are
// evaluated at build time and re-emitted with each message that has syntax (values, plurals,
// selects) as its formatjs syntax tree, and the browser's intl-messageformat gets the parser-less
// build of @formatjs/icu-messageformat-parser — about 9 kB gzipped that no page downloads any more.
// A literal message stays a string (the runtime returns it as is, with or without values), but only
// when parsing gives back its very text; anything else is a tree. Dev and the unit tests keep the
// catalogues as written, and the runtime (src/lib/i18n/translate.ts) formats both forms the same.
import { fileURLToPath, pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { Plugin } from "vite";
import { compileCatalogue } from "./message-compiler.ts";

const catalogueFile = /\/src\/lib\/i18n\/messages\/[^/]+\.ts$/;

export function compiledMessages(): Plugin {
  const parserFree = fileURLToPath(import.meta.resolve("@formatjs/icu-messageformat-parser/lib/no-parser.js"));
  return {
    name: "renum:compiled-messages",
    apply: "build",
    enforce: "pre",
    async resolveId(source) {
      // Only the browser's bundle: the server loads intl-messageformat from node_modules as is.
      if (source === "@formatjs/icu-messageformat-parser" && this.environment.config.consumer === "client") return parserFree;
      return null;
    },
    async load(id) {
      if (!catalogueFile.test(id)) return null;
      const module = (await tsImport(pathToFileURL(id).href, import.meta.url)) as Record<string, unknown>;
      return Object.entries(module)
        .filter(([name, value]) => name !== "default" && value && typeof value === "object")
        .map(([name, value]) => `export const ${name} = ${JSON.stringify(compileCatalogue(value as object))};`)
        .join("\n");
    },
  };
}
