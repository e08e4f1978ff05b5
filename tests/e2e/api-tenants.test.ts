// The `api` function's tenants, members, invitations, audit log and admin endpoints over HTTP,
// through the gateway, as people who signed up with supabase-js against the Auth stand-in.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  callOnOwnConnection,
  cleanUp,
  createTenant,
  expectStatus,
  makePlatformAdmin,
  signIn,
  signUp,
  testDatabase,
  uniqueEmail,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

let owner: ApiUser;
let admin: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let outsider: ApiUser;
let platformAdmin: ApiUser;
let acme: string;
let other: string;

async function person(label: string): Promise<ApiUser> {
  const user = await signUp(label);
  people.push(user);
  return user;
}

beforeAll(async () => {
  [owner, admin, member, analyst, outsider, platformAdmin] = await Promise.all(
    ["owner", "admin", "member", "analyst", "outsider", "platform-admin"].map(person),
  );
  acme = await createTenant(owner, "Acme Comercio");
  other = await createTenant(outsider, "Outra Empresa");
  await addMember(sql, acme, admin, "admin");
  await addMember(sql, acme, member, "member");
  await addMember(sql, acme, analyst, "analyst");
  await makePlatformAdmin(sql, platformAdmin);
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("tokens", () => {
  it("accepts the access token of a real supabase-js session, from sign-up and from sign-in", async () => {
    const fresh = await person("token-check");
    expect((await call(fresh, "GET", "/tenants")).status).toBe(200);
    await signIn(fresh);
    const answer = await call(fresh, "GET", "/tenants");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [], total: 0, page: 1, limit: 20 });
  });

  it("answers 401 unauthorized without a token, in the one error shape", async () => {
    const answer = await call(null, "GET", "/tenants");
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });

  it("answers 401 invalid_token for a forged token and for an expired one", async () => {
    const claims = { sub: owner.id, role: "authenticated", aud: "authenticated", email: owner.email };
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ ...claims, exp: now + 3600 }).setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("someone-elses-secret-at-least-32-characters"));
    const expired = await new SignJWT({ ...claims, exp: now - 60 }).setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(stackEnv.jwtSecret));
    const forgedAnswer = await call(forged, "POST", "/tenants", { body: { name: "Forged", slug: "forged-co" } });
    expect(forgedAnswer.status).toBe(401);
    expect(forgedAnswer.body.error.code).toBe("invalid_token");
    const expiredAnswer = await call(expired, "GET", `/tenants/${acme}`);
    expect(expiredAnswer.status).toBe(401);
    expect(expiredAnswer.body.error).toEqual({ code: "invalid_token", message: expect.stringContaining("expired") });
    const [{ count }] = await sql`select count(*)::int as count from public.tenants where slug = 'forged-co'`;
    expect(count).toBe(0);
  });

  it("refuses the anon key where a person is needed", async () => {
    const answer = await call(stackEnv.anonKey, "GET", "/tenants");
    expect(answer.status).toBe(401);
  });
});

describe("POST /tenants", () => {
  it("creates the company with the caller as its owner, storing the CNPJ as digits", async () => {
    const creator = await person("creator");
    const slug = `padaria-${aUuid().slice(0, 8)}`;
    const tenant = await expectStatus(
      call(creator, "POST", "/tenants", {
        body: { name: "  Padaria Pão Quente  ", slug, tax_id: "11.222.333/0001-81" },
      }),
      201,
    );
    expect(tenant).toMatchObject({
      name: "Padaria Pão Quente",
      slug,
      tax_id: "11222333000181",
      plan: "basic",
      status: "active",
      role: "owner",
      created_by: creator.id,
      rag_enabled: false,
    });
    const [membership] = await sql`select role from public.memberships where tenant_id = ${tenant.id} and user_id = ${creator.id}`;
    expect(membership.role).toBe("owner");
  });

  it("refuses an invalid CNPJ with 422 naming tax_id, and writes nothing", async () => {
    const slug = `cnpj-${aUuid().slice(0, 8)}`;
    const answer = await call(owner, "POST", "/tenants", { body: { name: "Errado", slug, tax_id: "11.222.333/0001-82" } });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe("validation_failed");
    expect(answer.body.error.details).toEqual([{ path: "tax_id", message: expect.stringContaining("CNPJ") }]);
    const [{ count }] = await sql`select count(*)::int as count from public.tenants where slug = ${slug}`;
    expect(count).toBe(0);
  });

  it("refuses CNPJs with all digits equal or the wrong length", async () => {
    for (const taxId of ["11111111111111", "1122233300018", "abc"]) {
      const answer = await call(owner, "POST", "/tenants", { body: { name: "X", slug: `x-${aUuid().slice(0, 8)}`, tax_id: taxId } });
      expect(answer.status, taxId).toBe(422);
    }
  });

  it("answers 409 conflict for a slug already taken, and leaves no second company or membership", async () => {
    const slug = `taken-${aUuid().slice(0, 8)}`;
    await expectStatus(call(owner, "POST", "/tenants", { body: { name: "First", slug } }), 201);
    const answer = await call(member, "POST", "/tenants", { body: { name: "Second", slug } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("conflict");
    expect(answer.body.error.message).toContain("slug");
    const rows = await sql`select name from public.tenants where slug = ${slug}`;
    expect(rows.map((row) => row.name)).toEqual(["First"]);
    const [{ count }] = await sql`
      select count(*)::int as count from public.memberships m join public.tenants t on t.id = m.tenant_id
      where m.user_id = ${member.id} and t.name = 'Second'`;
    expect(count).toBe(0);
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const answer = await call(owner, "POST", "/tenants", { rawBody: '{"name": "Broken", "slug": ' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: "invalid_json", message: expect.any(String) } });
  });

  it("answers a body that is not JSON with 415", async () => {
    const answer = await call(owner, "POST", "/tenants", {
      rawBody: "name=Acme",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe("unsupported_media_type");
  });

  it("refuses unknown fields, naming each, rather than ignoring them", async () => {
    const answer = await call(owner, "POST", "/tenants", {
      body: { name: "Plan hacker", slug: `ph-${aUuid().slice(0, 8)}`, plan: "enterprise", status: "active" },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details).toEqual(
      expect.arrayContaining([{ path: "plan", message: "Unknown field." }, { path: "status", message: "Unknown field." }]),
    );
  });

  it("refuses wrong types, a missing name and strings over their limits", async () => {
    const wrongType = await call(owner, "POST", "/tenants", { body: { name: 42, slug: ["a"] } });
    expect(wrongType.status).toBe(422);
    expect(new Set(wrongType.body.error.details.map((detail: { path: string }) => detail.path))).toEqual(new Set(["name", "slug"]));
    const missing = await call(owner, "POST", "/tenants", { body: { slug: `m-${aUuid().slice(0, 8)}` } });
    expect(missing.status).toBe(422);
    const tooLong = await call(owner, "POST", "/tenants", { body: { name: "n".repeat(201), slug: `l-${aUuid().slice(0, 8)}` } });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.details).toEqual([{ path: "name", message: "Must have at most 200 characters." }]);
    const badSlug = await call(owner, "POST", "/tenants", { body: { name: "Slug", slug: "Not A Slug" } });
    expect(badSlug.status).toBe(422);
    expect(badSlug.body.error.details[0].path).toBe("slug");
  });

  it("refuses a body over 1 MB with 413 before reading it", async () => {
    const body = JSON.stringify({ name: "Big", slug: "big-body", padding: "x".repeat(1024 * 1024) });
    const answer = await callOnOwnConnection(owner, "POST", "/tenants", body);
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe("payload_too_large");
    const [{ count }] = await sql`select count(*)::int as count from public.tenants where slug = 'big-body'`;
    expect(count).toBe(0);
  });
});

describe("GET /tenants and /tenants/:id", () => {
  it("lists the caller's companies with their role, paginated", async () => {
    const busy = await person("busy");
    const first = await createTenant(busy, "Alpha");
    const second = await createTenant(busy, "Beta");
    await addMember(sql, acme, busy, "analyst");
    const all = await expectStatus(call(busy, "GET", "/tenants"), 200);
    expect(all.total).toBe(3);
    expect(all.items.map((tenant: { id: string; role: string }) => [tenant.id, tenant.role])).toEqual(
      expect.arrayContaining([[first, "owner"], [second, "owner"], [acme, "analyst"]]),
    );
    const pageTwo = await expectStatus(call(busy, "GET", "/tenants?page=2&limit=2"), 200);
    expect(pageTwo).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(pageTwo.items).toHaveLength(1);
    const beyond = await expectStatus(call(busy, "GET", "/tenants?page=9&limit=2"), 200);
    expect(beyond).toEqual({ items: [], total: 3, page: 9, limit: 2 });
  });

  it("refuses bad pagination with 422", async () => {
    for (const query of ["page=0", "limit=101", "limit=abc", "page=1.5", "unknown=1"]) {
      const answer = await call(owner, "GET", `/tenants?${query}`);
      expect(answer.status, query).toBe(422);
      expect(answer.body.error.code).toBe("validation_failed");
    }
  });

  it("shows a company to its members and answers 404 to anyone else, existing or not", async () => {
    const seen = await expectStatus(call(analyst, "GET", `/tenants/${acme}`), 200);
    expect(seen).toMatchObject({ id: acme, role: "analyst" });
    const otherTenant = await call(owner, "GET", `/tenants/${other}`);
    expect(otherTenant.status).toBe(404);
    const missing = await call(owner, "GET", `/tenants/${aUuid()}`);
    expect(missing.status).toBe(404);
    expect(otherTenant.body).toEqual(missing.body);
    const notAnId = await call(owner, "GET", "/tenants/not-a-uuid");
    expect(notAnId.status).toBe(422);
  });
});

describe("PATCH /tenants/:id and its settings", () => {
  it("lets owners and admins rename the company and change its CNPJ", async () => {
    const renamed = await expectStatus(
      call(admin, "PATCH", `/tenants/${acme}`, { body: { name: "Acme Comércio Ltda", tax_id: "11444777000161" } }),
      200,
    );
    expect(renamed).toMatchObject({ name: "Acme Comércio Ltda", tax_id: "11444777000161", role: "admin" });
  });

  it("answers 403 to members and analysts, and changes nothing", async () => {
    for (const who of [member, analyst]) {
      const answer = await call(who, "PATCH", `/tenants/${acme}`, { body: { name: "Hijacked" } });
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe("forbidden");
    }
    const [tenant] = await sql`select name from public.tenants where id = ${acme}`;
    expect(tenant.name).not.toBe("Hijacked");
  });

  it("answers 404 for another company's id and changes nothing there", async () => {
    const answer = await call(owner, "PATCH", `/tenants/${other}`, { body: { name: "Taken over" } });
    expect(answer.status).toBe(404);
    const [tenant] = await sql`select name from public.tenants where id = ${other}`;
    expect(tenant.name).toBe("Outra Empresa");
  });

  it("answers 409 for another company's slug, 422 for an invalid CNPJ or an empty change", async () => {
    const [{ slug }] = await sql`select slug from public.tenants where id = ${other}`;
    expect((await call(owner, "PATCH", `/tenants/${acme}`, { body: { slug } })).status).toBe(409);
    expect((await call(owner, "PATCH", `/tenants/${acme}`, { body: { tax_id: "12345678000100" } })).status).toBe(422);
    expect((await call(owner, "PATCH", `/tenants/${acme}`, { body: {} })).status).toBe(422);
    expect((await call(owner, "PATCH", `/tenants/${acme}`, { body: { status: "active" } })).status).toBe(422);
  });

  it("reads settings for every member and lets owners and admins change them", async () => {
    const settings = await expectStatus(call(analyst, "GET", `/tenants/${acme}/settings`), 200);
    expect(settings).toEqual({
      agents_endpoint_url: null,
      agents_timeout_ms: 30000,
      default_agent_type: "sdr",
      rag_enabled: false,
      rag_top_k: 5,
      http_request_hosts: [],
    });
    const changed = await expectStatus(
      call(owner, "PATCH", `/tenants/${acme}/settings`, {
        body: { rag_enabled: true, rag_top_k: 8, agents_endpoint_url: "https://agents.acme.com.br/v1" },
      }),
      200,
    );
    expect(changed).toMatchObject({ rag_enabled: true, rag_top_k: 8, agents_endpoint_url: "https://agents.acme.com.br/v1" });
    expect((await call(member, "PATCH", `/tenants/${acme}/settings`, { body: { rag_top_k: 3 } })).status).toBe(403);
    expect((await call(owner, "PATCH", `/tenants/${acme}/settings`, { body: { rag_top_k: 99 } })).status).toBe(422);
    expect((await call(owner, "PATCH", `/tenants/${acme}/settings`, { body: { agents_endpoint_url: "ftp://x" } })).status).toBe(422);
    expect((await call(owner, "PATCH", `/tenants/${acme}/settings`, { body: { rag_enabled: "yes" } })).status).toBe(422);
    expect((await call(owner, "GET", `/tenants/${other}/settings`)).status).toBe(404);
  });
});

describe("members", () => {
  it("lists the tenant's members with their profiles, to every member, searchable", async () => {
    const page = await expectStatus(call(analyst, "GET", "/members", { tenant: acme }), 200);
    expect(page.total).toBeGreaterThanOrEqual(4);
    expect(page.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user_id: owner.id, email: owner.email, role: "owner" }),
        expect.objectContaining({ user_id: analyst.id, role: "analyst" }),
      ]),
    );
    const found = await expectStatus(call(owner, "GET", `/members?search=${encodeURIComponent(member.email)}`, { tenant: acme }), 200);
    expect(found.items.map((item: { user_id: string }) => item.user_id)).toEqual([member.id]);
    const admins = await expectStatus(call(owner, "GET", "/members?role=admin", { tenant: acme }), 200);
    expect(admins.items.map((item: { user_id: string }) => item.user_id)).toEqual([admin.id]);
  });

  it("answers 404 tenant_not_found for another company in X-Tenant-Id, 400 for a malformed one", async () => {
    const answer = await call(owner, "GET", "/members", { tenant: other });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe("tenant_not_found");
    expect((await call(owner, "GET", "/members", { tenant: "acme" })).status).toBe(400);
  });

  it("lets owners and admins change roles; members and analysts get 403", async () => {
    const temp = await person("temp-role");
    await addMember(sql, acme, temp, "member");
    const changed = await expectStatus(call(admin, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "analyst" } }), 200);
    expect(changed).toMatchObject({ user_id: temp.id, role: "analyst", email: temp.email });
    const refused = await call(member, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "admin" } });
    expect(refused.status).toBe(403);
    expect((await call(analyst, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "admin" } })).status).toBe(403);
    const [row] = await sql`select role from public.memberships where tenant_id = ${acme} and user_id = ${temp.id}`;
    expect(row.role).toBe("analyst");
  });

  it("only lets owners make owners", async () => {
    const temp = await person("temp-owner");
    await addMember(sql, acme, temp, "member");
    const refused = await call(admin, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "owner" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("owner");
    await expectStatus(call(owner, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "owner" } }), 200);
    await expectStatus(call(temp, "PATCH", `/members/${temp.id}`, { tenant: acme, body: { role: "member" } }), 200);
  });

  it("keeps at least one owner: the last owner cannot step down (422)", async () => {
    const answer = await call(owner, "PATCH", `/members/${owner.id}`, { tenant: acme, body: { role: "admin" } });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toContain("at least one owner");
  });

  it("answers 404 for a person of another company, and 422 for a bad role or an unknown field", async () => {
    expect((await call(owner, "PATCH", `/members/${outsider.id}`, { tenant: acme, body: { role: "analyst" } })).status).toBe(404);
    expect((await call(owner, "PATCH", `/members/${member.id}`, { tenant: acme, body: { role: "god" } })).status).toBe(422);
    expect((await call(owner, "PATCH", `/members/${member.id}`, { tenant: acme, body: { role: "member", tenant_id: other } })).status)
      .toBe(422);
    const [row] = await sql`select role from public.memberships where tenant_id = ${other} and user_id = ${outsider.id}`;
    expect(row.role).toBe("owner");
  });

  it("lets owners and admins remove members, and anyone leave; others get 403", async () => {
    const [leaver, removed] = await Promise.all([person("leaver"), person("removed")]);
    await addMember(sql, acme, leaver, "member");
    await addMember(sql, acme, removed, "analyst");
    expect((await call(member, "DELETE", `/members/${removed.id}`, { tenant: acme })).status).toBe(403);
    expect((await call(admin, "DELETE", `/members/${removed.id}`, { tenant: acme })).status).toBe(204);
    expect((await call(leaver, "DELETE", `/members/${leaver.id}`, { tenant: acme })).status).toBe(204);
    const rows = await sql`select user_id from public.memberships where tenant_id = ${acme} and user_id in ${sql([leaver.id, removed.id])}`;
    expect(rows).toHaveLength(0);
    expect((await call(owner, "DELETE", `/members/${outsider.id}`, { tenant: acme })).status).toBe(404);
  });
});

describe("invitations", () => {
  it("lets owners and admins invite, and e-mails the invitation (accepting: api-invitations.test.ts)", async () => {
    const email = uniqueEmail("invitee");
    const invitation = await expectStatus(
      call(admin, "POST", "/members/invitations", { tenant: acme, body: { email: email.toUpperCase(), role: "analyst" } }),
      201,
    );
    expect(invitation).toMatchObject({ email, role: "analyst", tenant_id: acme, invited_by: admin.id, accepted_at: null });
    const listed = await expectStatus(call(owner, "GET", "/members/invitations", { tenant: acme }), 200);
    expect(listed.items.map((item: { id: string }) => item.id)).toContain(invitation.id);
    const mail = await fetch(`${stackEnv.apiUrl}/_stack/inbox?to=${encodeURIComponent(email)}`).then((answer) => answer.json());
    expect(mail.messages).toHaveLength(1);
  });

  it("refuses invitations from members and analysts (403), of owners by admins (403), and of bad emails (422)", async () => {
    const email = uniqueEmail("nobody");
    expect((await call(member, "POST", "/members/invitations", { tenant: acme, body: { email } })).status).toBe(403);
    expect((await call(analyst, "POST", "/members/invitations", { tenant: acme, body: { email } })).status).toBe(403);
    expect((await call(admin, "POST", "/members/invitations", { tenant: acme, body: { email, role: "owner" } })).status).toBe(403);
    expect((await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: "not-an-email" } })).status).toBe(422);
    const [{ count }] = await sql`select count(*)::int as count from public.invitations where email = ${email}`;
    expect(count).toBe(0);
    expect((await call(member, "GET", "/members/invitations", { tenant: acme })).status).toBe(403);
  });

  it("answers 409 for a second pending invitation and for someone already in the company", async () => {
    const email = uniqueEmail("twice");
    await expectStatus(call(owner, "POST", "/members/invitations", { tenant: acme, body: { email } }), 201);
    expect((await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email } })).status).toBe(409);
    expect((await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: member.email } })).status).toBe(409);
  });

  it("lists a signed-in person's invitations with the company's name, and accepts one", async () => {
    const existing = await person("existing");
    const invitation = await expectStatus(
      call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: existing.email, role: "member" } }),
      201,
    );
    const mine = await expectStatus(call(existing, "GET", "/invitations"), 200);
    expect(mine.items).toEqual([
      expect.objectContaining({ id: invitation.id, tenant_id: acme, tenant_name: "Acme Comércio Ltda", role: "member", invited_by_email: owner.email }),
    ]);
    const [{ token }] = await sql`select public.issue_invitation_token(${invitation.id}) as token`;
    expect((await call(outsider, "POST", `/invitations/${invitation.id}/accept`, { body: { token } })).status).toBe(403);
    const accepted = await expectStatus(call(existing, "POST", `/invitations/${invitation.id}/accept`, { body: { token } }), 200);
    expect(accepted).toMatchObject({ tenant_id: acme, user_id: existing.id, role: "member" });
    const again = await call(existing, "POST", `/invitations/${invitation.id}/accept`, { body: { token } });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe("invitation_already_used");
    expect((await expectStatus(call(existing, "GET", "/invitations"), 200)).items).toEqual([]);
  });

  it("lets owners and admins revoke a pending invitation", async () => {
    const invitation = await expectStatus(
      call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: uniqueEmail("revoked") } }),
      201,
    );
    expect((await call(member, "DELETE", `/members/invitations/${invitation.id}`, { tenant: acme })).status).toBe(403);
    expect((await call(outsider, "DELETE", `/members/invitations/${invitation.id}`, { tenant: other })).status).toBe(404);
    expect((await call(admin, "DELETE", `/members/invitations/${invitation.id}`, { tenant: acme })).status).toBe(204);
    expect((await call(admin, "DELETE", `/members/invitations/${invitation.id}`, { tenant: acme })).status).toBe(404);
  });
});

describe("GET /audit-log", () => {
  it("shows owners and admins their company's changes, newest first, and nothing of other companies", async () => {
    const page = await expectStatus(call(owner, "GET", "/audit-log?limit=50", { tenant: acme }), 200);
    expect(page.total).toBeGreaterThan(0);
    expect(page.items.every((entry: { tenant_id: string }) => entry.tenant_id === acme)).toBe(true);
    expect(page.items.map((entry: { table_name: string }) => entry.table_name)).toEqual(
      expect.arrayContaining(["tenants", "memberships"]),
    );
    const times = page.items.map((entry: { created_at: string }) => Date.parse(entry.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const filtered = await expectStatus(call(admin, "GET", "/audit-log?table_name=invitations&action=insert", { tenant: acme }), 200);
    expect(filtered.items.length).toBeGreaterThan(0);
    expect(filtered.items.every((entry: { table_name: string; action: string }) => entry.table_name === "invitations" && entry.action === "insert"))
      .toBe(true);
  });

  it("filters by when the entry was written: from inclusive, to exclusive", async () => {
    const [newest] = (await expectStatus(call(owner, "GET", "/audit-log?limit=1", { tenant: acme }), 200)).items;
    const at = encodeURIComponent(newest.created_at);
    const fromThen = await expectStatus(call(owner, "GET", `/audit-log?from=${at}&limit=100`, { tenant: acme }), 200);
    expect(fromThen.items.map((entry: { id: number }) => entry.id)).toContain(newest.id);
    expect(fromThen.items.every((entry: { created_at: string }) => Date.parse(entry.created_at) >= Date.parse(newest.created_at))).toBe(true);
    const beforeThen = await expectStatus(call(owner, "GET", `/audit-log?to=${at}&limit=100`, { tenant: acme }), 200);
    expect(beforeThen.items.map((entry: { id: number }) => entry.id)).not.toContain(newest.id);
    const all = await expectStatus(call(owner, "GET", "/audit-log?limit=1", { tenant: acme }), 200);
    expect(fromThen.total + beforeThen.total).toBe(all.total);
    const future = await expectStatus(call(owner, "GET", "/audit-log?from=2999-01-01", { tenant: acme }), 200);
    expect(future).toEqual({ items: [], total: 0, page: 1, limit: 20 });
    const invalid = await call(owner, "GET", "/audit-log?from=yesterday", { tenant: acme });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details).toEqual([expect.objectContaining({ path: "from" })]);
  });

  it("answers 403 to members and analysts", async () => {
    expect((await call(member, "GET", "/audit-log", { tenant: acme })).status).toBe(403);
    expect((await call(analyst, "GET", "/audit-log", { tenant: acme })).status).toBe(403);
    expect((await call(owner, "GET", "/audit-log?action=hack", { tenant: acme })).status).toBe(422);
  });
});

describe("admin panel and suspended companies", () => {
  it("answers 403 to people who are not platform admins", async () => {
    for (const path of ["/admin/tenants", `/admin/tenants/${acme}`]) {
      const answer = await call(owner, "GET", path);
      expect(answer.status, path).toBe(403);
    }
    expect((await call(owner, "PATCH", `/admin/tenants/${other}`, { body: { status: "suspended" } })).status).toBe(403);
    const [tenant] = await sql`select status from public.tenants where id = ${other}`;
    expect(tenant.status).toBe("active");
  });

  it("tells each person in their profile whether they are a platform admin", async () => {
    expect(await expectStatus(call(platformAdmin, "GET", "/me/profile"), 200)).toMatchObject({ id: platformAdmin.id, is_platform_admin: true });
    expect(await expectStatus(call(owner, "GET", "/me/profile"), 200)).toMatchObject({ id: owner.id, is_platform_admin: false });
    const refused = await call(owner, "PATCH", "/me", { body: { is_platform_admin: true } });
    expect(refused.status).toBe(422);
    expect(await expectStatus(call(owner, "GET", "/me/profile"), 200)).toMatchObject({ is_platform_admin: false });
  });

  it("lets a platform admin list and search every company, and open one with its members, audited", async () => {
    const [{ slug }] = await sql`select slug from public.tenants where id = ${acme}`;
    const page = await expectStatus(call(platformAdmin, "GET", `/admin/tenants?search=${slug}`), 200);
    expect(page).toMatchObject({ total: 1, page: 1, limit: 20 });
    expect(page.items[0]).toMatchObject({ id: acme, slug, status: "active", member_count: expect.any(Number) });
    const beyond = await expectStatus(call(platformAdmin, "GET", `/admin/tenants?search=${slug}&page=3`), 200);
    expect(beyond).toEqual({ items: [], total: 1, page: 3, limit: 20 });
    const tenant = await expectStatus(call(platformAdmin, "GET", `/admin/tenants/${acme}`), 200);
    expect(tenant.members).toEqual(expect.arrayContaining([{ user_id: owner.id, role: "owner", email: owner.email }]));
    expect((await call(platformAdmin, "GET", `/admin/tenants/${aUuid()}`)).status).toBe(404);
    const reads = await sql`
      select actor_role from public.audit_log
      where actor_id = ${platformAdmin.id} and action = 'read' and tenant_id = ${acme}`;
    expect(reads.length).toBeGreaterThan(0);
    expect(reads[0].actor_role).toBe("platform_admin");
  });

  it("does not let a platform admin read a company through the members' endpoints", async () => {
    expect((await call(platformAdmin, "GET", `/tenants/${acme}`)).status).toBe(404);
    expect((await call(platformAdmin, "GET", "/members", { tenant: acme })).status).toBe(404);
  });

  it("suspends a company: its people still read, nothing changes, until it is reactivated", async () => {
    const suspended = await expectStatus(call(platformAdmin, "PATCH", `/admin/tenants/${acme}`, { body: { status: "suspended" } }), 200);
    expect(suspended).toMatchObject({ id: acme, status: "suspended" });
    try {
      const read = await expectStatus(call(owner, "GET", `/tenants/${acme}`), 200);
      expect(read.status).toBe("suspended");
      expect((await call(analyst, "GET", "/members", { tenant: acme })).status).toBe(200);

      const rename = await call(owner, "PATCH", `/tenants/${acme}`, { body: { name: "Still here" } });
      expect(rename.status).toBe(403);
      expect(rename.body.error.message).toContain("suspended");
      const agent = await call(member, "POST", "/agents", { tenant: acme, body: { name: "Blocked", model: "demo-small" } });
      expect(agent.status).toBe(403);
      expect(agent.body.error.message).toContain("suspended");
      expect((await call(owner, "POST", "/members/invitations", { tenant: acme, body: { email: uniqueEmail("late") } })).status)
        .toBe(403);
      expect((await call(owner, "PATCH", `/members/${member.id}`, { tenant: acme, body: { role: "analyst" } })).status).toBe(403);
      const [{ count }] = await sql`select count(*)::int as count from public.agents where tenant_id = ${acme} and name = 'Blocked'`;
      expect(count).toBe(0);
      expect((await call(platformAdmin, "PATCH", `/admin/tenants/${acme}`, { body: { status: "paused" } })).status).toBe(422);
    } finally {
      await expectStatus(call(platformAdmin, "PATCH", `/admin/tenants/${acme}`, { body: { status: "active" } }), 200);
    }
    await expectStatus(call(owner, "PATCH", `/tenants/${acme}`, { body: { name: "Acme Comércio Ltda" } }), 200);
    const [change] = await sql`
      select actor_role, before ->> 'status' as before, after ->> 'status' as after from public.audit_log
      where table_name = 'tenants' and record_id = ${acme} and actor_id = ${platformAdmin.id} and action = 'update'
      order by id limit 1`;
    expect(change).toEqual({ actor_role: "platform_admin", before: "active", after: "suspended" });
  });
});
