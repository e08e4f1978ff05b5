// The builder every function uses (function-app.ts) and its auth modes (function-auth.ts): the one
// error shape, CORS, the body limit, service keys, and a provider's signature over the raw body.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiError } from "./errors.ts";
import { createFunctionApp } from "./function-app.ts";
import { functionAuth, requireProviderSignature } from "./function-auth.ts";

const secretKey = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";
const legacyServiceRole = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.signature-part";
const appSecret = "whatsapp-app-secret";

function buildApp() {
  const logLines: string[] = [];
  const app = createFunctionApp({
    basePath: "/probe",
    webOrigins: ["https://app.example.test"],
    maxBodyBytes: 64,
    logSink: (_level, line) => logLines.push(line),
  });
  const auth = functionAuth({ serviceKeys: [secretKey, legacyServiceRole] });
  app.post("/echo", async (c) => c.json({ received: await c.req.json() }));
  app.get("/fails", () => {
    throw new Error("connection string postgres://secret@db");
  });
  app.get("/refuses", () => {
    throw new ApiError(409, "already_done", "It is already done.", { details: { id: 7 } });
  });
  app.post("/service", auth.service, (c) => c.json({ ok: true }));
  app.post(
    "/webhook",
    requireProviderSignature({ header: "X-Hub-Signature-256", prefix: "sha256=", secret: () => appSecret }),
    async (c) => c.json({ bytes: c.var.rawBody.length, object: (await c.req.json()).object }),
  );
  return { app, logLines };
}

function whatsappSignature(body: string, secret = appSecret): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

describe("createFunctionApp", () => {
  it("answers every failure in the one shape, an unexpected one without its message, with a request id", async () => {
    const { app, logLines } = buildApp();
    const crashed = await app.request("/probe/fails", { headers: { "x-request-id": "trace-1" } });
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side." } });
    expect(crashed.headers.get("x-request-id")).toBe("trace-1");
    expect(logLines.some((line) => line.includes("trace-1") && line.includes("postgres://secret@db"))).toBe(true);

    const refused = await app.request("/probe/refuses");
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: { code: "already_done", message: "It is already done.", details: { id: 7 } } });

    const missing = await app.request("/probe/nothing-here");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
  });

  it("answers CORS preflights of the allowed origins before any auth, and not others", async () => {
    const { app } = buildApp();
    const preflight = {
      method: "OPTIONS",
      headers: { origin: "https://app.example.test", "access-control-request-method": "POST" },
    };
    const allowed = await app.request("/probe/service", preflight);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    const stranger = await app.request("/probe/service", {
      ...preflight,
      headers: { ...preflight.headers, origin: "https://evil.example.test" },
    });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a body over the limit with 413 payload_too_large before the route reads it", async () => {
    const { app } = buildApp();
    const answer = await app.request("/probe/echo", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x".repeat(100) }),
    });
    expect(answer.status).toBe(413);
    expect((await answer.json()).error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 64 } });
  });
});

describe("auth mode: service key", () => {
  it("accepts an sb_secret key and the legacy service_role key, in Authorization or apikey", async () => {
    const { app } = buildApp();
    for (
      const headers of [
        { authorization: `Bearer ${secretKey}` },
        { authorization: `Bearer ${legacyServiceRole}` },
        { apikey: secretKey },
      ]
    ) {
      expect((await app.request("/probe/service", { method: "POST", headers })).status).toBe(200);
    }
  });

  it("accepts the key in apikey when Authorization holds a token the gateway minted for it, as Supabase's gateway sends it", async () => {
    const { app } = buildApp();
    const minted = { authorization: "Bearer eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln", apikey: secretKey };
    expect((await app.request("/probe/service", { method: "POST", headers: minted })).status).toBe(200);
    // Neither place holding a service key is still a refusal.
    const neither = { authorization: minted.authorization, apikey: "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH" };
    expect((await app.request("/probe/service", { method: "POST", headers: neither })).status).toBe(403);
  });

  it("refuses a missing key with 401 and any other key or token with 403", async () => {
    const { app } = buildApp();
    const missing = await app.request("/probe/service", { method: "POST" });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe("unauthorized");
    for (const key of ["sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH", `${secretKey}x`, "eyJ.a.user-token"]) {
      const answer = await app.request("/probe/service", { method: "POST", headers: { authorization: `Bearer ${key}` } });
      expect(answer.status).toBe(403);
      expect((await answer.json()).error.code).toBe("forbidden");
    }
  });

  it("cannot be built without any service key", () => {
    expect(() => functionAuth({ serviceKeys: [] }).service).toThrow(/SUPABASE_SECRET_KEYS or SUPABASE_SERVICE_ROLE_KEY/);
  });
});

describe("auth mode: provider signature (HMAC-SHA256 of the raw body, as WhatsApp's X-Hub-Signature-256)", () => {
  // Spacing a re-serialised body would lose: the signature covers these exact bytes.
  const body = '{"object":  "whatsapp_business_account", "entry": []}';

  it("lets a correctly signed body through, as its raw bytes and still parseable", async () => {
    const { app } = buildApp();
    const answer = await app.request("/probe/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": whatsappSignature(body) },
      body,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ bytes: body.length, object: "whatsapp_business_account" });
  });

  it("refuses a missing signature, another secret's, a signature of another body and a malformed header", async () => {
    const { app } = buildApp();
    const signatures = [
      undefined,
      whatsappSignature(body, "another-secret"),
      whatsappSignature(body.replace("  ", " ")),
      whatsappSignature(body).replace("sha256=", "sha1="),
      "sha256=zz",
    ];
    for (const signature of signatures) {
      const answer = await app.request("/probe/webhook", {
        method: "POST",
        headers: signature ? { "x-hub-signature-256": signature } : {},
        body,
      });
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.code).toBe("invalid_signature");
    }
  });
});
