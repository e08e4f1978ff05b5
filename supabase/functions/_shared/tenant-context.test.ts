// The caller's current tenant (X-Tenant-Id or their only one), read as the user from memberships.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import { createFunctionApp } from "./function-app.ts";
import { createJwtVerifier, requireUser } from "./jwt.ts";
import { tenantContext } from "./tenant-context.ts";
import {
  bearer,
  createUsers,
  deleteUsers,
  TenantFixtures,
  testDatabase,
  type TestUser,
  userToken,
} from "../../../tests/fixtures/index.ts";

const sql = testDatabase();
const tenants = new TenantFixtures(sql);
const app = createFunctionApp({ basePath: "/test", webOrigins: [], logSink: () => {} });
app.get(
  "/tenant",
  requireUser(createJwtVerifier({ jwtSecret: stackEnv.jwtSecret })),
  tenantContext(sql),
  (c) => c.json(c.var.tenant),
);

let solo: TestUser;
let busy: TestUser;
let newcomer: TestUser;
let soloTenant: string;
let busyFirst: string;
let busySecond: string;

beforeAll(async () => {
  [solo, busy, newcomer] = await createUsers(sql, 3, "tenant-context");
  await tenants.setup();
  soloTenant = await tenants.tenant([[solo, "owner"], [busy, "analyst"]]);
  busyFirst = await tenants.tenant([[busy, "owner"]]);
  busySecond = await tenants.tenant([[busy, "owner"]]);
});

afterAll(async () => {
  await tenants.cleanup();
  await deleteUsers(sql, [solo, busy, newcomer]);
  await sql.end();
});

async function currentTenant(user: TestUser, tenantHeader?: string) {
  const headers: Record<string, string> = bearer(await userToken(user));
  if (tenantHeader !== undefined) headers["x-tenant-id"] = tenantHeader;
  const answer = await app.request("/test/tenant", { headers });
  return { status: answer.status, body: await answer.json() };
}

const ownerCan = [
  "change_tenant",
  "delete_tenant",
  "manage_members",
  "manage_owners",
  "read_audit_log",
  "build_agents",
  "delete_agents",
  "share_agents",
  "share_keys",
  "build_teams",
  "delete_teams",
  "run_teams",
  "manage_inboxes",
  "handle_conversations",
  "manage_knowledge",
  "manage_tools",
  "manage_analytics",
];

describe("the current tenant", () => {
  it("is the caller's only tenant when no header names one", async () => {
    expect(await currentTenant(solo)).toEqual({ status: 200, body: { id: soloTenant, role: "owner", capabilities: ownerCan } });
  });

  it("is the tenant the X-Tenant-Id header names, with the caller's role there and what it lets them do", async () => {
    expect(await currentTenant(busy, busySecond)).toEqual({ status: 200, body: { id: busySecond, role: "owner", capabilities: ownerCan } });
    expect(await currentTenant(busy, soloTenant)).toEqual({ status: 200, body: { id: soloTenant, role: "analyst", capabilities: [] } });
  });

  it("accepts the id in capitals, as some clients write uuids", async () => {
    expect((await currentTenant(busy, busyFirst.toUpperCase())).body).toEqual({ id: busyFirst, role: "owner", capabilities: ownerCan });
  });

  it("must be named when the caller belongs to several, listing theirs", async () => {
    const { status, body } = await currentTenant(busy);
    expect(status).toBe(400);
    expect(body.error.code).toBe("tenant_required");
    expect(body.error.message).toContain("3 tenants");
    expect(body.error.details.tenant_ids.sort()).toEqual([soloTenant, busyFirst, busySecond].sort());
  });

  it("is required, and said to be missing, for a caller in no tenant", async () => {
    const { status, body } = await currentTenant(newcomer);
    expect(status).toBe(400);
    expect(body.error.code).toBe("tenant_required");
  });

  it("refuses a header that is not a uuid with 400 invalid_tenant_header", async () => {
    for (const header of ["acme", "", "' or 1=1 --", `${soloTenant}x`]) {
      const { status, body } = await currentTenant(solo, header);
      expect(status).toBe(400);
      expect(body.error.code).toBe("invalid_tenant_header");
    }
  });

  it("answers 404 tenant_not_found for another's tenant exactly as for one that does not exist", async () => {
    const othersTenant = await currentTenant(solo, busyFirst);
    const noTenant = await currentTenant(solo, crypto.randomUUID());
    expect(othersTenant.status).toBe(404);
    expect(othersTenant.body.error.code).toBe("tenant_not_found");
    expect(noTenant).toEqual(othersTenant);
  });

  it("needs a signed-in user first", async () => {
    const answer = await app.request("/test/tenant", { headers: { "x-tenant-id": soloTenant } });
    expect(answer.status).toBe(401);
  });
});
