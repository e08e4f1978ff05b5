import adapter from "@sveltejs/adapter-node";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // `node build` serves the app in production (PORT, HOST and ORIGIN from the environment).
    // RENUM_WEB_BUILD_DIR lets each test stack build its own copy (scripts/test/run-all.ts), so
    // parallel runs in one checkout never overwrite each other's build.
    adapter: adapter({ out: process.env.RENUM_WEB_BUILD_DIR ? `${process.env.RENUM_WEB_BUILD_DIR}/build` : "build" }),
    outDir: process.env.RENUM_WEB_BUILD_DIR ? `${process.env.RENUM_WEB_BUILD_DIR}/.svelte-kit` : ".svelte-kit",
    alias: {
      // The API's request and response schemas, shared with the `api` function (zod only).
      $schemas: "../supabase/functions/_shared/schemas",
      // RFC 4180 fields and rows as the API's CSV exports write them (/analytics' chart downloads).
      $csv: "../supabase/functions/_shared/csv.ts",
    },
  },
};

export default config;
