// /settings: the signed-in person — who they are, their language, their password.
import { fail } from "@sveltejs/kit";
import { text } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions } from "./$types";

export const actions: Actions = {
  password: async ({ request, locals }) => {
    const password = text(await request.formData(), "password") ?? "";
    if (password.length < 6) return fail(422, { form: "password", error: "weak_password" });
    const { error } = await locals.supabase.auth.updateUser({ password });
    if (error) {
      const code = error.code === "weak_password" || error.code === "same_password" ? "weak_password" : "unknown";
      return fail(error.status && error.status >= 400 ? error.status : 400, { form: "password", error: code });
    }
    return notice("settings.passwordChanged");
  },
};
