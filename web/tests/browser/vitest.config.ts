// The browser flows: Debian's Chromium driven by playwright-core against the web app that
// scripts/test/run-all.ts serves (WEB_URL) on the test stack. Two files at a time: each makes its
// own people and companies, and only outbound-reply binds the stack's fixed fake WhatsApp port.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["*.test.ts"],
    environment: "node",
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // A poll on a page waits for the interface, as a locator's waitFor does: the same patience
    // (vitest's one second is too short with two browsers and the stack on two CPUs).
    expect: { poll: { timeout: 15_000 } },
  },
});
