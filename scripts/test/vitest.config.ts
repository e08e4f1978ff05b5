import { defineConfig } from "vitest/config";

// Suites run against the test stack that scripts/test/run-all.ts brings up (its URLs and keys
// arrive in the environment), one file at a time so stack-level tests do not race each other.
// The web app's tests have their own configs (web/vitest.config.ts, web/tests/browser/), which
// run-all.ts runs as separate invocations: they need SvelteKit's plugin and a served app.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["supabase/functions/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts"],
    // *.asymmetric.test.ts need the stack on signing keys: vitest.asymmetric.config.ts runs them.
    exclude: ["**/node_modules/**", ".stack/**", "web/**", "**/*.asymmetric.test.ts"],
    fileParallelism: false,
    // One file at a time either way; a worker thread per file starts faster than a forked process,
    // and each thread has its own process.env copy, so a file's settings never reach the next.
    pool: "threads",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
