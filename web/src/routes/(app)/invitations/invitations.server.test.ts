// Invitations end to end through the pages: an owner invites someone by e-mail, the e-mail's link
// (through /auth/confirm) signs its owner in on the invitation's page, where they accept and work in
// the new company, or decline; someone who merely signed up with an invited address is refused.
// With two companies a person switches between them.
import { beforeAll, describe, expect, it } from "vitest";
import { linkInLatestEmail } from "../../../tests/inbox";
import { CookieJar, expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { GET as confirm } from "../../auth/confirm/+server";
import { actions as tenantSwitch } from "../../tenant/+page.server";
import { load as layoutLoad } from "../+layout.server";
import { actions as members, load as membersLoad } from "../settings/members/+page.server";
import { actions as newTenant } from "../tenants/new/+page.server";
import { actions as invitationActions, load as invitationLoad } from "./[id]/+page.server";

let owner: Person;
let guest: Person;

async function withCompany(person: Person, name: string): Promise<string> {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug: `${name.toLowerCase()}-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
  return person.jar.get("renum-tenant")!;
}

async function layout(person: Person) {
  // /invitations: a page people without a company may open, so the layout does not send them away.
  return (await layoutLoad((await requestEvent(person.jar, { path: "/invitations" })) as never)) as {
    tenant: { id: string; name: string } | null;
    tenants: { id: string }[];
    invitations: { id: string; tenant_name: string; role: string }[];
  };
}

async function invite(email: string, role: string) {
  const event = await requestEvent(owner.jar, { path: "/settings/members?/invite", method: "POST", form: { email, role } });
  return (await members.invite(event as never)) as { notice: { key: string } };
}

/** Opens the newest e-mail's link in `jar`'s browser; answers the invitation page it lands on. */
async function openInvitationEmail(jar: CookieJar, email: string): Promise<URL> {
  const link = await linkInLatestEmail(email);
  const event = await requestEvent(jar, { path: `${link.pathname}${link.search}` });
  return new URL(await expectRedirect(() => confirm(event as never)), "http://127.0.0.1:5173");
}

function invitationPage(jar: CookieJar, page: URL) {
  const id = page.pathname.split("/").pop()!;
  return requestEvent(jar, { path: `${page.pathname}${page.search}`, params: { id } });
}

async function answer(jar: CookieJar, page: URL, action: "accept" | "decline", token = page.searchParams.get("token")!) {
  const id = page.pathname.split("/").pop()!;
  return requestEvent(jar, { path: `${page.pathname}?/${action}`, method: "POST", form: { token }, params: { id } });
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
  it("is sent by an owner, e-mailed, and listed as pending", async () => {
    expect((await invite(guest.email.toUpperCase(), "admin")).notice.key).toBe("members.invited");
    const page = (await membersLoad((await requestEvent(owner.jar, { path: "/settings/members" })) as never)) as {
      pendingInvitations: { email: string; role: string }[];
    };
    expect(page.pendingInvitations).toEqual([expect.objectContaining({ email: guest.email, role: "admin" })]);
    expect((await layout(guest)).invitations).toEqual([expect.objectContaining({ tenant_name: "Convidante", role: "admin" })]);
  });

  it("is opened from the e-mail, which signs its owner in, and accepted: they work in the new company", async () => {
    const browser = new CookieJar();
    const landing = await openInvitationEmail(browser, guest.email);
    expect(landing.pathname).toMatch(/^\/invitations\/[0-9a-f-]{36}$/);
    const shown = (await invitationLoad((await invitationPage(browser, landing)) as never)) as {
      invitation: { tenant_name: string; role: string; status: string };
      signedInAs: string;
    };
    expect(shown.invitation).toMatchObject({ tenant_name: "Convidante", role: "admin", status: "pending" });
    expect(shown.signedInAs).toBe(guest.email);

    const event = await answer(browser, landing, "accept");
    expect(await expectRedirect(() => invitationActions.accept(event as never))).toBe("/");
    expect(browser.get("renum-tenant")).toBe(ownerCompany);
    const after = await layout(guest);
    expect(after.invitations).toEqual([]);
    expect(after.tenants.map((tenant) => tenant.id).sort()).toEqual([ownerCompany, guestCompany].sort());

    // The same link again: its sign-in part is spent, the page says the invitation was answered.
    const again = await openInvitationEmail(browser, guest.email);
    expect(again.pathname).toBe(landing.pathname);
    const answered = (await invitationLoad((await invitationPage(browser, again)) as never)) as { invitation: { status: string } };
    expect(answered.invitation.status).toBe("accepted");
  });

  it("can be declined from its page", async () => {
    const invited = await signUp("declines");
    await invite(invited.email, "member");
    const browser = new CookieJar();
    const landing = await openInvitationEmail(browser, invited.email);
    const declined = await invitationActions.decline((await answer(browser, landing, "decline")) as never);
    expect(declined).toEqual({ declined: "Convidante" });
    const shown = (await invitationLoad((await invitationPage(browser, landing)) as never)) as { invitation: { status: string } };
    expect(shown.invitation.status).toBe("declined");
    expect((await layout(invited)).tenants).toEqual([]);
  });

  it("is refused to someone who signed up with the invited address but never got the e-mail", async () => {
    const squatter = await signUp("squatter");
    await invite(squatter.email, "admin");
    const [{ id }] = (await layout(squatter)).invitations;
    const page = new URL(`/invitations/${id}?token=${"0".repeat(64)}`, "http://127.0.0.1:5173");
    const refused = (await invitationActions.accept((await answer(squatter.jar, page, "accept")) as never)) as {
      status: number;
      data: { code: string };
    };
    expect(refused.status).toBe(403);
    expect(refused.data.code).toBe("invitation_token_invalid");
    const shown = await expectHttpError(async () => invitationLoad((await invitationPage(squatter.jar, page)) as never));
    expect(shown.status).toBe(403);
    expect((await layout(squatter)).tenants).toEqual([]);
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
