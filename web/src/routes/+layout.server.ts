import { supabaseConfig } from "$lib/server/config";
import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = async ({ locals: { session, user, locale }, depends }) => {
  // Asked again by the root layout before the session expires: hooks.server.ts refreshes it then.
  depends("supabase:auth");
  const { url, clientKey } = supabaseConfig();
  return {
    session,
    user,
    locale,
    // The browser's Realtime client is configured at run time, so one build serves every environment.
    supabaseConfig: { url, clientKey },
  };
};
