import type { IncomingMessage, ServerResponse } from "node:http";
import type { ObjectFiles } from "./object-files.ts";
import type { Caller } from "./storage-callers.ts";
import type { RequestScope, StorageDatabase } from "./storage-database.ts";

/** What every Storage route works with. */
export interface StorageContext {
  db: StorageDatabase;
  files: ObjectFiles;
  log: (line: string) => void;
}

/** One request as a route sees it: the URL's decoded parts and the raw exchange. */
export interface StorageRequest {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  method: string;
  /** The path after /storage/v1, as the client sent it (for error texts). */
  rawPath: string;
  query: URLSearchParams;
  /** The route's parameters: named segments and `*`, the rest of the path, decoded. */
  params: Record<string, string>;
}

/** The database scope of a request made by `caller` for `operation`. */
export function scopeOf(request: StorageRequest, caller: Caller, operation: string): RequestScope {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.incoming.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  return { caller, operation, method: request.method, path: request.rawPath.split("?")[0], headers };
}

export function sendJson(outgoing: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  outgoing.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  outgoing.end(text);
}
