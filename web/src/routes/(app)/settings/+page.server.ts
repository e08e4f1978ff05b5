// /settings: the signed-in person — who they are, their name, photo and language, their password.
import { fail } from "@sveltejs/kit";
import { profile as profileSchema, type UpdateProfileBody } from "$schemas/me.ts";
import { isLocale, localeCookie } from "$lib/i18n/locales";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { appCookieOptions } from "$lib/server/cookies";
import { optionalText, text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { newPasswordProblem } from "$lib/passwords";
import { failureStatus, passwordErrorCode } from "$lib/server/auth-errors";
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
    // An empty photo address removes the photo (the header shows the initials again).
    const changes: UpdateProfileBody = { full_name: text(data, "full_name") ?? "", avatar_url: optionalText(data, "avatar_url") ?? null };
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
    const data = await request.formData();
    const password = text(data, "password") ?? "";
    const problem = newPasswordProblem(password, text(data, "confirmation") ?? "");
    if (problem) return fail(400, { form: "password", error: problem });
    // The session is the proof of identity; with `secure_password_change` on, Auth asks an older session to reauthenticate.
    const { error } = await locals.supabase.auth.updateUser({ password });
    if (error) return fail(failureStatus(error), { form: "password", error: passwordErrorCode(error) });
    return notice("settings.passwordChanged");
  },
};
