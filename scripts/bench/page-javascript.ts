// How much JavaScript a page of the web app makes the browser download: the page opened directly
// (a first visit, empty cache) in its own Chromium context, every JS file it loads recorded as it
// arrives (the entry, the nodes of its layouts and route, their imports, and whatever they import
// lazily while the page settles), each gzipped at level 9 as adapter-node precompresses them.
// Lazy chunks that only an interaction would load (a dialog opened, a later wizard step) are not
// counted: the figure is what a visitor waits for before the page works.
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContextOptions, Response } from "playwright-core";

export interface PageToWeigh {
  label: string;
  path: string;
  /** The signed-in person's cookies, for pages behind the sign-in. */
  storageState?: BrowserContextOptions["storageState"];
}

export interface PageJavaScript {
  label: string;
  path: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
  /** Where the page ended up (a redirect would mean the wrong page was weighed). */
  landedOn: string;
}

const isAppScript = (response: Response) => {
  const url = new URL(response.url());
  return url.pathname.startsWith("/_app/") && url.pathname.endsWith(".js") && response.ok();
};

export async function weighPage(browser: Browser, baseURL: string, target: PageToWeigh): Promise<PageJavaScript> {
  const context = await browser.newContext({ baseURL, locale: "pt-BR", storageState: target.storageState, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30_000);
  const bodies = new Map<string, Promise<Buffer>>();
  try {
    const page = await context.newPage();
    page.on("response", (response) => {
      if (isAppScript(response) && !bodies.has(response.url())) bodies.set(response.url(), response.body());
    });
    await page.goto(target.path, { waitUntil: "networkidle" });
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    const files = await Promise.all(bodies.values());
    return {
      label: target.label,
      path: target.path,
      files: files.length,
      rawBytes: files.reduce((sum, body) => sum + body.length, 0),
      gzipBytes: files.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0),
      landedOn: new URL(page.url()).pathname,
    };
  } finally {
    await context.close();
  }
}

export const kilobytes = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
