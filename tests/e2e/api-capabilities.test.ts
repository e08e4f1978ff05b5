// What the `api` function passes on from the database's one list of rules, over HTTP: each
// company's capabilities for the caller (public.my_capabilities), the keys each provider runs with
// (public.agent_provider_key_services), and refusals that carry the database rule's machine code
// and facts rather than wording a client would have to match.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, type ApiUser, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

let owner: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let tenant: string;

beforeAll(async () => {
  [owner, member, analyst] = await Promise.all(["owner", "member", "analyst"].map((label) => signUp(`capabilities-${label}`)));
  people.push(owner, member, analyst);
  tenant = await createTenant(owner, "Capacidades");
  await addMember(sql, tenant, member, "member");
  await addMember(sql, tenant, analyst, "analyst");
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("a company's capabilities", () => {
  it("come with the company, as the caller's role there allows", async () => {
    const mine = async (who: ApiUser) => (await expectStatus(call(who, "GET", `/tenants/${tenant}`), 200)).capabilities;
    expect(await mine(member)).toEqual(["build_agents", "build_teams", "run_teams", "handle_conversations", "manage_knowledge"]);
    expect(await mine(analyst)).toEqual([]);
    expect(await mine(owner)).toContain("manage_owners");
    const listed = await expectStatus(call(member, "GET", "/tenants"), 200);
    expect(listed.items.find((item: { id: string }) => item.id === tenant).capabilities).toEqual(["build_agents", "build_teams", "run_teams", "handle_conversations", "manage_knowledge"]);
  });

  it("decide the API's early refusals, which name the capability missing", async () => {
    const team = await expectStatus(
      call(member, "POST", "/teams", { tenant, body: { name: "Sem apagar", workflow_type: "sequential", agents: [] } }),
      201,
    );
    const refused = await call(member, "DELETE", `/teams/${team.id}`, { tenant });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "forbidden", details: { capability: "delete_teams" } });
    expect((await call(analyst, "GET", "/audit-log", { tenant })).body.error.details).toEqual({ capability: "read_audit_log" });
  });
});

describe("refusals by the database's rules", () => {
  it("answer an invitation to someone already in the company with 409 and the rule's constraint", async () => {
    const refused = await call(owner, "POST", "/members/invitations", { tenant, body: { email: member.email, role: "analyst" } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "conflict",
      details: [{ constraint: "invitations_invitee_is_member", field: "email" }],
    });
    const [{ count }] = await sql`select count(*)::int as count from public.invitations where tenant_id = ${tenant}`;
    expect(count).toBe(0);
  });
});

describe("GET /providers", () => {
  it("lists every agent provider with the keys its agents run with, most preferred first", async () => {
    const answer = await expectStatus(call(analyst, "GET", "/providers"), 200);
    expect(answer.items).toEqual([
      { provider: "openai-compatible", key_services: ["openai-compatible", "openai"] },
      { provider: "anthropic", key_services: ["anthropic"] },
      { provider: "suna", key_services: ["suna"] },
      { provider: "agent-api", key_services: ["agent-api"] },
      { provider: "demo", key_services: [] },
    ]);
  });

  it("is for signed-in people only", async () => {
    expect((await call(null, "GET", "/providers")).status).toBe(401);
  });
});
