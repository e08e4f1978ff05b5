import { defineConfig } from "vitest/config";

// The part of the suites that runs on the stack's asymmetric signing keys (`*.asymmetric.test.ts`),
// against the `-asymmetric` partner stack that scripts/test/run-all.ts brings up beside the test stack.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["supabase/functions/**/*.asymmetric.test.ts", "scripts/**/*.asymmetric.test.ts", "tests/**/*.asymmetric.test.ts"],
    exclude: ["**/node_modules/**", ".stack/**", "web/**"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
