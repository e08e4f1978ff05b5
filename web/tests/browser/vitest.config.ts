// The browser flows: Debian's Chromium driven by playwright-core against the web app that
// scripts/test/run-all.ts serves (WEB_URL) on the test stack. One file at a time: they share the app.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
