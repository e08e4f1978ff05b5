// /login: sign in and sign up with email and password through Supabase Auth (the session lands in
// cookies through the server client of hooks.server.ts).
import { fail, redirect } from "@sveltejs/kit";
import { AuthError } from "@supabase/supabase-js";
import { profile as profileSchema } from "$schemas/me.ts";
import { localeCookie } from "$lib/i18n/locales";
import { createApi } from "$lib/server/api";
import { appCookieOptions } from "$lib/server/cookies";
import { optionalText, text } from "$lib/server/forms";
import type { Actions, PageServerLoad, RequestEvent } from "./$types";

/** Supabase Auth's error codes the page has words for; anything else is `unknown`. */
const knownAuthErrors = new Set([
  "invalid_credentials",
  "user_already_exists",
  "email_exists",
  "weak_password",
  "email_address_invalid",
  "email_not_confirmed",
  "over_request_rate_limit",
  "signup_disabled",
]);

function authErrorCode(error: AuthError): string {
  if (error.code && knownAuthErrors.has(error.code)) return error.code;
  if (error.name === "AuthRetryableFetchError" || error.status === 0) return "unreachable";
  return "unknown";
}

/** Where to go after signing in: a path of this app only, never an address elsewhere. */
function afterSignIn(url: URL): string {
  const back = url.searchParams.get("redirectTo");
  return back && back.startsWith("/") && !back.startsWith("//") && !back.startsWith("/login") ? back : "/";
}

/**
 * The profile's language becomes this browser's (#18): on a new device the cookie would otherwise
 * keep the default until the person found the switch again. Best effort: signing in never fails on it.
 */
async function adoptProfileLanguage(event: RequestEvent): Promise<void> {
  try {
    const { locale } = await createApi(event).get("/me/profile", profileSchema);
    if (locale === event.locals.locale) return;
    event.cookies.set(localeCookie, locale, appCookieOptions(event.url));
    event.locals.locale = locale;
  } catch (cause) {
    console.error("login: kept the browser's language", cause);
  }
}

export const load: PageServerLoad = ({ url }) => ({
  signedOut: url.searchParams.has("signedOut"),
});

export const actions: Actions = {
  signin: async (event) => {
    const { request, locals, url } = event;
    const data = await request.formData();
    const email = optionalText(data, "email") ?? "";
    const password = text(data, "password") ?? "";
    if (!email || !password) return fail(400, { form: "signin", error: "missing_fields", email });
    const { data: signedIn, error } = await locals.supabase.auth.signInWithPassword({ email, password });
    if (error) return fail(error.status && error.status >= 400 ? error.status : 400, { form: "signin", error: authErrorCode(error), email });
    // This request's own session from now on, so the API is asked as the person just signed in.
    locals.session = signedIn.session;
    await adoptProfileLanguage(event);
    redirect(303, afterSignIn(url));
  },

  signup: async ({ request, locals, url }) => {
    const data = await request.formData();
    const email = optionalText(data, "email") ?? "";
    const password = text(data, "password") ?? "";
    const fullName = optionalText(data, "full_name");
    if (!email || !password) return fail(400, { form: "signup", error: "missing_fields", email, fullName });
    const { data: created, error } = await locals.supabase.auth.signUp({
      email,
      password,
      // Copied into the profile by the database when the user is created.
      options: { data: { ...(fullName ? { full_name: fullName } : {}), locale: locals.locale } },
    });
    if (error) return fail(error.status && error.status >= 400 ? error.status : 400, { form: "signup", error: authErrorCode(error), email, fullName });
    // With email confirmations on, there is no session until the address is confirmed.
    if (!created.session) return fail(400, { form: "signup", error: "email_not_confirmed", email, fullName });
    redirect(303, afterSignIn(url));
  },
};
