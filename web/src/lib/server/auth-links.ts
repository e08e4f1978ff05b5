// The addresses of emailed auth links: where a recovery link sends the person, and where the app
// may go after /auth/confirm (its own paths only, so a link can never lead somewhere else).

/** Where the emailed recovery link lands: this app's /auth/confirm, which then opens the new-password page. */
export function recoveryRedirect(url: URL): string {
  return `${url.origin}/auth/confirm?next=/login/reset`;
}

/** `next` when it is a path of this app, else the dashboard. */
export function sameOriginPath(next: string | null, url: URL): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  const target = new URL(next, url.origin);
  return target.origin === url.origin ? `${target.pathname}${target.search}` : "/";
}
