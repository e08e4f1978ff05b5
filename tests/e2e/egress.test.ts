// No request to internal addresses, end to end through the gateway: a capture server on 127.0.0.1,
// on a port outside the stack's fake range (so not allow-listed), counts every connection while
// agents, company endpoints, key tests and runs are aimed at it in several notations, directly and
// through a redirect. It must receive nothing, and no answer or run error may quote a remote reply.
// The last suite proves it is the allow-list (EGRESS_ALLOW_PRIVATE) that lets the stack's fakes in.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import { listenForFunctions, listenOutsideFakeRange } from "../../scripts/fakes/fake-ports.ts";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  call,
  type Company,
  createTeam,
  engineDatabase,
  expectStatus,
  newCompany,
  openAiAgent,
  removeCompanies,
  runFinished,
  startFakeProvider,
  startRun,
  steps,
} from "../fixtures/index.ts";

const sql = engineDatabase();
const apiKey = `sk-egress-${crypto.randomUUID()}`;
let company: Company;
let capture: { server: Server; port: number; connections: number; requests: IncomingMessage[] };
const closers: (() => Promise<void>)[] = [];

/** A server that counts connections (even ones that never send a request) and requests. */
async function startCapture(): Promise<typeof capture> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    requests.push(request);
    response.end("captured: the internal service answered");
  });
  const state = { server, port: 0, connections: 0, requests };
  server.on("connection", (socket) => {
    state.connections++;
    sockets.add(socket);
  });
  state.port = await listenOutsideFakeRange(server);
  closers.push(() => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  return state;
}

/** An allow-listed server (in the fake range) that redirects every request to `location`. */
async function startRedirector(location: string): Promise<string> {
  const server = createServer((_, response) => {
    response.writeHead(302, { location });
    response.end();
  });
  const port = await listenForFunctions(server);
  closers.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${port}`;
}

// The capture server in the notations a URL parser accepts for loopback, and the metadata service.
const internalAddresses = (port: number) => [
  `http://127.0.0.1:${port}`,
  `http://localhost:${port}`,
  `http://2130706433:${port}`,
  `http://0x7f.1:${port}/#`,
  `http://[::ffff:127.0.0.1]:${port}`,
  `http://[::1]:${port}`,
  "http://169.254.169.254/latest/meta-data/#",
  "http://metadata.google.internal/computeMetadata/v1/#",
  "http://[fd00:ec2::254]/",
  `http://user:pass@127.0.0.1:${port}`,
];

beforeAll(async () => {
  capture = await startCapture();
  company = await newCompany(sql, "egress");
  // Keys of custom endpoints are bound to the address they are stored for (a fake the stack allows).
  const home = await startFakeProvider("openai", apiKey);
  closers.push(() => home.close());
  await storeKeyFor(home.url, 201);
});

/**
 * Removes the company's key, so a run's call goes keyless and what stops it is egress itself (a key
 * bound to another address is refused even earlier: engine-key-destinations.test.ts).
 */
async function forgetKey(): Promise<void> {
  const answer = await call(company.owner, "DELETE", `/api-keys/openai-compatible?tenant_id=${company.tenantId}`);
  expect([204, 404]).toContain(answer.status);
}

/** Stores the company's openai-compatible key bound to `endpoint_url`, expecting `status`. */
function storeKeyFor(endpoint_url: string, status: number) {
  return expectStatus(
    call(company.owner, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: apiKey, tenant_id: company.tenantId, endpoint_url } }),
    status,
  );
}

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await removeCompanies(sql, [company]);
  await sql.end();
});

function expectAddressRefused(answer: { status: number; body: any; text: string }, path: string): void {
  expect(answer.status).toBe(422);
  expect(answer.body.error.code).toBe("address_not_allowed");
  expect(answer.body.error.details[0].path).toBe(path);
  expect(answer.text).not.toContain("captured");
  expect(answer.text).not.toContain(apiKey);
}

describe("key tests aimed inward", () => {
  it("refuse to store a key for, or to test one at, every notation of loopback, private and metadata addresses", async () => {
    for (const address of internalAddresses(capture.port)) {
      const stored = await call(company.owner, "POST", "/api-keys", {
        body: { service: "openai-compatible", api_key: apiKey, tenant_id: company.tenantId, endpoint_url: address },
      });
      expect(stored.status).toBe(422);
      expect(["address_not_allowed", "validation_failed"]).toContain(stored.body.error.code);
      expect(stored.text).not.toContain(apiKey);
      // The key stays bound to its own address: another origin is refused before anything is sent.
      const tested = await call(company.owner, "POST", `/api-keys/openai-compatible/test?tenant_id=${company.tenantId}`, {
        body: { base_url: address },
      });
      expect(tested.status).toBe(422);
      expect(["address_not_allowed", "validation_failed"]).toContain(tested.body.error.code);
      expect(tested.text).not.toContain(apiKey);
    }
    expect(capture.connections).toBe(0);
  });

  it("do not follow an allow-listed server's redirect inward", async () => {
    const redirector = await startRedirector(`http://127.0.0.1:${capture.port}/v1/models`);
    await storeKeyFor(redirector, 201);
    const answer = await expectStatus(
      call(company.owner, "POST", `/api-keys/openai-compatible/test?tenant_id=${company.tenantId}`, { body: {} }),
      200,
    );
    expect(answer).toMatchObject({ ok: false, status: 302 });
    expect(capture.connections).toBe(0);
  });

  it("refuse a company agents endpoint stored inward, so an agent-api key test cannot reach it", async () => {
    for (const url of internalAddresses(capture.port)) {
      const answer = await call(company.owner, "PATCH", `/tenants/${company.tenantId}/settings`, { body: { agents_endpoint_url: url } });
      expect(answer.status).toBe(422);
      expect(["address_not_allowed", "validation_failed"]).toContain(answer.body.error.code);
    }
    const plain = await call(company.owner, "PATCH", `/tenants/${company.tenantId}/settings`, {
      body: { agents_endpoint_url: `http://127.0.0.1:${capture.port}/agents` },
    });
    expectAddressRefused(plain, "agents_endpoint_url");
    expect(capture.connections).toBe(0);
  });
});

describe("agents aimed inward", () => {
  it("cannot be stored with an internal config.base_url, in any notation", async () => {
    for (const base_url of internalAddresses(capture.port)) {
      const answer = await call(company.owner, "POST", "/agents", {
        tenant: company.tenantId,
        body: { name: `Inward ${base_url}`.slice(0, 100), provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url } },
      });
      expectAddressRefused(answer, "config.base_url");
    }
    expect(capture.connections).toBe(0);
  });

  it("never reach the capture server in a run, even when the stored address was written around the checks", async () => {
    await forgetKey();
    const allowed = await startFakeOpenAi();
    closers.push(() => allowed.close());
    const agent = await openAiAgent(company, "Rewritten Inward", allowed.url);
    // A row written before the rule existed, or by hand: the cluster's superuser skips the triggers
    // (postgres may not set session_replication_role, as on Supabase).
    const superuser = postgres(stackEnv.dbUrl.replace("//postgres:", "//supabase_admin:"), { max: 1, onnotice: () => {} });
    closers.push(() => superuser.end());
    await superuser.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      const inward = `http://127.0.0.1:${capture.port}`;
      await tx`update public.agents set config = jsonb_build_object('base_url', ${inward}::text) where id = ${agent}`;
      await tx`update public.agent_versions set definition = jsonb_set(definition, '{config,base_url}', to_jsonb(${inward}::text)) where agent_id = ${agent}`;
    });
    const team = await createTeam(company, { name: "Inward run", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const started = await startRun(company, team, "Send me your secrets");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("failed");
    const [step] = await steps(sql, started.id);
    // Refused before any connection, and not retried: the address will not change by itself.
    expect(step).toMatchObject({ status: "failed", attempt_count: 1 });
    expect(step.error_message).toContain("not an address Renum calls");
    expect(capture.connections).toBe(0);
    expect(allowed.requests).toHaveLength(0);
  });

  it("do not follow a provider's redirect inward, and the run error quotes nothing the remote said", async () => {
    await forgetKey();
    const redirector = await startRedirector(`http://127.0.0.1:${capture.port}/v1/chat/completions`);
    const talker: FakeServer = await startFakeOpenAi();
    closers.push(() => talker.close());
    talker.script({ status: 400, body: { error: { message: "redis://10.0.0.7:6379 NOAUTH internal-secret-text", code: "bad_thing" } } });

    const redirected = await openAiAgent(company, "Redirected Inward", redirector);
    const chatty = await openAiAgent(company, "Chatty Remote", talker.url);
    for (const [agent, name] of [[redirected, "redirect"], [chatty, "chatty"]] as const) {
      const team = await createTeam(company, { name: `Remote ${name}`, workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
      const run = await runFinished(sql, (await startRun(company, team, "Hello")).id);
      expect(run.status).toBe("failed");
      const [step] = await steps(sql, run.id);
      for (const text of [run.error_message ?? "", step.error_message ?? ""]) {
        expect(text).not.toContain("captured");
        expect(text).not.toContain("internal-secret-text");
        expect(text).not.toContain("redis://");
      }
      if (name === "chatty") expect(step.error_message).toContain("HTTP 400, bad_thing");
      if (name === "redirect") expect(step.error_message).toContain("HTTP 302");
    }
    expect(capture.connections).toBe(0);
  });
});

describe("the allow-list", () => {
  it("is what lets the stack's fakes through: the same fake answers inside the fake port range and gets nothing outside it", async () => {
    const inside = await startFakeProvider("openai", apiKey);
    closers.push(() => inside.close());
    // The same fake on a free port outside the range.
    const outside = await startFakeProvider("openai", apiKey, { outsideFakeRange: true });
    closers.push(() => outside.close());
    const outsidePort = Number(new URL(outside.url).port);
    const insidePort = Number(new URL(inside.url).port);
    expect(outsidePort).not.toBe(insidePort);

    const path = `/api-keys/openai-compatible/test?tenant_id=${company.tenantId}`;
    await storeKeyFor(inside.url, 201);
    const reached = await expectStatus(call(company.owner, "POST", path, { body: {} }), 200);
    expect(reached).toMatchObject({ ok: true, status: 200 });
    expect(inside.requests).toHaveLength(1);

    const refused = await storeKeyFor(outside.url, 422) as { error: { code: string } };
    expect(refused.error.code).toBe("address_not_allowed");
    expect(outside.requests).toHaveLength(0);
  });
});
