// POST /logout: ends the session with Supabase Auth and clears the cookies.
import { redirect } from "@sveltejs/kit";
import { tenantCookie } from "$lib/server/api";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = () => redirect(303, "/");

export const actions: Actions = {
  default: async ({ locals, cookies }) => {
    await locals.supabase.auth.signOut();
    cookies.delete(tenantCookie, { path: "/" });
    redirect(303, "/login?signedOut=1");
  },
};
