import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import { buildHealthApp } from "./app.ts";

const sql = postgres(stackEnv.dbUrl, { max: 1 });
// Nothing listens on port 9: the database is unreachable, as during an outage.
const unreachable = postgres("postgresql://postgres:postgres@127.0.0.1:9/postgres", { max: 1, connect_timeout: 2 });

afterAll(async () => {
  await sql.end();
  await unreachable.end();
});

describe("health app", () => {
  it("reports the server version and every installed extension", async () => {
    const answer = await buildHealthApp(sql).request("/health");
    expect(answer.status).toBe(200);
    const body = await answer.json();
    const [{ count }] = await sql`select count(*)::int as count from pg_extension`;
    expect(body.extensions).toHaveLength(count);
    expect(body.postgres.version).toMatch(/^15\./);
  });

  it("answers 503 in the one error shape when the database is down, without leaking the driver's message", async () => {
    const answer = await buildHealthApp(unreachable).request("/health");
    expect(answer.status).toBe(503);
    const body = await answer.json();
    expect(body).toEqual({ error: { code: "database_unavailable", message: "The database did not answer the health check." } });
    expect(JSON.stringify(body)).not.toContain("ECONNREFUSED");
  });

  it("allows any origin to read it (the placeholder web page calls it from another port)", async () => {
    const answer = await buildHealthApp(sql).request("/health", { headers: { origin: "http://127.0.0.1:5173" } });
    expect(answer.headers.get("access-control-allow-origin")).toBe("*");
  });
});
