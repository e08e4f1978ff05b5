// GET /auth/confirm: where emailed links land (the @supabase/ssr guide's route). The token hash is
// verified on the server (verifyOtp), which puts the session in cookies, then the person goes on to
// `next`, a path of this app only. An auth code from Auth's own /verify redirect (PKCE) is exchanged
// the same way. A spent, expired or broken link goes to /login/forgot, which offers a new one.
import { redirect } from "@sveltejs/kit";
import type { EmailOtpType } from "@supabase/supabase-js";
import { sameOriginPath } from "$lib/server/auth-links";
import type { RequestHandler } from "./$types";

const emailOtpTypes = new Set<EmailOtpType>(["signup", "invite", "magiclink", "recovery", "email_change", "email"]);

export const GET: RequestHandler = async ({ url, locals }) => {
  const tokenHash = url.searchParams.get("token_hash");
  const type = url.searchParams.get("type") as EmailOtpType | null;
  const code = url.searchParams.get("code");
  const next = sameOriginPath(url.searchParams.get("next"), url);

  let verified = false;
  if (tokenHash && type && emailOtpTypes.has(type)) {
    const { error } = await locals.supabase.auth.verifyOtp({ type, token_hash: tokenHash });
    verified = !error;
  } else if (code) {
    const { error } = await locals.supabase.auth.exchangeCodeForSession(code);
    verified = !error;
  }
  if (!verified) {
    // An invitation link opened again: its sign-in part is spent, but the invitation's own token
    // (in `next`) still decides, so the person goes on to it, signing in first if need be.
    if (next.startsWith("/invitations/")) redirect(303, locals.session ? next : `/login?redirectTo=${encodeURIComponent(next)}`);
    redirect(303, "/login/forgot?expired=1");
  }
  redirect(303, next);
};
