import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { StackInstance } from "../instances.ts";
import type { Mailbox } from "../mail/mailbox.ts";

/** What every stand-in behind the gateway receives. */
export interface ServiceContext {
  instance: StackInstance;
  log: (line: string) => void;
  /** Where the stand-ins' outgoing email lands (the stack's mail catcher); the stack's own by default. */
  mail?: Mailbox;
}

/**
 * A stand-in for one Supabase service (Auth, Realtime, ...), mounted under a path prefix on the
 * gateway port, as Kong mounts the real ones.
 */
export interface GatewayService {
  /** e.g. "/auth/v1"; requests under it arrive with the prefix removed. */
  prefix: string;
  handle(incoming: IncomingMessage, outgoing: ServerResponse, pathAfterPrefix: string): void | Promise<void>;
  /** WebSocket upgrades under the prefix. */
  upgrade?(incoming: IncomingMessage, socket: Duplex, head: Buffer, pathAfterPrefix: string): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export function pathUnder(prefix: string, url: string): string | null {
  if (url === prefix) return "/";
  if (url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`)) return url.slice(prefix.length);
  return null;
}

/** Work the stack does in the background for the database, such as performing pg_net's queue. */
export interface BackgroundWorker {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
