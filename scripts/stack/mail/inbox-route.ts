// GET /_stack/inbox[?to=<address>] lists the caught emails, newest first; GET /_stack/inbox/<id>
// shows one. Read-only, and part of the local stack only (production mail goes out through SMTP).
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../gateway/responses.ts";
import type { Mailbox } from "./mailbox.ts";

export function inboxRoute(mail: Mailbox, incoming: IncomingMessage, outgoing: ServerResponse): void {
  if (incoming.method !== "GET" && incoming.method !== "HEAD") {
    outgoing.setHeader("allow", "GET, HEAD");
    return sendJson(outgoing, 405, { message: "the inbox is read-only" });
  }
  const url = new URL(incoming.url ?? "/", "http://stack.invalid");
  const id = url.pathname.replace(/^\/_stack\/inbox\/?/, "");
  if (id === "") return sendJson(outgoing, 200, { messages: mail.list(url.searchParams.get("to") ?? undefined) });
  const message = mail.read(decodeURIComponent(id));
  if (!message) return sendJson(outgoing, 404, { message: "no such email" });
  sendJson(outgoing, 200, message);
}
