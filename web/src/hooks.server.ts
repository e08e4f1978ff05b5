// Every request passes, in order: the language (cookie), the Supabase client bound to the request's
// cookies with a session check that asks Supabase Auth (not just the cookie), and the guard that
// sends people who are not signed in to /login. The handles live in $lib/server/hooks.ts.
import type { Handle } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { authGuard, language, supabase } from "$lib/server/hooks";

export const handle: Handle = sequence(language, supabase, authGuard);
