import { createBrowserClient, createServerClient, isBrowser } from "@supabase/ssr";
import { loadLocale } from "$lib/i18n";
import { serverRealtime } from "$lib/supabase";
import type { LayoutLoad } from "./$types";

/**
 * The Supabase client pages use in the browser (sign-in state, and Realtime for live updates):
 * a browser client there, a server client while rendering on the server. Re-run on
 * `invalidate('supabase:auth')`, which the root layout calls when the session changes.
 */
export const load: LayoutLoad = async ({ data, depends, fetch }) => {
  depends("supabase:auth");
  // The person's language, before anything renders (English is fetched only when chosen).
  await loadLocale(data.locale);
  const { url, clientKey } = data.supabaseConfig;
  const supabase = isBrowser()
    ? createBrowserClient(url, clientKey, { global: { fetch } })
    : createServerClient(url, clientKey, { global: { fetch }, realtime: serverRealtime, cookies: { getAll: () => data.cookies } });

  // On the server, hooks.server.ts already had Supabase Auth confirm the session's user; in the
  // browser, getUser asks Auth before the user is trusted.
  if (!isBrowser()) return { ...data, supabase };
  const {
    data: { session },
  } = await supabase.auth.getSession();
  const {
    data: { user },
  } = session ? await supabase.auth.getUser() : { data: { user: null } };
  return { ...data, supabase, session, user };
};
