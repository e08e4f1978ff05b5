// /login/reset: the new password, for someone signed in by a recovery link (or anyone signed in).
// Without a session the link was not followed or has run out, so /login/forgot offers a new one.
import { fail, redirect } from "@sveltejs/kit";
import { text } from "$lib/server/forms";
import { failureStatus, passwordErrorCode } from "$lib/server/auth-errors";
import { newPasswordProblem } from "$lib/passwords";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, "/login/forgot?expired=1");
  return { email: locals.user.email ?? "" };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    if (!locals.user) redirect(303, "/login/forgot?expired=1");
    const data = await request.formData();
    const password = text(data, "password") ?? "";
    const problem = newPasswordProblem(password, text(data, "confirmation") ?? "");
    if (problem) return fail(400, { error: problem });
    const { error } = await locals.supabase.auth.updateUser({ password });
    if (error) return fail(failureStatus(error), { error: passwordErrorCode(error) });
    redirect(303, "/");
  },
};
