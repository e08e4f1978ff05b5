// PATCH /me and GET /me/profile over HTTP, through the gateway, as people who signed up with
// supabase-js: a person changes their own name, avatar and language, and nothing else of theirs
// or anyone else's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiUser, call, cleanUp, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let ana: ApiUser;
let bruno: ApiUser;

beforeAll(async () => {
  [ana, bruno] = await Promise.all([signUp("me-ana"), signUp("me-bruno")]);
  people.push(ana, bruno);
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

async function profileRow(user: ApiUser) {
  const [row] = await sql`select full_name, avatar_url, locale, is_platform_admin from public.profiles where id = ${user.id}`;
  return row;
}

describe("GET /me/profile", () => {
  it("answers the caller's own profile, Portuguese by default", async () => {
    const body = await expectStatus(call(ana, "GET", "/me/profile"), 200);
    expect(body).toEqual({
      id: ana.id,
      email: ana.email,
      full_name: null,
      avatar_url: null,
      locale: "pt-BR",
      is_platform_admin: false,
      updated_at: expect.any(String),
    });
  });
});

describe("PATCH /me", () => {
  it("changes the name (trimmed), the avatar and the language, and keeps what was not sent", async () => {
    const body = await expectStatus(call(ana, "PATCH", "/me", { body: { full_name: "  Ana Souza  ", avatar_url: "https://example.com/ana.png" } }), 200);
    expect(body).toMatchObject({ id: ana.id, full_name: "Ana Souza", avatar_url: "https://example.com/ana.png", locale: "pt-BR" });
    const again = await expectStatus(call(ana, "PATCH", "/me", { body: { locale: "en" } }), 200);
    expect(again).toMatchObject({ full_name: "Ana Souza", avatar_url: "https://example.com/ana.png", locale: "en" });
    expect(await profileRow(ana)).toMatchObject({ full_name: "Ana Souza", locale: "en" });
  });

  it("clears the name and the avatar when sent empty or null", async () => {
    const body = await expectStatus(call(ana, "PATCH", "/me", { body: { full_name: "", avatar_url: null } }), 200);
    expect(body).toMatchObject({ full_name: null, avatar_url: null, locale: "en" });
  });

  it("refuses what is too long, not an http(s) URL, an unknown language, another column or nothing at all, naming the fields", async () => {
    const cases: [unknown, string][] = [
      [{ full_name: "x".repeat(201) }, "full_name"],
      [{ avatar_url: "javascript:alert(1)" }, "avatar_url"],
      [{ avatar_url: `https://example.com/${"a".repeat(2048)}` }, "avatar_url"],
      [{ locale: "es" }, "locale"],
    ];
    for (const [body, field] of cases) {
      const answer = await call(ana, "PATCH", "/me", { body });
      expect(answer.status).toBe(422);
      expect(answer.body.error.code).toBe("validation_failed");
      expect(answer.body.error.details.map((detail: { path: string }) => detail.path)).toContain(field);
    }
    expect((await call(ana, "PATCH", "/me", { body: { is_platform_admin: true } })).status).toBe(422);
    expect((await call(ana, "PATCH", "/me", { body: { email: "outro@example.com" } })).status).toBe(422);
    expect((await call(ana, "PATCH", "/me", { body: {} })).status).toBe(422);
    expect(await profileRow(ana)).toMatchObject({ full_name: null, is_platform_admin: false, locale: "en" });
  });

  it("changes only the caller's own profile, and nobody's without a session", async () => {
    await expectStatus(call(bruno, "PATCH", "/me", { body: { full_name: "Bruno Lima" } }), 200);
    expect(await profileRow(ana)).toMatchObject({ full_name: null });
    expect(await profileRow(bruno)).toMatchObject({ full_name: "Bruno Lima", locale: "pt-BR" });
    expect((await call(null, "PATCH", "/me", { body: { full_name: "Ninguém" } })).status).toBe(401);
  });
});
