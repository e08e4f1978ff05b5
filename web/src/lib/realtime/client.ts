// The tab's Realtime connection. Only the pages that follow something live (a run, the inbox, a
// knowledge base) and a run started in this tab need it, so realtime-js (about 15 kB gzipped) is
// downloaded the first time one asks, not with every page; Supabase Auth's client stays out of the
// browser altogether: the server reads and refreshes the session (hooks.server.ts) and every load
// of the root layout hands the client the access token it got from there.
//
// The client owns the token (realtime-js' `accessToken` callback): channels are joined with the
// current one, realtime-js asks for it again on every heartbeat, and a new one is pushed at once to
// every joined channel — so a channel joined long ago (a run's toast, a monitor left open) is not
// closed by Realtime when the token it was joined with expires.
import type { RealtimeClient } from "@supabase/realtime-js";
import { browser } from "$app/environment";

/** The tab's client, created (and realtime-js downloaded) on the first call; the same one every time after. */
export type RealtimeLoader = () => Promise<RealtimeClient>;

interface Connection {
  loader: RealtimeLoader;
  accessToken: string | null;
  /** Set once realtime-js is downloaded and the client made. */
  client: RealtimeClient | null;
}

const connections = new Map<string, Connection>();

/**
 * One loader per project: the same function for every load of the layout, so listeners of the same
 * topic anywhere in the tab share one channel (see ../executions/execution-channel.ts). Each call
 * also hands over the person's current access token (null when signed out).
 */
export function realtimeLoader(config: { url: string; clientKey: string }, accessToken: string | null): RealtimeLoader {
  // The server renders pages but never joins channels; nor does it keep anyone's token in a module.
  if (!browser) return () => Promise.reject(new Error("Realtime is joined from the browser; server code does not open channels"));
  const key = `${config.url} ${config.clientKey}`;
  let connection = connections.get(key);
  if (!connection) {
    let client: Promise<RealtimeClient> | undefined;
    const made: Connection = {
      accessToken,
      client: null,
      loader: () =>
        (client ??= import("@supabase/realtime-js").then(({ RealtimeClient }) => {
          // What supabase-js would build: /realtime/v1 on the project's host, the publishable key as apikey.
          const endpoint = new URL("realtime/v1", config.url.endsWith("/") ? config.url : `${config.url}/`);
          endpoint.protocol = endpoint.protocol.replace("http", "ws");
          made.client = new RealtimeClient(endpoint.href, { params: { apikey: config.clientKey }, accessToken: async () => made.accessToken });
          return made.client;
        })),
    };
    connections.set(key, (connection = made));
  }
  if (connection.accessToken !== accessToken) {
    connection.accessToken = accessToken;
    // Pushed to the joined channels now rather than at the next heartbeat.
    void connection.client?.setAuth().catch(() => undefined);
  }
  return connection.loader;
}
