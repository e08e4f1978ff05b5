// Fake provider servers for the key connection tests: real HTTP servers on 127.0.0.1 that speak
// each provider's wire format for the one request a connection test makes — a list for a good key,
// the provider's own error JSON for a bad one — and one that never answers. Their error messages
// quote the key they were sent, as OpenAI's do (partly masked there), so a test can prove the API
// never passes a provider's words on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { listenForFunctions, listenOutsideFakeRange } from "./fake-ports.ts";

export type FakeProviderKind = "openai" | "anthropic" | "whatsapp" | "suna" | "agent-api" | "evolution" | "silent";

export interface FakeProvider {
  /** The server's base URL, as the API's configuration or a request names it. */
  url: string;
  /** What each request carried: method, path and the headers that carry keys. */
  requests: { method: string; path: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, path: string) => { status: number; body: unknown };

const bearer = (request: IncomingMessage) => request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";

function handlers(goodKey: string): Record<Exclude<FakeProviderKind, "silent">, Handler> {
  return {
    // GET /v1/models, Authorization: Bearer — https://platform.openai.com/docs/api-reference/models/list
    openai: (request, path) => {
      if (path !== "/v1/models") return { status: 404, body: { error: { message: "Not found", type: "invalid_request_error", code: "unknown_url" } } };
      if (bearer(request) !== goodKey) {
        return {
          status: 401,
          body: {
            error: {
              message: `Incorrect API key provided: ${bearer(request)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              type: "invalid_request_error",
              param: null,
              code: "invalid_api_key",
            },
          },
        };
      }
      return {
        status: 200,
        body: {
          object: "list",
          data: [
            { id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" },
            { id: "gpt-4o", object: "model", created: 1715367049, owned_by: "system" },
          ],
        },
      };
    },
    // GET /v1/models, x-api-key + anthropic-version — https://docs.anthropic.com/en/api/models-list
    anthropic: (request, path) => {
      if (!request.headers["anthropic-version"]) {
        return { status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "anthropic-version: header is required" } } };
      }
      if (path !== "/v1/models") return { status: 404, body: { type: "error", error: { type: "not_found_error", message: "Not found" } } };
      if (request.headers["x-api-key"] !== goodKey) {
        return { status: 401, body: { type: "error", error: { type: "authentication_error", message: `invalid x-api-key ${request.headers["x-api-key"]}` } } };
      }
      return {
        status: 200,
        body: {
          data: [{ type: "model", id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" }],
          has_more: false,
          first_id: "claude-sonnet-4-5",
          last_id: "claude-sonnet-4-5",
        },
      };
    },
    // GET /<version>/me, Authorization: Bearer — the Graph API answers a bad token 400, code 190.
    whatsapp: (request, path) => {
      if (!/^\/v\d+\.\d+\/me$/.test(path)) return { status: 404, body: { error: { message: "Unknown path", type: "OAuthException", code: 803 } } };
      if (bearer(request) !== goodKey) {
        return {
          status: 400,
          body: { error: { message: `Invalid OAuth access token - Cannot parse access token ${bearer(request)}`, type: "OAuthException", code: 190, fbtrace_id: "AZfake" } },
        };
      }
      return { status: 200, body: { id: "109876543210", name: "Renum Test WABA" } };
    },
    suna: (request, path) => {
      if (path !== "/api/agents") return { status: 404, body: { detail: "Not Found" } };
      if (request.headers["x-api-key"] !== goodKey) return { status: 401, body: { detail: `Invalid API key ${request.headers["x-api-key"]}` } };
      return { status: 200, body: { agents: [], pagination: { page: 1, limit: 1, total: 0, pages: 0 } } };
    },
    "agent-api": (request) => {
      if (bearer(request) !== goodKey) return { status: 401, body: { detail: "Unauthorized" } };
      return { status: 200, body: { status: "ok", agents: ["sdr", "copilot"] } };
    },
    evolution: (request, path) => {
      if (path !== "/instance/fetchInstances") return { status: 404, body: { status: 404, error: "Not Found" } };
      if (request.headers.apikey !== goodKey) return { status: 401, body: { status: 401, error: "Unauthorized", response: { message: "Unauthorized" } } };
      return { status: 200, body: [] };
    },
  };
}

/**
 * Starts a fake of `kind` accepting `goodKey` only; `silent` accepts connections and never answers.
 * It listens on the stack's fake port range, which functions may reach, unless `outsideFakeRange`.
 */
export async function startFakeProvider(
  kind: FakeProviderKind,
  goodKey = "",
  options: { outsideFakeRange?: boolean } = {},
): Promise<FakeProvider> {
  const requests: FakeProvider["requests"] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    requests.push({ method: request.method ?? "", path, headers: request.headers });
    if (kind === "silent") return; // never answers; closed with the server
    const { status, body } = handlers(goodKey)[kind](request, path);
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = options.outsideFakeRange ? await listenOutsideFakeRange(server) : await listenForFunctions(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
