// The handles of hooks.server.ts, each on its own so tests can run them as SvelteKit does.
import { createServerClient } from "@supabase/ssr";
import { redirect, type Handle } from "@sveltejs/kit";
import { defaultLocale, isLocale, localeCookie } from "$lib/i18n/locales";
import { signInPath, tenantFromCookie } from "$lib/server/api";
import { forwardsClientIp, supabaseConfig } from "$lib/server/config";
import { serverRealtime } from "$lib/supabase";

/** The language of the request: the `renum-locale` cookie, else Brazilian Portuguese; also `<html lang>`. */
export const language: Handle = async ({ event, resolve }) => {
  const chosen = event.cookies.get(localeCookie);
  event.locals.locale = isLocale(chosen) ? chosen : defaultLocale;
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace("%lang%", event.locals.locale),
  });
};

/** A Supabase server client bound to the request's cookies, and `safeGetSession`. */
export const supabase: Handle = async ({ event, resolve }) => {
  const { url, clientKey } = supabaseConfig();
  event.locals.supabase = createServerClient(url, clientKey, {
    realtime: serverRealtime,
    ...(forwardsClientIp() ? { global: { headers: { "sb-forwarded-for": event.getClientAddress() } } } : {}),
    cookies: {
      getAll: () => event.cookies.getAll(),
      setAll: (cookiesToSet, headers) => {
        // The auth cookies keep Supabase's options (httpOnly off, as @supabase/ssr sets them);
        // `secure` follows the page's scheme.
        for (const { name, value, options } of cookiesToSet) {
          event.cookies.set(name, value, { ...options, path: "/", secure: event.url.protocol === "https:" });
        }
        try {
          // A response that sets a session must never be cached by a proxy.
          event.setHeaders(headers);
        } catch {
          // Already set by an earlier write in this request.
        }
      },
    },
  });

  event.locals.safeGetSession = async () => {
    const {
      data: { session },
    } = await event.locals.supabase.auth.getSession();
    if (!session) return { session: null, user: null };
    // getSession trusts the cookie; getUser asks Supabase Auth whether the token is still good.
    const {
      data: { user },
      error,
    } = await event.locals.supabase.auth.getUser();
    if (error || !user) return { session: null, user: null };
    // The session with the user Auth just vouched for, not the one read from the cookie.
    const { access_token, refresh_token, expires_in, expires_at, token_type } = session;
    return { session: { access_token, refresh_token, expires_in, expires_at, token_type, user }, user };
  };

  return resolve(event, {
    filterSerializedResponseHeaders: (name) => name === "content-range" || name === "x-supabase-api-version",
  });
};

/** Pages anyone may open; everything else needs a session. (/login/reset checks its own: a recovery link's session.) */
const publicPaths = new Set(["/login", "/login/forgot", "/login/reset", "/auth/confirm", "/locale"]);

function isPublic(pathname: string): boolean {
  return publicPaths.has(pathname);
}

/** The session (checked with Supabase Auth), the current company, and /login for everyone without a session. */
export const authGuard: Handle = async ({ event, resolve }) => {
  const { session, user } = await event.locals.safeGetSession();
  event.locals.session = session;
  event.locals.user = user;
  event.locals.tenantId = session ? tenantFromCookie(event.cookies) : null;

  const { pathname } = event.url;
  if (!session && !isPublic(pathname)) redirect(303, signInPath(event.url));
  if (session && pathname === "/login") redirect(303, "/");
  return resolve(event);
};
