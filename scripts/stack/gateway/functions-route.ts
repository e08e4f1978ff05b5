import { request as forwardRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { jwtVerify } from "jose";
import { activeKeys, signingPublicKey } from "../instance-keys.ts";
import { functionVerifiesJwt } from "./function-settings.ts";
import { gatewayAuthorization } from "./gateway-authorization.ts";
import type { FunctionWorkers } from "./function-workers.ts";
import { sendJson } from "./responses.ts";

const hopByHopHeaders = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/**
 * /functions/v1/<name>/<rest> → the function's worker, which sees the path /<name>/<rest> as on
 * Supabase. Bodies and responses are streamed both ways, so server-sent events work.
 */
export async function routeToFunction(
  workers: FunctionWorkers,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  pathAfterPrefix: string,
): Promise<void> {
  const name = pathAfterPrefix.split(/[/?]/)[1] ?? "";
  if (!workers.exists(name)) {
    return sendJson(outgoing, 404, { code: "NOT_FOUND", message: "Requested function was not found" });
  }

  // As Supabase's gateway: a project key in `apikey` stands in as the bearer when the caller sent none.
  const apikey = incoming.headers.apikey;
  const authorization = await gatewayAuthorization(incoming.headers.authorization, typeof apikey === "string" ? apikey : undefined);

  // Browsers send CORS preflights without credentials; the function answers them itself.
  if (incoming.method !== "OPTIONS" && functionVerifiesJwt(name)) {
    const rejection = await jwtRejection(authorization);
    if (rejection) return sendJson(outgoing, 401, rejection);
  }

  const socketPath = await workers.socketFor(name);
  if (!socketPath) {
    return sendJson(outgoing, 503, { code: "BOOT_ERROR", message: "Function failed to start (please check logs)" });
  }

  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !hopByHopHeaders.has(key)) headers[key] = value;
  }
  if (authorization !== undefined) headers.authorization = authorization;
  headers["x-forwarded-for"] = incoming.socket.remoteAddress ?? "127.0.0.1";
  headers["x-forwarded-proto"] = "http";

  const upstream = forwardRequest({ socketPath, path: pathAfterPrefix, method: incoming.method, headers }, (answer) => {
    const answerHeaders: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !hopByHopHeaders.has(key)) answerHeaders[key] = value;
    }
    // A function may answer before reading the whole body (413, 401): the rest of that body would
    // be read as the next request on a kept-alive connection, so close it after this answer.
    const answeredEarly = !incoming.complete;
    if (answeredEarly) {
      answerHeaders["connection"] = "close";
      outgoing.shouldKeepAlive = false;
      // Lingering close, as nginx does: read and drop the rest of the body before closing. A socket
      // closed with unread data sends a reset, which can reach the client before it reads this answer.
      incoming.unpipe(upstream);
      incoming.resume();
    }
    outgoing.writeHead(answer.statusCode ?? 502, answerHeaders);
    answer.pipe(outgoing, { end: false });
    answer.on("end", () => {
      if (!answeredEarly || incoming.complete) return outgoing.end();
      const close = () => outgoing.end();
      incoming.once("end", close);
      incoming.once("error", close);
      setTimeout(close, 10_000).unref();
    });
  });
  upstream.on("error", () => {
    if (!outgoing.headersSent) sendJson(outgoing, 502, { code: "WORKER_ERROR", message: "Function exited before answering" });
    else outgoing.destroy();
  });
  outgoing.on("close", () => upstream.destroy());
  incoming.pipe(upstream);
}

async function jwtRejection(authorization: string | undefined): Promise<{ code: string; message: string } | null> {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!authorization) return { code: "UNAUTHORIZED_NO_AUTH_HEADER", message: "Missing authorization header" };
  if (!token) return { code: "UNAUTHORIZED_INVALID_JWT_FORMAT", message: "Invalid JWT" };
  // verify_jwt checks a JWT of the project's key system; an API key (`sb_…`) is not a JWT, which is
  // why functions called with the new keys set verify_jwt = false and check the key themselves.
  const keys = activeKeys();
  try {
    if (keys.mode === "asymmetric") await jwtVerify(token, await signingPublicKey(keys), { algorithms: ["ES256"] });
    else await jwtVerify(token, new TextEncoder().encode(keys.jwtSecret), { algorithms: ["HS256"] });
    return null;
  } catch {
    return { code: "UNAUTHORIZED_INVALID_JWT_FORMAT", message: "Invalid JWT" };
  }
}
