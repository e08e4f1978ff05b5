// A provider key goes only where its owner meant it to, end to end: through the gateway, the api
// function and the executor, with real runs. Two fake OpenAI-compatible servers on loopback: the
// "legit" one a key was stored for, and a "capture" one standing for an address someone re-points
// an agent at. Each attack is tried as the role the issue names: a grantee member and a grantee
// analyst editing a shared agent, a plain member re-pointing an agent (with and without a shared
// company key), an admin re-pointing the company's agents endpoint, a first-party key with an
// agent's base_url. The capture server must never see a key; when the run is not the re-pointer's
// own, it must see nothing at all (no prompt, no body).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  addMember,
  type ApiUser,
  call,
  type Company,
  createAgent,
  createTeam,
  engineDatabase,
  expectStatus,
  newCompany,
  removeCompanies,
  runFinished,
  signUp,
  steps,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let owner: Company;
let grantee: Company;
let member: ApiUser;
let granteeMember: ApiUser;
let granteeAnalyst: ApiUser;
let legit: FakeServer;
let capture: FakeServer;
const ownerKey = `sk-owner-${crypto.randomUUID()}`;
const granteeOpenAiKey = `sk-grantee-openai-${crypto.randomUUID()}`;
const granteeAnthropicKey = `sk-grantee-anthropic-${crypto.randomUUID()}`;
const ownerAgentsKey = `sk-owner-agents-${crypto.randomUUID()}`;
const secrets = [ownerKey, granteeOpenAiKey, granteeAnthropicKey, ownerAgentsKey];
const systemPrompt = `Confidential instructions ${crypto.randomUUID()}`;

beforeAll(async () => {
  legit = await startFakeOpenAi({ apiKey: ownerKey });
  capture = await startFakeOpenAi();
  owner = await newCompany(sql, "keys-owner");
  grantee = await newCompany(sql, "keys-grantee");
  [member, granteeMember, granteeAnalyst] = await Promise.all(["keys-member", "keys-grantee-member", "keys-grantee-analyst"].map((label) => signUp(label)));
  await addMember(sql, owner.tenantId, member, "member");
  await addMember(sql, grantee.tenantId, granteeMember, "member");
  await addMember(sql, grantee.tenantId, granteeAnalyst, "analyst");
  // The owner's key for the legit server, stored for the company and bound to that server's address.
  await expectStatus(
    call(owner.owner, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: ownerKey, tenant_id: owner.tenantId, endpoint_url: `${legit.url}/v1` } }),
    201,
  );
});

afterAll(async () => {
  await Promise.all([legit?.close(), capture?.close()]);
  await removeCompanies(sql, [owner, grantee].filter(Boolean));
  await sql`delete from auth.users where id in ${sql([member, granteeMember, granteeAnalyst].filter(Boolean).map((user) => user.id))}`;
  await sql.end();
});

/** A one-agent team of `agentId` in the company (the owner's unless named); answers its id. */
function soloTeam(name: string, agentId: string, company = owner): Promise<string> {
  return createTeam(company, { name, workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
}

/** Runs the team as `who` (a person of the company, the owner's unless named) and waits for it to finish. */
async function runAs(who: ApiUser, teamId: string, prompt: string, company = owner) {
  const started = await expectStatus(
    call(who, "POST", `/teams/${teamId}/execute`, { tenant: company.tenantId, body: { initial_prompt: prompt } }),
    202,
  );
  const run = await runFinished(sql, started.execution_id);
  const [step] = await steps(sql, started.execution_id);
  return { run, step };
}

/** Everything a server received since `from`, as one text: headers and bodies. */
function receivedSince(server: FakeServer, from: number): string {
  return server.requests.slice(from).map((request) => JSON.stringify(request.headers) + request.rawBody).join("\n");
}

function expectNoSecret(text: string) {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("a shared agent edited by the grantee company", () => {
  let agentId: string;
  let teamId: string;

  beforeAll(async () => {
    agentId = await createAgent(owner, {
      name: "Shared writer",
      provider: "openai-compatible",
      model: "gpt-4o-mini",
      config: { base_url: `${legit.url}/v1` },
    });
    await expectStatus(
      call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { system_prompt: systemPrompt } }),
      200,
    );
    await expectStatus(
      call(owner.owner, "POST", "/shares", { tenant: owner.tenantId, body: { agent_id: agentId, grantee_tenant_id: grantee.tenantId, permission: "edit" } }),
      201,
    );
    teamId = await soloTeam("Shared writer team", agentId);
  });

  it("refuses a grantee member's change of provider, base_url or tools with a stable code, and takes their wording", async () => {
    const attempts: Record<string, unknown>[] = [
      { config: { base_url: `${capture.url}/v1` } },
      { config: {} },
      { provider: "anthropic", config: { base_url: `${capture.url}` } },
      { provider: "demo", config: {} },
      { tools: ["http_request"] },
    ];
    for (const body of attempts) {
      const answer = await call(granteeMember, "PATCH", `/agents/${agentId}`, { tenant: grantee.tenantId, body });
      expect(answer.status, JSON.stringify(body)).toBe(403);
      expect(answer.body.error.code).toBe("shared_agent_field_locked");
    }
    const tuned = await expectStatus(
      call(granteeMember, "PATCH", `/agents/${agentId}`, { tenant: grantee.tenantId, body: { description: "tuned by the grantee", temperature: 0.3 } }),
      200,
    );
    expect(tuned).toMatchObject({ description: "tuned by the grantee", config: { base_url: `${legit.url}/v1` } });
  });

  it("lets a grantee analyst change nothing", async () => {
    for (const body of [{ config: { base_url: `${capture.url}/v1` } }, { description: "analyst was here" }]) {
      const answer = await call(granteeAnalyst, "PATCH", `/agents/${agentId}`, { tenant: grantee.tenantId, body });
      expect(answer.status, JSON.stringify(body)).toBe(403);
    }
    const [agent] = await sql`select description, config from public.agents where id = ${agentId}`;
    expect(agent).toEqual({ description: "tuned by the grantee", config: { base_url: `${legit.url}/v1` } });
  });

  it("still sends the owner's run, with its key, only to the address the key was stored for", async () => {
    const seenLegit = legit.requests.length;
    const seenCapture = capture.requests.length;
    const { run } = await runAs(owner.owner, teamId, "Write the owner's brief");
    expect(run.status).toBe("completed");
    expect(legit.requests.slice(seenLegit).map((request) => request.headers.authorization)).toEqual([`Bearer ${ownerKey}`]);
    expect(capture.requests.length).toBe(seenCapture);
  });
});

describe("an agent re-pointed by a plain member of the owner's company", () => {
  let agentId: string;
  let teamId: string;

  beforeAll(async () => {
    agentId = await createAgent(owner, { name: "Re-pointed", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: `${legit.url}/v1` } });
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { system_prompt: systemPrompt } }), 200);
    teamId = await soloTeam("Re-pointed team", agentId);
    // A builder of the company may change its agents' addresses: that is not the hole. Using
    // someone else's key there is.
    await expectStatus(call(member, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { config: { base_url: `${capture.url}/v1` } } }), 200);
  });

  it("gives the member's own run no one's key: the capture server gets their own prompt, keyless", async () => {
    const seen = capture.requests.length;
    const { run } = await runAs(member, teamId, "The member's own question");
    expect(run.status).toBe("completed");
    const received = capture.requests.slice(seen);
    expect(received).toHaveLength(1);
    expect(received[0].headers.authorization).toBeUndefined();
    expectNoSecret(receivedSince(capture, seen));
  });

  it("fails the owner's run saying where the key belongs: the capture server sees nothing, not even the prompt", async () => {
    const seen = capture.requests.length;
    const { run, step } = await runAs(owner.owner, teamId, "The owner's secret plan");
    expect(run.status).toBe("failed");
    expect(step.error_message).toContain(`stored for ${legit.url}`);
    expect(step.error_message).toContain(capture.url);
    expect(capture.requests.length).toBe(seen);
  });

  it("does not hand the member a company key shared by the owner either: the step fails, nothing is sent", async () => {
    const [key] = await sql`select id from public.provider_keys where user_id = ${owner.owner.id} and service = 'openai-compatible'`;
    const refused = await call(member, "PUT", `/api-keys/${key.id}/sharing`, { body: { shared: true } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("provider_key_share_forbidden");
    await expectStatus(call(owner.owner, "PUT", `/api-keys/${key.id}/sharing`, { body: { shared: true } }), 200);
    const seen = capture.requests.length;
    const { run, step } = await runAs(member, teamId, "Another question of the member");
    expect(run.status).toBe("failed");
    expect(step.error_message).toContain(`stored for ${legit.url}`);
    expect(capture.requests.length).toBe(seen);
    // Pointed back at the legit address, the member's run uses the shared key there.
    await expectStatus(call(member, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { config: { base_url: legit.url } } }), 200);
    const seenLegit = legit.requests.length;
    expect((await runAs(member, teamId, "Back to the right address")).run.status).toBe("completed");
    expect(legit.requests.slice(seenLegit).map((request) => request.headers.authorization)).toEqual([`Bearer ${ownerKey}`]);
    const [audit] = await sql`
      select actor_id, after ->> 'key_owner_id' as key_owner from public.audit_log
      where action = 'decrypt' and record_id = ${key.id} order by id desc limit 1`;
    expect(audit).toEqual({ actor_id: member.id, key_owner: owner.owner.id });
  });
});

describe("first-party keys and the company's agents endpoint", () => {
  // In the grantee's company, whose owner keeps only first-party keys.
  it("never sends an anthropic key to an agent's base_url: the step fails before any request", async () => {
    await expectStatus(call(grantee.owner, "POST", "/api-keys", { body: { service: "anthropic", api_key: granteeAnthropicKey } }), 201);
    const agentId = await createAgent(grantee, { name: "Proxied Claude", provider: "anthropic", model: "claude-sonnet-4-5", config: { base_url: capture.url } });
    const teamId = await soloTeam("Proxied Claude team", agentId, grantee);
    const seen = capture.requests.length;
    const { run, step } = await runAs(grantee.owner, teamId, "Summarise the board minutes", grantee);
    expect(run.status).toBe("failed");
    expect(step.error_message).toContain("only sent to Anthropic's own address");
    expect(capture.requests.length).toBe(seen);
  });

  it("never sends an openai key to an agent's base_url: the call goes without it", async () => {
    await expectStatus(call(grantee.owner, "POST", "/api-keys", { body: { service: "openai", api_key: granteeOpenAiKey, tenant_id: grantee.tenantId } }), 201);
    const agentId = await createAgent(grantee, { name: "Custom GPT", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: `${capture.url}/v1` } });
    const teamId = await soloTeam("Custom GPT team", agentId, grantee);
    const seen = capture.requests.length;
    const { run } = await runAs(grantee.owner, teamId, "A question for a custom server", grantee);
    expect(run.status).toBe("completed");
    expect(capture.requests.slice(seen)).toHaveLength(1);
    expect(capture.requests[seen].headers.authorization).toBeUndefined();
    expectNoSecret(receivedSince(capture, seen));
  });

  it("keeps an agent-api key at its endpoint when an admin re-points the company's agents endpoint", async () => {
    await expectStatus(
      call(owner.owner, "PATCH", `/tenants/${owner.tenantId}/settings`, { body: { agents_endpoint_url: `${legit.url}/agents` } }),
      200,
    );
    await expectStatus(
      call(owner.owner, "POST", "/api-keys", { body: { service: "agent-api", api_key: ownerAgentsKey, tenant_id: owner.tenantId, endpoint_url: `${legit.url}/agents` } }),
      201,
    );
    const agentId = await createAgent(owner, { name: "SDR", provider: "agent-api", model: "sdr-v1", config: { path: "sdr" } });
    const teamId = await soloTeam("SDR team", agentId);
    const admin = await signUp("keys-admin");
    await addMember(sql, owner.tenantId, admin, "admin");
    try {
      await expectStatus(
        call(admin, "PATCH", `/tenants/${owner.tenantId}/settings`, { body: { agents_endpoint_url: `${capture.url}/agents` } }),
        200,
      );
      const seen = capture.requests.length;
      const { run, step } = await runAs(owner.owner, teamId, "Qualify this lead");
      expect(run.status).toBe("failed");
      expect(step.error_message).toContain(`stored for ${legit.url}`);
      expect(capture.requests.length).toBe(seen);
    } finally {
      await sql`delete from auth.users where id = ${admin.id}`;
    }
  });

  it("tests a custom key only at the address it was stored for", async () => {
    const seen = capture.requests.length;
    const elsewhere = await call(owner.owner, "POST", `/api-keys/openai-compatible/test?tenant_id=${owner.tenantId}`, { body: { base_url: capture.url } });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.error.details[0].path).toBe("base_url");
    expect(capture.requests.length).toBe(seen);
  });
});
