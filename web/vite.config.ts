import { fileURLToPath } from "node:url";
import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig, type Plugin } from "vite";

/**
 * The browser's Supabase client is for Auth and Realtime only (data comes through the SvelteKit
 * server and the `api` function), yet supabase-js always builds a PostgREST and a Storage client:
 * about 11 kB gzipped on every page. The browser build swaps those two packages for stand-ins that
 * throw when used (src/lib/supabase-browser/unused-clients.ts); the server, dev and tests keep the real ones.
 */
function browserWithoutTableAndStorageClients(): Plugin {
  const standIn = fileURLToPath(new URL("./src/lib/supabase-browser/unused-clients.ts", import.meta.url));
  const replaced = new Set(["@supabase/postgrest-js", "@supabase/storage-js"]);
  return {
    name: "renum:browser-without-table-and-storage-clients",
    apply: "build",
    enforce: "pre",
    applyToEnvironment: (environment) => environment.name === "client",
    resolveId: (id) => (replaced.has(id) ? standIn : null),
  };
}

export default defineConfig({
  plugins: [tailwindcss(), sveltekit(), browserWithoutTableAndStorageClients()],
  server: {
    // The stack's env names (API_URL, ANON_KEY, FUNCTIONS_URL) are read at run time by
    // src/lib/server/config.ts; nothing here bakes them into the bundle.
    fs: { allow: ["../supabase/functions/_shared"] },
  },
});
