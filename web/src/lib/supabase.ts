import type { SupabaseClientOptions } from "@supabase/supabase-js";

type RealtimeOptions = NonNullable<SupabaseClientOptions<"public">["realtime"]>;

/**
 * For the Supabase clients made on the server: pages subscribe to Realtime from the browser only,
 * and Node 20 has no WebSocket of its own, which supabase-js checks for when it builds a client.
 * This transport is never connected; if server code ever tried, it would say why it cannot.
 */
class NoRealtimeOnTheServer {
  constructor() {
    throw new Error("Realtime is subscribed to from the browser; server code does not open channels");
  }
}

export const serverRealtime: RealtimeOptions = {
  transport: (globalThis.WebSocket ?? NoRealtimeOnTheServer) as unknown as RealtimeOptions["transport"],
};
