// Token verification the hosted way: asymmetric keys published as a JWKS, fetched over real HTTP
// from `${SUPABASE_URL}/auth/v1/.well-known/jwks.json` (served here by a small HTTP server).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import { createApiApp } from "./api-app.ts";
import { createJwtVerifier, type JwtVerifierConfig, requireUser } from "./jwt.ts";
import { bearer, signToken } from "./test-support.ts";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

let server: Server;
let projectUrl: string;
let projectKey: PrivateKey;
let strangerKey: PrivateKey;
let jwksRequests = 0;

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
  const app = createApiApp({ basePath: "/test", webOrigins: [], logSink: () => {} });
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
  const publicJwk = { ...(await exportJWK(project.publicKey)), kid: "project-key-1", alg: "ES256", use: "sig" };
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
        await signToken(claims),
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

describe("verification with JWT_SECRET", () => {
  it("accepts HS256 tokens signed with the secret and refuses ES256 ones", async () => {
    const app = appWith({ jwtSecret: stackEnv.jwtSecret, supabaseUrl: projectUrl });
    expect((await app.request("/test/me", { headers: bearer(await signToken(claims)) })).status).toBe(200);
    const asymmetric = await app.request("/test/me", { headers: bearer(await signEs256(projectKey, "project-key-1")) });
    expect(asymmetric.status).toBe(401);
  });

  it("cannot be configured with neither a secret nor a project URL", () => {
    expect(() => createJwtVerifier({})).toThrow(/JWT_SECRET or SUPABASE_URL/);
  });
});
