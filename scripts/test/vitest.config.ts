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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
