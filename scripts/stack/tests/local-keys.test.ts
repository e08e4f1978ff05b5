import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { anonKey, jwtSecret, serviceRoleKey } from "../keys.ts";

const secret = new TextEncoder().encode(jwtSecret);

describe("local development keys", () => {
  it("are the Supabase CLI's: HS256 JWTs signed with the local secret, for anon and service_role", async () => {
    const anon = await jwtVerify(anonKey, secret, { algorithms: ["HS256"] });
    const service = await jwtVerify(serviceRoleKey, secret, { algorithms: ["HS256"] });
    expect(anon.payload).toMatchObject({ iss: "supabase-demo", role: "anon" });
    expect(service.payload).toMatchObject({ iss: "supabase-demo", role: "service_role" });
  });

  it("do not verify with any other secret", async () => {
    const otherSecret = new TextEncoder().encode("another-secret-that-is-at-least-32-characters");
    await expect(jwtVerify(anonKey, otherSecret)).rejects.toThrow();
  });

  it("stay valid for years, as the CLI's do", () => {
    const { exp } = decodeJwt(serviceRoleKey);
    expect(exp! * 1000).toBeGreaterThan(Date.parse("2030-01-01"));
  });
});
