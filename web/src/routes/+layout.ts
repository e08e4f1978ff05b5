import { loadLocale } from "$lib/i18n";
import { realtimeLoader } from "$lib/realtime/client";
import type { LayoutLoad } from "./$types";

/**
 * The person's language, and the tab's Realtime client for the pages that follow something live
 * (downloaded by the first one that asks), handed the session's current access token. The session
 * comes from the server's layout data: the server reads it from the cookies, has Supabase Auth
 * confirm its user and refreshes it (hooks.server.ts); the root layout asks again before it
 * expires (lib/session-refresh.ts), and this load runs again with the new one.
 */
export const load: LayoutLoad = async ({ data }) => {
  // Before anything renders (English is fetched only when chosen).
  await loadLocale(data.locale);
  return { ...data, realtime: realtimeLoader(data.supabaseConfig, data.session?.access_token ?? null) };
};
