import { defineConfig } from "vitest/config";

// Suites run against the test stack that scripts/test/run-all.ts brings up (its URLs and keys
// arrive in the environment), one file at a time so stack-level tests do not race each other.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["supabase/functions/**/*.test.ts", "scripts/**/*.test.ts", "web/**/*.test.ts"],
    exclude: ["**/node_modules/**", ".stack/**"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
