// Invitations end to end through the pages: an owner invites someone by email, they see the
// invitation, accept it and work in the new company; with two companies they switch between them.
import { beforeAll, describe, expect, it } from "vitest";
import { expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as tenantSwitch } from "../../tenant/+page.server";
import { load as layoutLoad } from "../+layout.server";
import { actions as members, load as membersLoad } from "../settings/members/+page.server";
import { actions as newTenant } from "../tenants/new/+page.server";
import { actions } from "./+page.server";

let owner: Person;
let guest: Person;

async function withCompany(person: Person, name: string): Promise<string> {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug: `${name.toLowerCase()}-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
  return person.jar.get("renum-tenant")!;
}

async function layout(person: Person) {
  return (await layoutLoad((await requestEvent(person.jar, { path: "/" })) as never)) as {
    tenant: { id: string; name: string } | null;
    tenants: { id: string }[];
    invitations: { id: string; tenant_name: string; role: string }[];
  };
}

let ownerCompany: string;
let guestCompany: string;

beforeAll(async () => {
  owner = await signUp("inviter");
  guest = await signUp("invitee");
  ownerCompany = await withCompany(owner, "Convidante");
  guestCompany = await withCompany(guest, "Convidada");
});

describe("an invitation", () => {
  it("is sent by an owner and listed as pending", async () => {
    const event = await requestEvent(owner.jar, { path: "/settings/members?/invite", method: "POST", form: { email: guest.email.toUpperCase(), role: "admin" } });
    const answer = (await members.invite(event as never)) as { notice: { key: string } };
    expect(answer.notice.key).toBe("members.invited");
    const page = (await membersLoad((await requestEvent(owner.jar, { path: "/settings/members" })) as never)) as {
      pendingInvitations: { email: string; role: string }[];
    };
    expect(page.pendingInvitations).toEqual([expect.objectContaining({ email: guest.email, role: "admin" })]);
  });

  it("reaches the invitee, who accepts it and works in the new company", async () => {
    const before = await layout(guest);
    expect(before.invitations).toEqual([expect.objectContaining({ tenant_name: "Convidante", role: "admin" })]);

    const event = await requestEvent(guest.jar, { path: "/invitations?/accept", method: "POST", form: { id: before.invitations[0].id } });
    expect(await expectRedirect(() => actions.accept(event as never))).toBe("/");
    expect(guest.jar.get("renum-tenant")).toBe(ownerCompany);

    const after = await layout(guest);
    expect(after.invitations).toEqual([]);
    expect(after.tenant?.id).toBe(ownerCompany);
    expect(after.tenants.map((tenant) => tenant.id).sort()).toEqual([ownerCompany, guestCompany].sort());
  });

  it("cannot be accepted twice", async () => {
    const event = await requestEvent(owner.jar, { path: "/invitations?/accept", method: "POST", form: { id: "00000000-0000-4000-8000-000000000000" } });
    const answer = (await actions.accept(event as never)) as { status: number };
    expect(answer.status).toBe(404);
  });
});

describe("the company switcher", () => {
  it("moves a person with two companies from one to the other", async () => {
    const event = await requestEvent(guest.jar, { path: "/tenant", method: "POST", form: { tenant_id: guestCompany } });
    expect(await expectRedirect(() => tenantSwitch.default(event as never))).toBe("/");
    expect((await layout(guest)).tenant?.id).toBe(guestCompany);
  });

  it("refuses a company the person is not in", async () => {
    const event = await requestEvent(owner.jar, { path: "/tenant", method: "POST", form: { tenant_id: guestCompany } });
    const answer = (await tenantSwitch.default(event as never)) as { status: number };
    expect(answer.status).toBe(404);
    expect(owner.jar.get("renum-tenant")).toBe(ownerCompany);
  });

  it("forgets a remembered company the person has left, and picks one of theirs", async () => {
    const stale = await requestEvent(owner.jar, { path: "/" });
    owner.jar.set("renum-tenant", guestCompany, { path: "/" });
    const data = await layout(owner);
    expect(data.tenant?.id).toBe(ownerCompany);
    expect(owner.jar.get("renum-tenant")).toBe(ownerCompany);
    expect(stale.locals.tenantId).toBe(ownerCompany);
  });
});
