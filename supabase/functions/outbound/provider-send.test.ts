// The send adapters over real HTTP against the fake providers' server (each provider's wire format
// and error JSON), and the splitting of long bodies. What the fake was sent is read back: the
// number as digits, the body, the credential in the provider's own place; what comes back is
// classified in our words (retryable or final), never the provider's text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWhatsAppProviders, startFakeWhatsAppProviders } from "../../../tests/fixtures/index.ts";
import { egressFetch } from "../_shared/egress.ts";
import { parseRetryAfter, type SendEndpoints, sendText, type SendTarget } from "./provider-send.ts";
import { maxPartLength, splitIntoParts } from "./text-parts.ts";

let fake: FakeWhatsAppProviders;
let endpoints: SendEndpoints;
let previousAllowList: string | undefined;
const fetchImpl = () => egressFetch({ timeoutMs: 2_000, maxResponseBytes: 64 * 1024 });

const meta: SendTarget = { provider: "meta_cloud", meta_phone_number_id: "5550100", zapi_instance_id: null, evolution_instance_name: null, evolution_base_url: null };
const zapi: SendTarget = { provider: "zapi", meta_phone_number_id: null, zapi_instance_id: "inst-1", evolution_instance_name: null, evolution_base_url: null };
const evolution = (): SendTarget => ({ provider: "evolution", meta_phone_number_id: null, zapi_instance_id: null, evolution_instance_name: "Loja 1", evolution_base_url: fake.url });
const metaSecrets = { meta_access_token: "meta-token-secret-1" };
const zapiSecrets = { zapi_instance_token: "zapi-instance-secret", zapi_client_token: "zapi-client-secret" };
const evolutionSecrets = { evolution_api_key: "evolution-key-secret" };

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders();
  previousAllowList = process.env.EGRESS_ALLOW_PRIVATE;
  process.env.EGRESS_ALLOW_PRIVATE = new URL(fake.url).host;
  endpoints = { whatsappGraph: fake.graphUrl, zapi: fake.url, requestTimeoutMs: 1_000 };
  fake.meta({ phoneNumberId: "5550100", accessToken: metaSecrets.meta_access_token });
  fake.zapi({ instanceId: "inst-1", instanceToken: zapiSecrets.zapi_instance_token, clientToken: zapiSecrets.zapi_client_token });
  fake.evolution({ instanceName: "Loja 1", apiKey: evolutionSecrets.evolution_api_key });
});

afterAll(async () => {
  if (previousAllowList === undefined) delete process.env.EGRESS_ALLOW_PRIVATE;
  else process.env.EGRESS_ALLOW_PRIVATE = previousAllowList;
  await fake.close();
});

describe("sending a text", () => {
  it("sends through each provider in its wire format and answers the provider's message id", async () => {
    const viaMeta = await sendText(meta, metaSecrets, endpoints, "+5511987650001", "Olá da Meta", fetchImpl());
    const viaZapi = await sendText(zapi, zapiSecrets, endpoints, "+5511987650002", "Olá da Z-API", fetchImpl());
    const viaEvolution = await sendText(evolution(), evolutionSecrets, endpoints, "+5511987650003", "Olá da Evolution", fetchImpl());

    expect(fake.sent.slice(-3)).toEqual([
      { provider: "meta_cloud", account: "5550100", to: "5511987650001", body: "Olá da Meta", providerMessageId: expect.stringMatching(/^wamid\./) },
      { provider: "zapi", account: "inst-1", to: "5511987650002", body: "Olá da Z-API", providerMessageId: expect.any(String) },
      { provider: "evolution", account: "Loja 1", to: "5511987650003", body: "Olá da Evolution", providerMessageId: expect.any(String) },
    ]);
    expect([viaMeta, viaZapi, viaEvolution]).toEqual(fake.sent.slice(-3).map((sent) => ({ ok: true, providerMessageId: sent.providerMessageId })));
    const metaRequest = fake.requests.find((request) => request.path === "/v21.0/5550100/messages");
    expect(metaRequest?.headers.authorization).toBe("Bearer meta-token-secret-1");
    expect(metaRequest?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "5511987650001",
      type: "text",
      text: { preview_url: false, body: "Olá da Meta" },
    });
    expect(fake.requests.find((request) => request.path.endsWith("/send-text"))?.headers["client-token"]).toBe("zapi-client-secret");
    expect(fake.requests.find((request) => request.path.startsWith("/message/sendText/"))?.headers.apikey).toBe("evolution-key-secret");
  });

  it("calls 429 and 5xx retryable, with the provider's Retry-After", async () => {
    fake.scriptSends([{ status: 429, retryAfter: "7" }, { status: 503 }]);
    expect(await sendText(meta, metaSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toEqual({
      ok: false,
      retryable: true,
      failure: { code: "rate_limited", message: expect.any(String), http_status: 429 },
      retryAfterSeconds: 7,
    });
    expect(await sendText(zapi, zapiSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      ok: false,
      retryable: true,
      failure: { code: "provider_unavailable", http_status: 503 },
    });
  });

  it("calls a timeout and a refused connection retryable", async () => {
    fake.scriptSends([{ status: 200, delayMs: 3_000 }]);
    expect(await sendText(meta, metaSecrets, endpoints, "+5511987650001", "slow", fetchImpl())).toMatchObject({
      ok: false,
      retryable: true,
      failure: { code: "provider_timeout", http_status: null },
    });
    const closedPort = { ...endpoints, whatsappGraph: `http://${new URL(fake.url).hostname}:1/v21.0` };
    process.env.EGRESS_ALLOW_PRIVATE = `${new URL(fake.url).host},127.0.0.1:1`;
    try {
      expect(await sendText(meta, metaSecrets, closedPort, "+5511987650001", "x", fetchImpl())).toMatchObject({
        ok: false,
        retryable: true,
        failure: { code: "provider_unreachable" },
      });
    } finally {
      process.env.EGRESS_ALLOW_PRIVATE = new URL(fake.url).host;
    }
  });

  it("fails at once, in words a person understands, for the providers' refusals", async () => {
    const expired = await sendText(meta, { meta_access_token: "an-old-token" }, endpoints, "+5511987650001", "x", fetchImpl());
    expect(expired).toMatchObject({ ok: false, retryable: false, failure: { code: "provider_credentials_invalid", http_status: 401 } });
    expect(JSON.stringify(expired)).not.toContain("an-old-token");

    fake.scriptSends([
      { status: 400, body: { error: { message: "(#131026) Message Undeliverable.", type: "OAuthException", code: 131026 } } },
      { status: 400, body: { error: { message: "(#131047) Re-engagement message", type: "OAuthException", code: 131047 } } },
      { status: 400, body: { status: 400, error: "Bad Request", response: { message: [{ exists: false, jid: "5511@s.whatsapp.net", number: "5511" }] } } },
    ]);
    expect(await sendText(meta, metaSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      retryable: false,
      failure: { code: "recipient_not_on_whatsapp", message: "This phone number is not on WhatsApp." },
    });
    expect(await sendText(meta, metaSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      retryable: false,
      failure: { code: "outside_customer_window" },
    });
    expect(await sendText(evolution(), evolutionSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      retryable: false,
      failure: { code: "recipient_not_on_whatsapp" },
    });
    expect(await sendText(zapi, { ...zapiSecrets, zapi_client_token: "wrong" }, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      retryable: false,
      failure: { code: "provider_credentials_invalid" },
    });
    expect(await sendText(evolution(), { evolution_api_key: "wrong" }, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      retryable: false,
      failure: { code: "provider_credentials_invalid", http_status: 401 },
    });
    expect(await sendText({ ...evolution(), evolution_instance_name: "Nobody" }, evolutionSecrets, endpoints, "+5511987650001", "x", fetchImpl()))
      .toMatchObject({ retryable: false, failure: { code: "provider_credentials_invalid" } });
  });

  it("refuses an internal address before sending anything", async () => {
    const before = fake.requests.length;
    const internal = { ...evolution(), evolution_base_url: "http://169.254.169.254" };
    expect(await sendText(internal, evolutionSecrets, endpoints, "+5511987650001", "x", fetchImpl())).toMatchObject({
      ok: false,
      retryable: false,
      failure: { code: "provider_address_not_allowed" },
    });
    expect(fake.requests.length).toBe(before);
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe("splitting long bodies", () => {
  it("keeps a body of up to 4,096 characters whole", () => {
    const body = "a".repeat(maxPartLength);
    expect(splitIntoParts(body)).toEqual([body]);
  });

  it("cuts longer bodies at word boundaries, each part within the limit, losing no word", () => {
    const words = Array.from({ length: 1500 }, (_, index) => `palavra${index}`);
    const body = words.join(" ");
    const parts = splitIntoParts(body);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Array.from(part).length).toBeLessThanOrEqual(maxPartLength);
    expect(parts.join(" ").split(" ")).toEqual(words);
    for (const part of parts) expect(part).toMatch(/^palavra\d+( palavra\d+)*$/);
  });

  it("counts characters, not UTF-16 units, and cuts a word longer than the limit where it must", () => {
    const emoji = "😀".repeat(5000);
    const parts = splitIntoParts(emoji);
    expect(parts.map((part) => Array.from(part).length)).toEqual([4096, 904]);
    expect(parts.join("")).toBe(emoji);
  });

  it("cuts at a line break as at a space, and always the same way", () => {
    const body = `${"x".repeat(4000)}\n${"y".repeat(200)}`;
    expect(splitIntoParts(body)).toEqual(["x".repeat(4000), "y".repeat(200)]);
    expect(splitIntoParts(body, 10)).toEqual(splitIntoParts(body, 10));
  });
});
