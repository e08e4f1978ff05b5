// The project's keys as functions receive them in each key system, and the service-key check.
import { describe, expect, it } from "vitest";
import { isServiceKey, projectKeysFromEnv } from "./project-keys.ts";

const legacyServiceRole = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.signature-part";
const secretKey = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";
const publicJwk = { kty: "EC", crv: "P-256", x: "x-coordinate", y: "y-coordinate", kid: "key-1", alg: "ES256" };

function envOf(variables: Record<string, string>) {
  return (name: string) => variables[name];
}

describe("projectKeysFromEnv", () => {
  it("boots on the new keys alone, with no legacy variable set", () => {
    const keys = projectKeysFromEnv(envOf({
      SUPABASE_URL: "https://project.supabase.co",
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: secretKey }),
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: "sb_publishable_x" }),
      SUPABASE_JWKS: JSON.stringify({ keys: [publicJwk] }),
    }));
    expect(keys.serviceKeys).toEqual([secretKey]);
    expect(keys.callKey).toBe(secretKey);
    expect(keys.jwks?.keys).toEqual([publicJwk]);
    expect(keys.jwtSecret).toBeUndefined();
  });

  it("keeps the legacy service_role key as a service key, and calls with the secret key when both exist", () => {
    const keys = projectKeysFromEnv(envOf({
      SUPABASE_SERVICE_ROLE_KEY: legacyServiceRole,
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: secretKey, backend: "sb_secret_second" }),
      JWT_SECRET: "the-legacy-secret",
    }));
    expect(keys.serviceKeys).toEqual([secretKey, "sb_secret_second", legacyServiceRole]);
    expect(keys.callKey).toBe(secretKey);
    expect(new TextDecoder().decode(keys.jwtSecret as Uint8Array)).toBe("the-legacy-secret");
  });

  it("works on legacy keys alone", () => {
    const keys = projectKeysFromEnv(envOf({ SUPABASE_SERVICE_ROLE_KEY: legacyServiceRole }));
    expect(keys.serviceKeys).toEqual([legacyServiceRole]);
    expect(keys.callKey).toBe(legacyServiceRole);
    expect(keys.jwks).toBeUndefined();
  });

  it("takes the legacy secret from the oct key the CLI lists in SUPABASE_JWKS", () => {
    const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
    const keys = projectKeysFromEnv(envOf({
      SUPABASE_JWKS: JSON.stringify({ keys: [{ kty: "oct", k: Buffer.from(secret).toString("base64url") }] }),
    }));
    expect(new TextDecoder().decode(keys.jwtSecret as Uint8Array)).toBe(secret);
    expect(keys.jwks).toBeUndefined();
  });

  it("refuses at boot a key variable that is not what Supabase hands over, naming it", () => {
    expect(() => projectKeysFromEnv(envOf({ SUPABASE_SECRET_KEYS: secretKey }))).toThrow(/SUPABASE_SECRET_KEYS is not JSON/);
    expect(() => projectKeysFromEnv(envOf({ SUPABASE_JWKS: JSON.stringify([publicJwk]) }))).toThrow(/SUPABASE_JWKS/);
  });
});

describe("isServiceKey", () => {
  const serviceKeys = [secretKey, legacyServiceRole];

  it("accepts each kind of service key", async () => {
    expect(await isServiceKey(secretKey, serviceKeys)).toBe(true);
    expect(await isServiceKey(legacyServiceRole, serviceKeys)).toBe(true);
  });

  it("refuses other keys, a prefix of a key, a key with more after it, and everything when there are none", async () => {
    for (const presented of ["sb_publishable_x", secretKey.slice(0, -1), `${secretKey}x`, "", legacyServiceRole.toUpperCase()]) {
      expect(await isServiceKey(presented, serviceKeys)).toBe(false);
    }
    expect(await isServiceKey(secretKey, [])).toBe(false);
  });
});
