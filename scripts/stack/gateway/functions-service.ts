import type { GatewayService, ServiceContext } from "./gateway-service.ts";
import { FunctionWorkers } from "./function-workers.ts";
import { routeToFunction } from "./functions-route.ts";
import { sendJson } from "./responses.ts";

/** /functions/v1: the edge functions, each in its own Deno worker. */
export function functionsService({ instance, log }: ServiceContext): GatewayService {
  const workers = new FunctionWorkers(instance, log);
  return {
    prefix: "/functions/v1",
    handle(incoming, outgoing, pathAfterPrefix) {
      return routeToFunction(workers, incoming, outgoing, pathAfterPrefix).catch((error) => {
        log(`[functions] ${incoming.method} ${incoming.url} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!outgoing.headersSent) sendJson(outgoing, 502, { code: "GATEWAY_ERROR", message: "The gateway could not reach the function" });
      });
    },
    async start() {
      workers.startAll();
    },
    stop: () => workers.stopAll(),
  };
}
