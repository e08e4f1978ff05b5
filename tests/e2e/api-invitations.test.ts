// Invitations belong to whoever owns the invited address, through the `api` function and the Auth
// stand-in together: the invitation e-mail (Auth's invite for a new address, a magic link for an
// existing account) leads to the web app's /auth/confirm with the invitation's token; only its
// holder, signed in with that address, can accept. An address squatter, someone who changes their
// e-mail to the invited one, a member of another company with a forwarded link, a reused token and
// a declined invitation are all refused with their own codes.
import { createClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import { type ApiUser, call, cleanUp, createTenant, expectStatus, inbox, signUp, testDatabase, uniqueEmail } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let acme: string;

beforeAll(async () => {
  owner = await signUp("inviting-owner");
  people.push(owner);
  acme = await createTenant(owner, "Acme Convites");
});
afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

interface EmailedInvitation {
  /** The web app page the link ends on, with the invitation's token. */
  next: URL;
  token: string;
  invitationId: string;
  /** Auth's token hash and type, which /auth/confirm verifies to sign the person in. */
  tokenHash: string;
  type: "invite" | "magiclink";
}

/** The newest invitation e-mail to `to`, read as the web app's /auth/confirm reads its link. */
async function emailedInvitation(to: string): Promise<EmailedInvitation> {
  const [mail] = await inbox(to);
  expect(mail).toBeDefined();
  const href = /<a href="([^"]+)"/.exec(mail.html)![1].replaceAll("&amp;", "&");
  const link = new URL(href);
  expect(link.pathname).toBe("/auth/confirm");
  const next = new URL(link.searchParams.get("next")!, link.origin);
  const [, invitationId] = /^\/invitations\/([0-9a-f-]{36})$/.exec(next.pathname)!;
  return {
    next,
    token: next.searchParams.get("token")!,
    invitationId,
    tokenHash: link.searchParams.get("token_hash")!,
    type: link.searchParams.get("type") as "invite" | "magiclink",
  };
}

/** What /auth/confirm does with the link: verifyOtp, which signs the address's owner in. */
async function openLink(invitation: EmailedInvitation): Promise<ApiUser> {
  const auth = createClient(stackEnv.apiUrl, stackEnv.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  }).auth;
  const { data, error } = await auth.verifyOtp({ type: invitation.type, token_hash: invitation.tokenHash });
  expect(error).toBeNull();
  const user = { id: data.user!.id, email: data.user!.email!, password: "", token: data.session!.access_token };
  people.push(user);
  return user;
}

async function invite(email: string, role = "member") {
  return expectStatus(call(owner, "POST", "/members/invitations", { tenant: acme, body: { email, role } }), 201);
}

async function tenantsOf(user: ApiUser): Promise<[string, string][]> {
  const { items } = await expectStatus(call(user, "GET", "/tenants"), 200);
  return items.map((tenant: { id: string; role: string }) => [tenant.id, tenant.role]);
}

describe("a new address", () => {
  it("gets Auth's invitation; opening it signs the owner in, who accepts with the link's token", async () => {
    const email = uniqueEmail("new-invitee");
    const invitation = await invite(email, "analyst");
    const emailed = await emailedInvitation(email);
    expect(emailed).toMatchObject({ invitationId: invitation.id, type: "invite" });
    expect(emailed.next.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const invitee = await openLink(emailed);
    const shown = await expectStatus(call(invitee, "GET", `/invitations/${invitation.id}?token=${emailed.token}`), 200);
    expect(shown).toMatchObject({ tenant_name: "Acme Convites", email, role: "analyst", status: "pending" });
    const accepted = await expectStatus(call(invitee, "POST", `/invitations/${invitation.id}/accept`, { body: { token: emailed.token } }), 200);
    expect(accepted).toMatchObject({ tenant_id: acme, user_id: invitee.id, role: "analyst" });
    expect(await tenantsOf(invitee)).toEqual([[acme, "analyst"]]);

    const reused = await call(invitee, "POST", `/invitations/${invitation.id}/accept`, { body: { token: emailed.token } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("invitation_already_used");
  });
});

describe("an address that already has an account", () => {
  it("gets a magic link to the invitation, and can decline it", async () => {
    const existing = await signUp("existing-invitee");
    people.push(existing);
    const invitation = await invite(existing.email);
    const emailed = await emailedInvitation(existing.email);
    expect(emailed.type).toBe("magiclink");

    await openLink(emailed);
    const declined = await expectStatus(call(existing, "POST", `/invitations/${invitation.id}/decline`, { body: { token: emailed.token } }), 200);
    expect(declined).toMatchObject({ id: invitation.id, status: "declined" });
    const shown = await expectStatus(call(existing, "GET", `/invitations/${invitation.id}?token=${emailed.token}`), 200);
    expect(shown.status).toBe("declined");
    const late = await call(existing, "POST", `/invitations/${invitation.id}/accept`, { body: { token: emailed.token } });
    expect(late.body.error.code).toBe("invitation_already_used");
    expect(await tenantsOf(existing)).toEqual([]);
    const pending = await expectStatus(call(owner, "GET", "/members/invitations", { tenant: acme }), 200);
    expect(pending.items.map((item: { id: string }) => item.id)).not.toContain(invitation.id);
  });
});

describe("people who do not own the address", () => {
  it("an address squatter who signed up first sees the invitation but cannot answer it", async () => {
    const squatter = await signUp("squatter");
    people.push(squatter);
    const invitation = await invite(squatter.email, "admin");
    const mine = await expectStatus(call(squatter, "GET", "/invitations"), 200);
    expect(mine.items.map((item: { id: string }) => item.id)).toEqual([invitation.id]);

    for (const body of [{ token: "0".repeat(64) }, { token: "f".repeat(64) }]) {
      const refused = await call(squatter, "POST", `/invitations/${invitation.id}/accept`, { body });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("invitation_token_invalid");
    }
    expect((await call(squatter, "POST", `/invitations/${invitation.id}/accept`, { body: {} })).status).toBe(422);
    expect((await call(squatter, "GET", `/invitations/${invitation.id}?token=${"0".repeat(64)}`)).body.error.code).toBe(
      "invitation_token_invalid",
    );
    expect(await tenantsOf(squatter)).toEqual([]);
  });

  it("someone who tries to change their e-mail to the invited address keeps theirs and gets no token", async () => {
    const changer = await signUp("changer");
    people.push(changer);
    const email = uniqueEmail("wanted");
    const invitation = await invite(email);
    const changed = await fetch(`${stackEnv.apiUrl}/auth/v1/user`, {
      method: "PUT",
      headers: { apikey: stackEnv.anonKey, Authorization: `Bearer ${changer.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ email }),
    });
    // Auth's invitation made the address an account of its own, so it cannot be taken by a change
    // (and a change to a free address waits for its link: auth-email-links.test.ts).
    expect(changed.status).toBe(422);
    expect((await changed.json()).error_code).toBe("email_exists");
    const refused = await call(changer, "POST", `/invitations/${invitation.id}/accept`, { body: { token: "a".repeat(64) } });
    expect(refused.body.error.code).toBe("invitation_token_invalid");
    expect(await tenantsOf(changer)).toEqual([]);
  });

  it("a member of another company holding a forwarded link is refused for the address", async () => {
    const rival = await signUp("rival-owner");
    people.push(rival);
    await createTenant(rival, "Rival Ltda");
    const email = uniqueEmail("forwarded");
    const invitation = await invite(email);
    const emailed = await emailedInvitation(email);
    const refused = await call(rival, "POST", `/invitations/${invitation.id}/accept`, { body: { token: emailed.token } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("invitation_email_mismatch");
    expect((await tenantsOf(rival)).map(([id]) => id)).not.toContain(acme);
  });

  it("a resent invitation invalidates the first link", async () => {
    const email = uniqueEmail("resent");
    const invitation = await invite(email);
    const first = await emailedInvitation(email);
    await expectStatus(call(owner, "POST", `/members/invitations/${invitation.id}/resend`, { tenant: acme }), 200);
    const second = await emailedInvitation(email);
    expect(second.token).not.toBe(first.token);
    const invitee = await openLink(second);
    const stale = await call(invitee, "POST", `/invitations/${invitation.id}/accept`, { body: { token: first.token } });
    expect(stale.body.error.code).toBe("invitation_token_invalid");
    await expectStatus(call(invitee, "POST", `/invitations/${invitation.id}/accept`, { body: { token: second.token } }), 200);
  });
});

describe("answering from the list of invitations (#18)", () => {
  it("names the inviter, and the invitee declines their own invitation without the e-mailed token", async () => {
    await expectStatus(call(owner, "PATCH", "/me", { body: { full_name: "Olga Dona" } }), 200);
    const invitee = await signUp("list-decliner");
    people.push(invitee);
    const invitation = await invite(invitee.email);
    const mine = await expectStatus(call(invitee, "GET", "/invitations"), 200);
    expect(mine.items).toEqual([expect.objectContaining({ id: invitation.id, invited_by_email: owner.email, invited_by_name: "Olga Dona" })]);

    const stranger = await signUp("list-stranger");
    people.push(stranger);
    const refused = await call(stranger, "POST", `/invitations/${invitation.id}/decline`, { body: {} });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("not_found");
    // The inviting company cannot decline for the invitee either (it revokes instead).
    expect((await call(owner, "POST", `/invitations/${invitation.id}/decline`, { body: {} })).status).toBe(404);

    const declined = await expectStatus(call(invitee, "POST", `/invitations/${invitation.id}/decline`, { body: {} }), 200);
    expect(declined).toMatchObject({ id: invitation.id, tenant_name: "Acme Convites", status: "declined", invited_by_name: "Olga Dona" });
    expect((await expectStatus(call(invitee, "GET", "/invitations"), 200)).items).toEqual([]);
    const again = await call(invitee, "POST", `/invitations/${invitation.id}/decline`, { body: {} });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe("invitation_already_used");
    expect(await tenantsOf(invitee)).toEqual([]);
    // Unknown fields and a malformed token are refused before anything is touched.
    expect((await call(invitee, "POST", `/invitations/${invitation.id}/decline`, { body: { reason: "no" } })).status).toBe(422);
    expect((await call(invitee, "POST", `/invitations/${invitation.id}/decline`, { body: { token: "short" } })).status).toBe(422);
  });

  it("says in words why an invitation conflicts: an open invitation to the address, or a member already", async () => {
    const email = uniqueEmail("twice-invited");
    await invite(email);
    const twice = await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email, role: "member" } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe("This address already has a pending invitation to the company; resend or revoke that one.");
    expect(twice.body.error.details[0]).toMatchObject({ constraint: "invitations_one_pending_per_email" });
    const member = await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: owner.email, role: "member" } });
    expect(member.status).toBe(409);
    expect(member.body.error.details[0]).toMatchObject({ constraint: "invitations_invitee_is_member" });
  });
});
