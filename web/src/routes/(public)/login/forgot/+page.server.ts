// /login/forgot: asks Supabase Auth to email a password-recovery link. The answer is the same
// whether or not the address has an account (Auth answers 200 either way), so the page never
// tells a stranger who is a customer.
import { fail } from "@sveltejs/kit";
import { optionalText } from "$lib/server/forms";
import { failureStatus, passwordErrorCode } from "$lib/server/auth-errors";
import { recoveryRedirect } from "$lib/server/auth-links";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ url }) => ({
  expired: url.searchParams.has("expired"),
  email: url.searchParams.get("email") ?? "",
});

export const actions: Actions = {
  default: async ({ request, locals, url }) => {
    const email = optionalText(await request.formData(), "email") ?? "";
    if (!email) return fail(400, { error: "missing_email", email });
    const { error } = await locals.supabase.auth.resetPasswordForEmail(email, { redirectTo: recoveryRedirect(url) });
    if (error) return fail(failureStatus(error), { error: passwordErrorCode(error), email });
    return { sent: true, email };
  },
};
