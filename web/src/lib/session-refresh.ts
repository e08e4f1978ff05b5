// Supabase Auth's client is not in the browser (see realtime/client.ts), so nothing there refreshes
// the access token before it expires. A page left open asks the server shortly before: the root
// layout's server load depends on `supabase:auth`, the server's client (hooks.server.ts) refreshes
// a session within 90 s of its expiry and writes the new cookies, and the layout data brings the
// new token to the channels joined with the old one (they set it again when it changes).

/** Inside Auth's 90 s margin, so the server refreshes the session instead of handing it back. */
const beforeExpiryMs = 60_000;
/** Never sooner: a server that handed back the same session is not asked again at once. */
const minimumWaitMs = 5_000;

/** Calls `refresh` when the session is about to expire; answers the function that stops. */
export function keepSessionFresh(expiresAt: number | undefined, refresh: () => void): () => void {
  if (!expiresAt) return () => {};
  const dueIn = () => expiresAt * 1000 - beforeExpiryMs - Date.now();
  const timer = setTimeout(refresh, Math.max(minimumWaitMs, dueIn()));
  // Timers sleep in background tabs: a tab that comes back after the due time refreshes then.
  const onVisible = () => {
    if (document.visibilityState === "visible" && dueIn() <= 0) refresh();
  };
  document.addEventListener("visibilitychange", onVisible);
  return () => {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
