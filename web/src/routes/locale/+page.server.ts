// POST /locale: the language a person chose (pt-BR or en), for signed-in people and not. It is the
// one language control: remembered in a cookie for this browser and, once signed in, saved as the
// profile's preferred language as well, so the PT/EN switch and the profile never disagree.
import { fail, redirect } from "@sveltejs/kit";
import { profile } from "$schemas/me.ts";
import { isLocale, localeCookie } from "$lib/i18n/locales";
import { createApi } from "$lib/server/api";
import { appCookieOptions } from "$lib/server/cookies";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  default: async (event) => {
    const { request, cookies, url, locals } = event;
    const data = await request.formData();
    const chosen = data.get("locale");
    if (!isLocale(chosen)) return fail(422, { message: "Choose pt-BR or en." });
    cookies.set(localeCookie, chosen, appCookieOptions(url));
    locals.locale = chosen;
    if (locals.session) {
      // The page changes language either way; the profile catches up next time when the API is away.
      await createApi(event).patch("/me", profile, { locale: chosen }).catch((cause) => console.error("locale: the profile kept its language", cause));
    }
    const back = data.get("redirectTo");
    // Only paths of this app: never an address elsewhere.
    redirect(303, typeof back === "string" && back.startsWith("/") && !back.startsWith("//") ? back : "/");
  },
};
