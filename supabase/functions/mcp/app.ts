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
import { bearerToken, createJwtVerifier, type JwtVerifier, type JwtVerifierConfig } from "../_shared/jwt.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { withServiceTransaction, withUserTransaction } from "../_shared/user-transaction.ts";
import { readResource, resources, resourceTemplates } from "./mcp-resources.ts";
import type { EmbeddingPlace } from "../_shared/embeddings/knowledge-base-embedder.ts";
import { type McpCaller, toolbox } from "./mcp-tools.ts";

export interface McpAppOptions {
  sql: Sql;
  /** The project's keys that verify users' access tokens (HS256 and signing keys, as the api function). */
  jwt?: JwtVerifierConfig;
  logSink?: LogSink;
  /** Where an OpenAI-compatible knowledge base's query embeddings are asked for (OPENAI_BASE_URL). */
  embeddings?: EmbeddingPlace;
}

/** MCP messages are small: a tool call's arguments, never files. */
export const maxMcpBodyBytes = 256 * 1024;
const tokenShape = /^rnm_mcp_[0-9a-f]{64}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Model Context Protocol server of one company, over Streamable HTTP (JSON-RPC 2.0; stateless:
 * every POST carries its own token and answers as JSON, so any worker can take any request):
 *   POST /mcp   Authorization: Bearer <MCP token | user's access token>   initialize, tools/list,
 *               tools/call, resources/list, resources/templates/list, resources/read, ping
 * A missing, unknown, expired or revoked token — or one whose maker left the company or lost
 * manage_tools, or whose company is not active — is 401 with WWW-Authenticate, before anything runs.
 * A signed-in user's access token (HS256 or the project's signing keys, verified as the api function
 * does) acts as that user in the company named by `X-Tenant-Id`, or their only company (as the api's
 * tenant context): read tools for every member, the tools that change things for those who may run
 * teams there (run_teams, as POST /teams/:id/execute).
 * Other methods answer 405 (no server-sent stream to open, no session to end). The tools are
 * mcp-tools.ts, the resources mcp-resources.ts; every tool call and resource read is recorded in
 * public.mcp_calls (token, maker, name, outcome, rows, duration), which the company's owners and
 * admins read.
 */
export function buildMcpApp({ sql, jwt, logSink, embeddings }: McpAppOptions) {
  // MCP clients are programs (assistants, IDEs, scripts), not pages of ours: no browser origin.
  const app = createFunctionApp({ basePath: "/mcp", webOrigins: [], maxBodyBytes: maxMcpBodyBytes, logSink });

  let verifier: JwtVerifier | null | undefined;
  const verify = () => verifier === undefined ? (verifier = jwt ? createJwtVerifier(jwt) : null) : verifier;

  app.post("/", async (c) => {
    const caller = await authenticate(sql, verify, c.req.header("authorization"), c.req.header("x-tenant-id"));
    const tools = toolbox(sql, caller, embeddings);
    const server = new Server(
      { name: "renum", version: "1.0.0" },
      {
        capabilities: { tools: {}, resources: {} },
        instructions: "Renum: the company's agents, teams, tools, runs, knowledge and analytics. Read with list_*, get_execution, " +
          "search_knowledge, list_tables and describe_table, or with one read-only SQL statement (query); run_team starts a run " +
          "(read_write tokens, or people who may run teams). Tools named company_* call " +
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

const challenge = { headers: { "WWW-Authenticate": 'Bearer realm="renum-mcp"' } };

/** Who the bearer token acts for; 401 the same way whatever is wrong with it. */
async function authenticate(
  sql: Sql,
  verify: () => JwtVerifier | null,
  authorization: string | undefined,
  tenantHeader: string | undefined,
): Promise<McpCaller> {
  const token = bearerToken(authorization);
  const refused = new ApiError(
    401,
    "mcp_token_invalid",
    "Send a valid MCP token of the company (`Authorization: Bearer rnm_mcp_…`) or a signed-in user's access token.",
    challenge,
  );
  if (!token) throw refused;
  if (!token.startsWith("rnm_mcp_")) return await authenticateUser(sql, verify(), token, tenantHeader, refused);
  if (!tokenShape.test(token)) throw refused;
  const [row] = await withServiceTransaction(sql, (tx) =>
    tx<{ token_id: string; tenant_id: string; user_id: string; scope: McpCaller["scope"] }[]>`
      select token_id, tenant_id, user_id, scope from private.mcp_token_caller(${token})`);
  if (!row) throw refused;
  return { tokenId: row.token_id, tenantId: row.tenant_id, userId: row.user_id, scope: row.scope };
}

/**
 * A signed-in user's access token: verified (signature, expiry; a user, not the anon or service
 * key), then the company as the api function's tenant context chooses it — `X-Tenant-Id`, or the
 * user's only company — read as the user under RLS. The company must be active. The tools that
 * change things need run_teams there.
 */
async function authenticateUser(
  sql: Sql,
  verifier: JwtVerifier | null,
  token: string,
  tenantHeader: string | undefined,
  refused: ApiError,
): Promise<McpCaller> {
  if (!verifier || /^sb_(publishable|secret)_/.test(token)) throw refused;
  let claims;
  try {
    claims = await verifier(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(401, "mcp_token_invalid", `${error.message} Or send an MCP token of the company.`, challenge);
    }
    throw error;
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.role !== "authenticated" || !audiences.includes("authenticated") || !claims.sub) throw refused;
  let requested: string | null = null;
  if (tenantHeader !== undefined) {
    requested = tenantHeader.trim().toLowerCase();
    if (!uuidPattern.test(requested)) {
      throw new ApiError(400, "invalid_tenant_header", "The X-Tenant-Id header must be a tenant's id (a uuid).");
    }
  }
  const memberships = await withUserTransaction(sql, claims, (tx) =>
    tx<{ tenant_id: string; status: string; may_run: boolean }[]>`
      select m.tenant_id, t.status::text as status, 'run_teams' = any (public.my_capabilities(m.tenant_id)) as may_run
      from public.memberships m join public.tenants t on t.id = m.tenant_id
      where m.user_id = (select auth.uid()) and (${requested}::uuid is null or m.tenant_id = ${requested}::uuid)
      order by m.tenant_id`);
  if (requested && memberships.length === 0) {
    throw new ApiError(404, "tenant_not_found", "No tenant with this id is among yours (X-Tenant-Id).");
  }
  if (memberships.length === 0) {
    throw new ApiError(400, "tenant_required", "You are not a member of any tenant yet: create one or accept an invitation first.");
  }
  if (memberships.length > 1) {
    throw new ApiError(
      400,
      "tenant_required",
      `You belong to ${memberships.length} tenants: say which one this request is for with the X-Tenant-Id header.`,
      { details: { tenant_ids: memberships.map((membership) => membership.tenant_id) } },
    );
  }
  const [membership] = memberships;
  if (membership.status !== "active") {
    throw new ApiError(403, "tenant_not_active", "The company is not active: its MCP server answers again once it is.");
  }
  return {
    tokenId: null,
    tenantId: membership.tenant_id,
    userId: claims.sub,
    scope: membership.may_run ? "read_write" : "read",
    claims,
  };
}
