// A company's HTTP tool through the egress rules, with the production rules (no allow-list): an
// address on this machine or the cloud metadata address is refused before any connection, and the
// refusal reaches the model as the tool's answer. The happy path uses the fake company API with
// exactly its own port allow-listed, as the local stack does.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOutsideFakeRange } from "../../../../scripts/fakes/fake-ports.ts";
import { type FakeServer } from "../../../../scripts/fakes/fake-http.ts";
import { startFakeToolApi } from "../../../../scripts/fakes/fake-tool-api.ts";
import { egressFetch } from "../egress.ts";
import { parseAllowList } from "../egress-addresses.ts";
import { callHttpTool } from "./http-tool.ts";
import { type HttpToolDefinition, ToolFailure } from "./registry.ts";

let companyApi: FakeServer;
let internal: { server: Server; port: number; connections: number };

beforeAll(async () => {
  companyApi = await startFakeToolApi();
  const server = createServer((_request, response) => response.end("internal service answered"));
  internal = { server, port: 0, connections: 0 };
  server.on("connection", () => internal.connections++);
  internal.port = await listenOutsideFakeRange(server);
});
afterAll(async () => {
  await companyApi.close();
  internal.server.closeAllConnections();
  await new Promise((resolve) => internal.server.close(resolve));
});

function tool(url: string, method: HttpToolDefinition["method"] = "GET"): HttpToolDefinition {
  return { kind: "http", name: "lookup", description: "", parameters: { type: "object" }, url, method, headers: { authorization: "Bearer company-secret" }, timeout_ms: 5_000 };
}

function options(allowCompanyApi = false) {
  return {
    timeoutMs: 5_000,
    signal: new AbortController().signal,
    ...(allowCompanyApi ? { fetch: egressFetch({ timeoutMs: 5_000, allowList: parseAllowList(new URL(companyApi.url).host) }) } : {}),
  };
}

async function failure(promise: Promise<unknown>): Promise<ToolFailure> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ToolFailure);
  return error as ToolFailure;
}

describe("callHttpTool through egress", () => {
  it("sends a GET's arguments as the query string and a POST's as a JSON body, with the tool's headers", async () => {
    const got = JSON.parse(await callHttpTool(tool(`${companyApi.url}/orders?source=tool`), { id: "A-1", items: [1, 2] }, options(true)));
    expect(got).toMatchObject({ method: "GET", path: "/orders", query: { source: "tool", id: "A-1", items: "[1,2]" } });
    expect(companyApi.requests.at(-1)!.headers.authorization).toBe("Bearer company-secret");

    const posted = JSON.parse(await callHttpTool(tool(`${companyApi.url}/orders`, "POST"), { id: "A-2" }, options(true)));
    expect(posted).toMatchObject({ method: "POST", body: { id: "A-2" } });
    expect(companyApi.requests.at(-1)!.headers["content-type"]).toBe("application/json");
  });

  it("refuses 127.0.0.1, localhost and the cloud metadata address without connecting", async () => {
    for (const url of [
      `http://127.0.0.1:${internal.port}/admin`,
      `http://localhost:${internal.port}/admin`,
      `http://[::ffff:127.0.0.1]:${internal.port}/admin`,
      "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      "http://metadata.google.internal/computeMetadata/v1/",
    ]) {
      const refused = await failure(callHttpTool(tool(url), {}, options()));
      expect(refused.message, url).toMatch(/^the tool's address was refused: /);
      expect(refused.message).not.toContain("internal service answered");
    }
    // The fake company API is on 127.0.0.1 too: without the stack's allow-list it is refused as well.
    await failure(callHttpTool(tool(`${companyApi.url}/orders`), {}, options()));
    expect(internal.connections).toBe(0);
  });

  it("answers an error status with the status and the body for the model", async () => {
    companyApi.script({ status: 404, body: { error: "no such order" } });
    const refused = await failure(callHttpTool(tool(`${companyApi.url}/orders`), { id: "nope" }, options(true)));
    expect(refused.message).toBe('HTTP 404: {"error":"no such order"}');
  });
});
