import type { Cookies } from "@sveltejs/kit";

/**
 * Options for the app's own cookies (language, current company): readable by the server only,
 * `secure` exactly when the page is served over https (SvelteKit's default would make them
 * secure on http://127.0.0.1, where the local stack serves the app).
 */
export function appCookieOptions(url: URL): Parameters<Cookies["set"]>[2] {
  return { path: "/", httpOnly: true, sameSite: "lax", secure: url.protocol === "https:", maxAge: 60 * 60 * 24 * 365 };
}
