// The web app's vitest projects (run by scripts/test/run-all.ts as their own vitest invocation):
//   components — Svelte components and browser-side modules, in jsdom;
//   server     — load functions, form actions and the API client (`*.server.test.ts`), in Node,
//                against the running stack whose URLs and keys the runner puts in the environment.
// The browser flows (tests/browser) have their own config: they need the app served.
import { realpathSync } from "node:fs";
import { sveltekit } from "@sveltejs/kit/vite";
import { svelteTesting } from "@testing-library/svelte/vite";
import { searchForWorkspaceRoot } from "vite";
import { defineConfig } from "vitest/config";

// A git worktree whose node_modules is a link to another checkout's: Vite serves files only from
// the workspace, so the linked folder's real place is allowed too (a plain clone changes nothing).
const nodeModules = realpathSync(new URL("../node_modules", import.meta.url));

export default defineConfig({
  plugins: [sveltekit()],
  server: { fs: { allow: [searchForWorkspaceRoot(process.cwd()), nodeModules] } },
  test: {
    // Worker threads start faster than forked processes, and these files share nothing a thread
    // would leak (each gets its own environment and module graph).
    pool: "threads",
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
