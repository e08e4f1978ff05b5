// /login: sign in and sign up with email and password through Supabase Auth (the session lands in
// cookies through the server client of hooks.server.ts).
import { fail, redirect } from "@sveltejs/kit";
import { AuthError } from "@supabase/supabase-js";
import { optionalText, text } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

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

export const load: PageServerLoad = ({ url }) => ({
  signedOut: url.searchParams.has("signedOut"),
});

export const actions: Actions = {
  signin: async ({ request, locals, url }) => {
    const data = await request.formData();
    const email = optionalText(data, "email") ?? "";
    const password = text(data, "password") ?? "";
    if (!email || !password) return fail(400, { form: "signin", error: "missing_fields", email });
    const { error } = await locals.supabase.auth.signInWithPassword({ email, password });
    if (error) return fail(error.status && error.status >= 400 ? error.status : 400, { form: "signin", error: authErrorCode(error), email });
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
