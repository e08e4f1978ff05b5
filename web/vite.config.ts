import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import { compiledMessages } from "./vite/compiled-messages.ts";

export default defineConfig({
  plugins: [tailwindcss(), compiledMessages(), sveltekit()],
  server: {
    // The stack's env names (API_URL, ANON_KEY, FUNCTIONS_URL) are read at run time by
    // src/lib/server/config.ts; nothing here bakes them into the bundle.
    fs: { allow: ["../supabase/functions/_shared"] },
  },
});
