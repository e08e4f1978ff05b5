// The local stand-in for Supabase's API gateway: one port routing /functions/v1 to the edge
// functions (and, as they arrive, /auth/v1 and /realtime/v1 to their stand-ins).
//   tsx scripts/stack/gateway/gateway.ts <instance>
import { createServer } from "node:http";
import { isInstanceName, stackInstance } from "../instances.ts";
import { FunctionWorkers } from "./function-workers.ts";
import { routeToFunction } from "./functions-route.ts";
import { sendJson } from "./responses.ts";

const instanceName = process.argv[2] ?? "dev";
if (!isInstanceName(instanceName)) throw new Error(`unknown stack "${instanceName}"`);
const instance = stackInstance(instanceName);

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

const workers = new FunctionWorkers(instance, log);

const server = createServer((incoming, outgoing) => {
  const url = incoming.url ?? "/";
  if (url === "/_stack/health") return sendJson(outgoing, 200, { status: "ok", instance: instance.name, pid: process.pid });
  if (url === "/functions/v1" || url.startsWith("/functions/v1/") || url.startsWith("/functions/v1?")) {
    routeToFunction(workers, incoming, outgoing, url.slice("/functions/v1".length) || "/").catch((error) => {
      log(`[gateway] ${incoming.method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!outgoing.headersSent) sendJson(outgoing, 502, { code: "GATEWAY_ERROR", message: "The gateway could not reach the function" });
    });
    return;
  }
  // Kong's answer for a path no service claims.
  sendJson(outgoing, 404, { message: "no Route matched with those values" });
});

server.on("error", (error: NodeJS.ErrnoException) => {
  const reason = error.code === "EADDRINUSE" ? `port ${instance.apiPort} is already taken by another process` : error.message;
  log(`[gateway] cannot listen: ${reason}`);
  process.exit(1);
});

server.listen(instance.apiPort, "127.0.0.1", () => {
  log(`[gateway] listening on http://127.0.0.1:${instance.apiPort} (${instance.name})`);
  workers.startAll();
});

let shuttingDown = false;
async function shutDown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log("[gateway] stopping");
  server.close();
  server.closeAllConnections();
  await workers.stopAll();
  process.exit(0);
}
process.on("SIGTERM", shutDown);
process.on("SIGINT", shutDown);
