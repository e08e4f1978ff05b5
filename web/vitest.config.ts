// The web app's vitest projects (run by scripts/test/run-all.ts as their own vitest invocation):
//   components — Svelte components and browser-side modules, in jsdom;
//   server     — load functions, form actions and the API client (`*.server.test.ts`), in Node,
//                against the running stack whose URLs and keys the runner puts in the environment.
// The browser flows (tests/browser) have their own config: they need the app served.
import { sveltekit } from "@sveltejs/kit/vite";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [sveltekit()],
  test: {
    projects: [
      {
        extends: true,
        plugins: [svelteTesting()],
        test: {
          name: "components",
          environment: "jsdom",
          setupFiles: ["src/tests/both-languages.ts"],
          include: ["src/**/*.test.ts"],
          exclude: ["src/**/*.server.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "server",
          environment: "node",
          include: ["src/**/*.server.test.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
