// /settings: the signed-in person — who they are, their name and language, their password.
import { fail } from "@sveltejs/kit";
import { profile as profileSchema, type UpdateProfileBody } from "$schemas/me.ts";
import { isLocale, localeCookie } from "$lib/i18n/locales";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { appCookieOptions } from "$lib/server/cookies";
import { text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    return { profile: await createApi(event).get("/me/profile", profileSchema) };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  profile: async (event) => {
    const data = await event.request.formData();
    const locale = text(data, "locale");
    const changes: UpdateProfileBody = { full_name: (data.get("full_name") as string | null) ?? "" };
    if (locale) changes.locale = locale as UpdateProfileBody["locale"];
    try {
      const saved = await createApi(event).patch("/me", profileSchema, changes);
      // The interface follows the preferred language from now on.
      if (isLocale(saved.locale)) {
        event.cookies.set(localeCookie, saved.locale, appCookieOptions(event.url));
        event.locals.locale = saved.locale;
      }
      return notice("settings.profileSaved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "profile");
    }
  },

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
