// Debian's Chromium driven by playwright-core (`npx playwright install` cannot download a browser
// here): headless, sandbox off (tests run as root), no background networking (the machine's
// network is closed), and a fresh profile every launch (playwright makes a new temporary
// --user-data-dir for each launch itself, and refuses one passed as an argument).
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expectNoMessageKeys } from "./message-keys.ts";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** The web app under test: `WEB_URL` from the runner (scripts/test/run-all.ts). */
export function webUrl(): string {
  const url = process.env.WEB_URL;
  if (!url) throw new Error("WEB_URL is not set: run the browser suite through `npm test`, which serves the app");
  return url.replace(/\/+$/, "");
}

/** A fresh context (its own cookies) at a phone's or a laptop's width. */
export async function newPage(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: webUrl(),
    viewport: { width, height: width < 600 ? 780 : 900 },
    locale: "pt-BR",
  });
  context.setDefaultTimeout(15_000);
  return { context, page: await context.newPage() };
}

/** Opens `path`, waits until the page is interactive (the root layout marks it once hydrated) and reads it for message keys. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await expectNoMessageKeys(page);
}
