import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type ReadResourceRequest,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Sql } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { withServiceTransaction } from "../_shared/user-transaction.ts";
import { readResource, resources, resourceTemplates } from "./mcp-resources.ts";
import { type McpCaller, toolbox } from "./mcp-tools.ts";

export interface McpAppOptions {
  sql: Sql;
  logSink?: LogSink;
}

/** MCP messages are small: a tool call's arguments, never files. */
export const maxMcpBodyBytes = 256 * 1024;
const tokenShape = /^rnm_mcp_[0-9a-f]{64}$/;

/**
 * The Model Context Protocol server of one company, over Streamable HTTP (JSON-RPC 2.0; stateless:
 * every POST carries its own token and answers as JSON, so any worker can take any request):
 *   POST /mcp   Authorization: Bearer <MCP token>   initialize, tools/list, tools/call, resources/list,
 *               resources/templates/list, resources/read, ping
 * A missing, unknown, expired or revoked token — or one whose maker left the company or lost
 * manage_tools, or whose company is not active — is 401 with WWW-Authenticate, before anything runs.
 * Other methods answer 405 (no server-sent stream to open, no session to end). The tools are
 * mcp-tools.ts, the resources mcp-resources.ts; every tool call and resource read is recorded in
 * public.mcp_calls (token, maker, name, outcome, rows, duration), which the company's owners and
 * admins read.
 */
export function buildMcpApp({ sql, logSink }: McpAppOptions) {
  // MCP clients are programs (assistants, IDEs, scripts), not pages of ours: no browser origin.
  const app = createFunctionApp({ basePath: "/mcp", webOrigins: [], maxBodyBytes: maxMcpBodyBytes, logSink });

  app.post("/", async (c) => {
    const caller = await authenticate(sql, c.req.header("authorization"));
    const tools = toolbox(sql, caller);
    const server = new Server(
      { name: "renum", version: "1.0.0" },
      {
        capabilities: { tools: {}, resources: {} },
        instructions: "Renum: the company's agents, teams, tools, runs, knowledge and analytics. Read with list_*, get_execution, " +
          "search_knowledge, list_tables and describe_table; run_team starts a run (read_write tokens). Tools named company_* call " +
          "the company's own services. Resources: the analytics schema's documentation, teams and runs (renum://…).",
      },
    );
    /** One row of public.mcp_calls, and the request log's line. */
    const record = async (kind: "tool" | "resource", name: string, ok: boolean, rows: number | undefined, started: number) => {
      const durationMs = Math.round(performance.now() - started);
      c.var.log("info", `mcp ${kind} call`, { token_id: caller.tokenId, tenant_id: caller.tenantId, name, ok, rows, duration_ms: durationMs });
      await withServiceTransaction(sql, (tx) => tx`
        insert into public.mcp_calls (tenant_id, token_id, user_id, kind, name, outcome, row_count, duration_ms)
        values (${caller.tenantId}, ${caller.tokenId}, ${caller.userId}, ${kind}, ${name.slice(0, 300) || "?"}, ${ok ? "ok" : "error"},
                ${rows ?? null}, ${durationMs})`);
    };
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: (await tools.list()).map(({ name, description, inputSchema }) => ({ name, description, inputSchema: inputSchema as never })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request: CallToolRequest) => {
      const started = performance.now();
      const answer = await tools.call(request.params.name, request.params.arguments);
      await record("tool", request.params.name, !answer.isError, answer.rows, started);
      return { content: [{ type: "text", text: answer.text }], isError: answer.isError };
    });
    server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request: ReadResourceRequest) => {
      const started = performance.now();
      try {
        const content = await readResource(sql, caller, request.params.uri);
        await record("resource", request.params.uri, true, content.rows, started);
        return { contents: [{ uri: content.uri, mimeType: content.mimeType, text: content.text }] };
      } catch (error) {
        if (error instanceof McpError) await record("resource", request.params.uri, false, undefined, started);
        throw error;
      }
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });

  return app;
}

/** Who the bearer token acts for; 401 the same way whatever is wrong with it. */
async function authenticate(sql: Sql, authorization: string | undefined): Promise<McpCaller> {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const refused = new ApiError(401, "mcp_token_invalid", "Send a valid MCP token of the company as `Authorization: Bearer rnm_mcp_…`.", {
    headers: { "WWW-Authenticate": 'Bearer realm="renum-mcp"' },
  });
  if (!token || !tokenShape.test(token)) throw refused;
  const [row] = await withServiceTransaction(sql, (tx) =>
    tx<{ token_id: string; tenant_id: string; user_id: string; scope: McpCaller["scope"] }[]>`
      select token_id, tenant_id, user_id, scope from private.mcp_token_caller(${token})`);
  if (!row) throw refused;
  return { tokenId: row.token_id, tenantId: row.tenant_id, userId: row.user_id, scope: row.scope };
}
