import { supabaseConfig } from "$lib/server/config";
import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = async ({ locals: { session, user, locale }, cookies }) => {
  const { url, clientKey } = supabaseConfig();
  return {
    session,
    user,
    locale,
    // The browser client is configured at run time, so one build serves every environment.
    supabaseConfig: { url, clientKey },
    // Only Supabase's cookies: what the server-side client of +layout.ts reads the session from.
    cookies: cookies.getAll().filter((cookie) => cookie.name.startsWith("sb-")),
  };
};
