// A message key on a page where its words should be (a section's message looked up on a page whose
// layout did not load that section, issue #18): every page a browser test opens is read for one.
import type { Page } from "playwright-core";

// The app's own modules, imported by vitest as the app does (the Node-side typecheck of this folder
// resolves imports as Node does, which the app's extensionless imports are not written for).
const catalogueModule = new URL("../../src/lib/i18n/messages/pt-BR.ts", import.meta.url).pathname;
const sectionsModule = new URL("../../src/lib/i18n/sections.ts", import.meta.url).pathname;

function keys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
  );
}

let everyKey: Promise<Set<string>> | null = null;

export function messageKeys(): Promise<Set<string>> {
  everyKey ??= (async () => {
    const { ptBR } = (await import(/* @vite-ignore */ catalogueModule)) as { ptBR: object };
    const { sectionMessages, sections } = (await import(/* @vite-ignore */ sectionsModule)) as {
      sections: string[];
      sectionMessages: (section: string, language: "pt-BR") => Promise<object>;
    };
    const catalogues = await Promise.all(sections.map((section) => sectionMessages(section, "pt-BR")));
    return new Set([ptBR, ...catalogues].flatMap((catalogue) => keys(catalogue)));
  })();
  return everyKey;
}

/** Fails when the page shows a message's key instead of its words. */
export async function expectNoMessageKeys(page: Page): Promise<void> {
  const known = await messageKeys();
  const text = await page.locator("body").innerText();
  const shown = [...new Set(text.match(/[A-Za-z]+(?:\.[A-Za-z0-9_]+)+/g) ?? [])].filter((word) => known.has(word));
  if (shown.length > 0) throw new Error(`${new URL(page.url()).pathname} shows message keys instead of their words: ${shown.join(", ")}`);
}
