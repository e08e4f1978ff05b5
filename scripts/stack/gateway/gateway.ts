// The local stand-in for Supabase's API gateway: one port, each Supabase service under its path.
//   tsx scripts/stack/gateway/gateway.ts <instance>
import { createServer } from "node:http";
import { authService } from "../auth/auth-service.ts";
import { instanceKeys, useInstanceKeys } from "../instance-keys.ts";
import { isInstanceName, stackInstance } from "../instances.ts";
import { functionsService } from "./functions-service.ts";
import { pathUnder, type BackgroundWorker, type GatewayService, type ServiceContext } from "./gateway-service.ts";
import { pgNetWorker } from "../pg-net/pg-net-worker.ts";
import { realtimeService } from "../realtime/realtime-service.ts";
import { storageService } from "../storage/storage-service.ts";
import { sendJson } from "./responses.ts";
import { mailbox } from "../mail/mailbox.ts";
import { inboxRoute } from "../mail/inbox-route.ts";

const instanceName = process.argv[2] ?? "dev";
if (!isInstanceName(instanceName)) throw new Error(`unknown stack "${instanceName}"`);
const instance = stackInstance(instanceName);
// Every stand-in verifies and signs with the key system recorded for the instance.
useInstanceKeys(instanceKeys(instance));

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

// Like Inbucket's memory, the inbox starts empty with the gateway.
const mail = mailbox(instance);
mail.clear();
const context: ServiceContext = { instance, log, mail };
const services: GatewayService[] = [functionsService(context), realtimeService(context), authService(context), storageService(context)];
const backgroundWorkers: BackgroundWorker[] = [pgNetWorker(context)];

function serviceFor(url: string): { service: GatewayService; path: string } | null {
  for (const service of services) {
    const path = pathUnder(service.prefix, url);
    if (path !== null) return { service, path };
  }
  return null;
}

const server = createServer((incoming, outgoing) => {
  const url = incoming.url ?? "/";
  if (url === "/_stack/health") return sendJson(outgoing, 200, { status: "ok", instance: instance.name, pid: process.pid });
  if (url === "/_stack/inbox" || url.startsWith("/_stack/inbox/") || url.startsWith("/_stack/inbox?")) return inboxRoute(mail, incoming, outgoing);
  const route = serviceFor(url);
  if (route) {
    Promise.resolve(route.service.handle(incoming, outgoing, route.path)).catch((error) => {
      log(`[gateway] ${incoming.method} ${url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!outgoing.headersSent) sendJson(outgoing, 500, { message: "An unexpected error occurred" });
      else outgoing.destroy();
    });
    return;
  }
  // Kong's answer for a path no service claims.
  sendJson(outgoing, 404, { message: "no Route matched with those values" });
});

server.on("upgrade", (incoming, socket, head) => {
  const route = serviceFor(incoming.url ?? "/");
  if (route?.service.upgrade) return route.service.upgrade(incoming, socket, head, route.path);
  socket.end("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + JSON.stringify({ message: "no Route matched with those values" }));
});

server.on("error", (error: NodeJS.ErrnoException) => {
  const reason = error.code === "EADDRINUSE" ? `port ${instance.apiPort} is already taken by another process` : error.message;
  log(`[gateway] cannot listen: ${reason}`);
  process.exit(1);
});

async function startServices(): Promise<void> {
  for (const service of services) await service.start?.();
  for (const worker of backgroundWorkers) await worker.start();
  server.listen(instance.apiPort, "127.0.0.1", () => log(`[gateway] listening on http://127.0.0.1:${instance.apiPort} (${instance.name})`));
}

let shuttingDown = false;
async function shutDown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log("[gateway] stopping");
  server.close();
  server.closeAllConnections();
  await Promise.allSettled([...services.map((service) => service.stop?.()), ...backgroundWorkers.map((worker) => worker.stop())]);
  process.exit(0);
}
process.on("SIGTERM", shutDown);
process.on("SIGINT", shutDown);

startServices().catch((error) => {
  log(`[gateway] could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
