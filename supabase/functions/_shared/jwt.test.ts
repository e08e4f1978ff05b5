// Token verification in both key systems: asymmetric keys published as a JWKS, fetched over real
// HTTP from `${SUPABASE_URL}/auth/v1/.well-known/jwks.json` (served here by a small HTTP server) or
// handed over in SUPABASE_JWKS, and the legacy HS256 secret, side by side.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFunctionApp } from "./function-app.ts";
import { createJwtVerifier, type JwtVerifierConfig, requireUser } from "./jwt.ts";
import { bearer, signToken } from "../../../tests/fixtures/index.ts";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

let server: Server;
let projectUrl: string;
let projectKey: PrivateKey;
let strangerKey: PrivateKey;
let jwksRequests = 0;
let publicJwk: JWK;
// Any 32+ character secret: these tests need no stack.
const legacySecret = "a-legacy-jwt-secret-of-at-least-32-characters";

const claims = {
  sub: crypto.randomUUID(),
  aud: "authenticated",
  role: "authenticated",
  email: "jwks@example.test",
  session_id: crypto.randomUUID(),
};

function signEs256(key: PrivateKey, kid: string, extra: Record<string, unknown> = {}, expiresIn = "1h") {
  return new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).setIssuedAt()
    .setExpirationTime(expiresIn).sign(key);
}

function appWith(config: JwtVerifierConfig) {
  const app = createFunctionApp({ basePath: "/test", webOrigins: [], logSink: () => {} });
  app.get(
    "/me",
    requireUser(createJwtVerifier(config)),
    (c) => c.json({ sub: c.var.claims.sub, email: c.var.claims.email }),
  );
  return app;
}

beforeAll(async () => {
  const project = await generateKeyPair("ES256");
  projectKey = project.privateKey;
  strangerKey = (await generateKeyPair("ES256")).privateKey;
  publicJwk = { ...(await exportJWK(project.publicKey)), kid: "project-key-1", alg: "ES256", use: "sig" };
  server = createServer((request, response) => {
    if (request.url === "/auth/v1/.well-known/jwks.json") {
      jwksRequests += 1;
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  projectUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("verification with the project's JWKS (no JWT_SECRET)", () => {
  it("accepts a user token signed with the project's published key, fetching the keys once", async () => {
    const app = appWith({ supabaseUrl: projectUrl });
    const before = jwksRequests;
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ sub: claims.sub, email: claims.email });
    }
    expect(jwksRequests - before).toBe(1);
  });

  it("refuses a token signed by another key, and an HS256 token made with the legacy secret", async () => {
    const app = appWith({ supabaseUrl: projectUrl });
    for (
      const token of [
        await signEs256(strangerKey, "project-key-1"),
        await signEs256(strangerKey, "unknown-key"),
        await signToken(claims, { secret: legacySecret }),
      ]
    ) {
      const answer = await app.request("/test/me", { headers: bearer(token) });
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.code).toBe("invalid_token");
    }
  });

  it("says an expired token expired", async () => {
    const app = appWith({ supabaseUrl: projectUrl });
    const answer = await app.request("/test/me", {
      headers: bearer(await signEs256(projectKey, "project-key-1", {}, "-1m")),
    });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.message).toContain("expired");
  });

  it("answers 503 auth_unavailable when the keys cannot be fetched, not a 401 blaming the caller", async () => {
    const app = appWith({ supabaseUrl: "http://127.0.0.1:9" });
    const answer = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
    expect(answer.status).toBe(503);
    expect((await answer.json()).error.code).toBe("auth_unavailable");
  });
});

describe("verification with JWT_SECRET only", () => {
  it("accepts HS256 tokens signed with the secret and refuses ES256 ones", async () => {
    const app = appWith({ jwtSecret: legacySecret });
    expect((await app.request("/test/me", { headers: bearer(await signToken(claims, { secret: legacySecret })) })).status)
      .toBe(200);
    const asymmetric = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
    expect(asymmetric.status).toBe(401);
    expect((await asymmetric.json()).error.code).toBe("invalid_token");
  });

  it("cannot be configured with neither a secret nor keys nor a project URL", () => {
    expect(() => createJwtVerifier({})).toThrow(/JWT_SECRET, SUPABASE_JWKS or SUPABASE_URL/);
  });
});

describe("both key systems side by side (a project migrating to signing keys)", () => {
  it("accepts an HS256 token by the secret and an ES256 token by the JWKS, chosen by the token's alg", async () => {
    const app = appWith({ jwtSecret: legacySecret, supabaseUrl: projectUrl });
    const legacy = await app.request("/test/me", { headers: bearer(await signToken(claims, { secret: legacySecret })) });
    expect(legacy.status).toBe(200);
    const asymmetric = await app.request("/test/me", {
      headers: bearer(await signEs256(projectKey, "project-key-1")),
    });
    expect(asymmetric.status).toBe(200);
  });

  it("verifies with SUPABASE_JWKS handed over, without fetching the published set", async () => {
    const before = jwksRequests;
    const app = appWith({ jwks: { keys: [publicJwk] } });
    const answer = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
    expect(answer.status).toBe(200);
    expect(jwksRequests).toBe(before);
  });

  it("falls back to the published JWKS for a key rotated in after boot", async () => {
    const rotated = { ...publicJwk, kid: "rotated-away" };
    const app = appWith({ jwks: { keys: [rotated] }, supabaseUrl: projectUrl });
    const answer = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
    expect(answer.status).toBe(200);
  });

  it("refuses a token naming a key nobody published, without asking the network when it has no URL", async () => {
    const app = appWith({ jwks: { keys: [publicJwk] }, jwtSecret: legacySecret });
    const answer = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "unknown-kid")) });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("invalid_token");
  });

  it("refuses algorithms the project does not sign with (HS384 with the right secret, alg none)", async () => {
    const app = appWith({ jwtSecret: legacySecret, jwks: { keys: [publicJwk] } });
    const hs384 = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS384", typ: "JWT" }).setIssuedAt()
      .setExpirationTime("1h").sign(new TextEncoder().encode(legacySecret));
    const unsigned = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" }))}.${
      btoa(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }))
    }.`.replace(/=/g, "");
    for (const token of [hs384, unsigned]) {
      const answer = await app.request("/test/me", { headers: bearer(token) });
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.code).toBe("invalid_token");
    }
  });

  it("says an expired token of either kind expired", async () => {
    const app = appWith({ jwtSecret: legacySecret, jwks: { keys: [publicJwk] } });
    for (
      const token of [
        await signToken(claims, { secret: legacySecret, expiresInSeconds: -60 }),
        await signEs256(projectKey, "project-key-1", {}, "-1m"),
      ]
    ) {
      const answer = await app.request("/test/me", { headers: bearer(token) });
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.message).toContain("expired");
    }
  });

  it("refuses the new API keys where a user is needed: they are keys, not tokens", async () => {
    const app = appWith({ jwtSecret: legacySecret, jwks: { keys: [publicJwk] } });
    for (const key of ["sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH", "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"]) {
      const answer = await app.request("/test/me", { headers: bearer(key) });
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.message).toContain("API key");
    }
  });
});
