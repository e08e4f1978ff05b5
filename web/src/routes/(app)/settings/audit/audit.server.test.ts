// /settings/audit through the page's load, against the running stack: the owner reads what they
// did, filtered and paged; a member who is not an owner or admin gets the API's 403.
import { beforeAll, describe, expect, it } from "vitest";
import { addMember } from "../../../../tests/database";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../../tests/stack";
import { actions as agentActions } from "../../agents/new/+page.server";
import { actions as newTenant } from "../../tenants/new/+page.server";
import { load } from "./+page.server";

let owner: Person;
let member: Person;
let tenantId: string;

type AuditData = {
  log: { items: { action: string; table_name: string; actor_id: string | null; after: Record<string, unknown> | null; created_at: string }[]; total: number; page: number; limit: number };
  people: { user_id: string; email: string | null }[];
  filters: Record<string, string>;
};

async function audit(person: Person, query = "") {
  return (await load((await requestEvent(person.jar, { path: `/settings/audit${query}` })) as never)) as AuditData;
}

beforeAll(async () => {
  owner = await signUp("audit-owner");
  member = await signUp("audit-member");
  const event = await requestEvent(owner.jar, { path: "/tenants/new", method: "POST", form: { name: "Auditada", slug: `auditada-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
  tenantId = owner.jar.get("renum-tenant")!;
  await addMember(tenantId, member.email, "member");
  for (const name of ["Atendente", "Cobrança"]) {
    const created = await requestEvent(owner.jar, { path: "/agents/new", method: "POST", form: { name, model: "demo-small", provider: "demo", system_prompt: "Seja cordial." } });
    await expectRedirect(() => agentActions.default(created as never));
  }
});

describe("the audit log", () => {
  it("shows the owner what was done in the company, newest first, with the people to name", async () => {
    const data = await audit(owner);
    const ownerId = data.people.find((person) => person.email === owner.email)?.user_id;
    expect(ownerId).toBeDefined();
    expect(data.people.map((person) => person.email).sort()).toEqual([owner.email, member.email].sort());
    const agents = data.log.items.filter((entry) => entry.table_name === "agents" && entry.action === "insert");
    expect(agents.map((entry) => entry.after?.name)).toEqual(["Cobrança", "Atendente"]);
    expect(agents.every((entry) => entry.actor_id === ownerId)).toBe(true);
    expect(data.log.items.some((entry) => entry.table_name === "tenants" && entry.action === "insert")).toBe(true);
  });

  it("filters by action, kind of thing and person, and pages", async () => {
    const ownerId = (await audit(owner)).people.find((person) => person.email === owner.email)!.user_id;
    const agents = await audit(owner, `?table_name=agents&action=insert&actor_id=${ownerId}`);
    expect(agents.filters).toEqual({ action: "insert", actor_id: ownerId, table_name: "agents", from: "", to: "" });
    expect(agents.log.total).toBe(2);
    const secondPage = await audit(owner, `?table_name=agents&action=insert&page=2`);
    expect(secondPage.log).toMatchObject({ total: 2, page: 2, items: [] });
    const nobody = await audit(owner, `?actor_id=${crypto.randomUUID()}`);
    expect(nobody.log.total).toBe(0);
  });

  it("filters by days, both included, and ignores what is not a filter", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const all = await audit(owner);
    expect((await audit(owner, `?from=${today}&to=${today}`)).log.total).toBe(all.log.total);
    expect((await audit(owner, "?to=2000-01-01")).log.total).toBe(0);
    expect((await audit(owner, "?from=2999-01-01")).log.total).toBe(0);
    const odd = await audit(owner, "?action=hack&table_name=pg_authid&from=ontem&actor_id=me");
    expect(odd.filters).toEqual({ action: "", actor_id: "", table_name: "", from: "", to: "" });
    expect(odd.log.total).toBe(all.log.total);
  });

  it("answers a member who is not an owner or admin with the API's 403", async () => {
    member.jar.set("renum-tenant", tenantId, {} as never);
    const { status, body } = await expectHttpError(async () => audit(member));
    expect(status).toBe(403);
    expect(body.code).toBe("forbidden");
  });
});
