// "Test connection" of Meta and Z-API inboxes, with the app in-process so their fixed addresses
// (WHATSAPP_GRAPH_URL, ZAPI_BASE_URL) point at the fake providers' server: the running stack's
// function reads them from an environment the suites cannot change (tests/e2e/api-inboxes.test.ts
// covers Evolution, whose address the inbox names). Real database, real HTTP to the fakes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createUsers,
  deleteUsers,
  type FakeWhatsAppProviders,
  startFakeWhatsAppProviders,
  TenantFixtures,
  testDatabase,
  type TestUser,
  userToken,
} from "../../../../tests/fixtures/index.ts";
import { stackEnv } from "../../../../scripts/test/stack-env.ts";
import { providerEndpointsFromEnv } from "../../_shared/provider-key-check.ts";
import { buildApiApp } from "../app.ts";

const sql = testDatabase();
const tenants = new TenantFixtures(sql);
let fake: FakeWhatsAppProviders;
let app: ReturnType<typeof buildApiApp>;
let owner: TestUser;
let token: string;
let tenantId: string;
let previousAllowList: string | undefined;
const sent: string[] = [];
const answers: string[] = [];
const secret = (label: string) => {
  const value = `${label}-${crypto.randomUUID()}`;
  sent.push(value);
  return value;
};

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders();
  previousAllowList = process.env.EGRESS_ALLOW_PRIVATE;
  process.env.EGRESS_ALLOW_PRIVATE = new URL(fake.url).host;
  const env: Record<string, string> = { WHATSAPP_GRAPH_URL: fake.graphUrl, ZAPI_BASE_URL: fake.url, PROVIDER_TEST_TIMEOUT_MS: "5000" };
  app = buildApiApp({
    sql,
    jwt: { jwtSecret: stackEnv.jwtSecret },
    webOrigins: [],
    providers: providerEndpointsFromEnv((name) => env[name]),
    functionsUrl: "https://project.example.com/functions/v1",
  });
  [owner] = await createUsers(sql, 1, "inbox-connection");
  token = await userToken(owner);
  tenantId = await tenants.tenant([[owner, "owner"]]);
});

afterAll(async () => {
  if (previousAllowList === undefined) delete process.env.EGRESS_ALLOW_PRIVATE;
  else process.env.EGRESS_ALLOW_PRIVATE = previousAllowList;
  await fake.close();
  await tenants.cleanup();
  await deleteUsers(sql, [owner]);
  await sql.end();
});

// deno-lint-ignore no-explicit-any
async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const answer = await app.request(`/api/v1${path}`, {
    method,
    headers: { ...bearer(token), "x-tenant-id": tenantId, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  answers.push(text);
  return { status: answer.status, body: JSON.parse(text) };
}

describe("Meta inboxes", () => {
  it("are connected when the Graph API knows the number for the access token, refused otherwise", async () => {
    const phoneNumberId = `${Date.now()}01`;
    const accessToken = secret("meta-token");
    const created = await request("POST", "/inboxes", {
      provider: "meta_cloud",
      display_name: "Meta",
      provider_ids: { meta_phone_number_id: phoneNumberId },
      secrets: { app_secret: secret("meta-app"), access_token: accessToken },
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook_url).toBe(`https://project.example.com/functions/v1/webhooks/meta/${created.body.inbox.id}`);
    const id = created.body.inbox.id;

    fake.meta({ phoneNumberId, accessToken });
    const good = await request("POST", `/inboxes/${id}/test`);
    expect(good).toMatchObject({ status: 200, body: { ok: true, outcome: "connected", status: 200 } });
    const probe = [...fake.requests].reverse().find((seen) => seen.path === `/v21.0/${phoneNumberId}`);
    expect(probe?.headers.authorization).toBe(`Bearer ${accessToken}`);

    fake.meta({ phoneNumberId, accessToken: "another-token" });
    const refused = await request("POST", `/inboxes/${id}/test`);
    expect(refused.body).toMatchObject({ ok: false, outcome: "refused", status: 401 });
  });
});

describe("Z-API inboxes", () => {
  it("send the instance token in the path and the client token as a header; a phone off is not_connected", async () => {
    const instanceId = `INST${Date.now()}`;
    const instanceToken = secret("zapi-instance");
    const clientToken = secret("zapi-client");
    const created = await request("POST", "/inboxes", {
      provider: "zapi",
      display_name: "Z-API",
      phone_number: "(11) 98765-4321",
      provider_ids: { zapi_instance_id: instanceId },
      secrets: { instance_token: instanceToken, client_token: clientToken },
    });
    expect(created.status).toBe(201);
    expect(created.body.inbox.phone_number).toBe("+5511987654321");
    expect(created.body.verify_token).toBeNull();
    const id = created.body.inbox.id;

    fake.zapi({ instanceId, instanceToken, clientToken, connected: true });
    expect((await request("POST", `/inboxes/${id}/test`)).body).toMatchObject({ ok: true, outcome: "connected" });
    const probe = [...fake.requests].reverse().find((seen) => seen.path.startsWith(`/instances/${instanceId}/`));
    expect(probe?.path).toBe(`/instances/${instanceId}/token/${instanceToken}/status`);
    expect(probe?.headers["client-token"]).toBe(clientToken);

    fake.zapi({ instanceId, instanceToken, clientToken, connected: false });
    expect((await request("POST", `/inboxes/${id}/test`)).body).toMatchObject({ ok: false, outcome: "not_connected" });

    // Z-API's error quotes the Client-Token it was sent; none of it comes back.
    fake.zapi({ instanceId, instanceToken, clientToken: "the-right-one" });
    expect((await request("POST", `/inboxes/${id}/test`)).body).toMatchObject({ ok: false, outcome: "refused", status: 400 });
  });
});

describe("the fake providers", () => {
  it("unreachable: a closed port answers 502 unreachable", async () => {
    const phoneNumberId = `${Date.now()}02`;
    const created = await request("POST", "/inboxes", {
      provider: "meta_cloud",
      display_name: "Fora do ar",
      provider_ids: { meta_phone_number_id: phoneNumberId },
      secrets: { app_secret: secret("meta-app"), access_token: secret("meta-token") },
    });
    await fake.close();
    const answer = await request("POST", `/inboxes/${created.body.inbox.id}/test`);
    expect(answer).toMatchObject({ status: 502, body: { ok: false, outcome: "unreachable" } });
  });

  it("no answer of this suite carried a secret it sent", () => {
    for (const text of answers) for (const value of sent) expect(text.includes(value)).toBe(false);
  });
});
