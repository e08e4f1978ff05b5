// POST /locale: remembers the language a person chose (pt-BR or en), for signed-in people and not.
import { fail, redirect } from "@sveltejs/kit";
import { isLocale, localeCookie } from "$lib/i18n/locales";
import { appCookieOptions } from "$lib/server/cookies";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  default: async ({ request, cookies, url, locals }) => {
    const data = await request.formData();
    const chosen = data.get("locale");
    if (!isLocale(chosen)) return fail(422, { message: "Choose pt-BR or en." });
    cookies.set(localeCookie, chosen, appCookieOptions(url));
    locals.locale = chosen;
    const back = data.get("redirectTo");
    // Only paths of this app: never an address elsewhere.
    redirect(303, typeof back === "string" && back.startsWith("/") && !back.startsWith("//") ? back : "/");
  },
};
