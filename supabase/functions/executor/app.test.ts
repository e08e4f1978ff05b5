// Who may wake the engine: only the project's service keys, of either key system, compared and
// never decoded — so a valid user token is refused and an `sb_secret_…` key (not a JWT) accepted.
import { afterAll, describe, expect, it } from "vitest";
import { createUsers, deleteUsers, testDatabase, userToken } from "../../../tests/fixtures/index.ts";
import { buildExecutorApp } from "./app.ts";

const sql = testDatabase(2);
const secretKey = "sb_secret_executor-test-key_0123456789";
const legacyServiceRole = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.executor-test";
const passes: Promise<unknown>[] = [];

const app = buildExecutorApp({
  sql,
  serviceKeys: [secretKey, legacyServiceRole],
  background: (work) => passes.push(work),
  invokeSelf: async () => {},
  baseUrls: {},
  // A pass that finds nothing to do ends at once.
  settings: { idleExitMs: 10, budgetMs: 2_000 },
  logSink: () => {},
});

afterAll(async () => {
  await Promise.allSettled(passes);
  await sql.end();
});

function run(headers: Record<string, string>) {
  return app.request("/executor/run", { method: "POST", headers });
}

describe("POST /executor/run", () => {
  it("starts an engine pass for an sb_secret key, and for the legacy service_role key", async () => {
    for (const key of [secretKey, legacyServiceRole]) {
      const answer = await run({ authorization: `Bearer ${key}` });
      expect(answer.status).toBe(202);
      expect((await answer.json()).status).toMatch(/^(started|woken)$/);
    }
    await Promise.all(passes);
  });

  it("refuses a signed-in user's valid token with 403, and no key with 401", async () => {
    const [user] = await createUsers(sql, 1, "executor");
    try {
      const refused = await run({ authorization: `Bearer ${await userToken(user)}` });
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.code).toBe("forbidden");
    } finally {
      await deleteUsers(sql, [user]);
    }
    const anonymous = await run({});
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe("unauthorized");
  });
});
