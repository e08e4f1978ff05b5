// The request pipeline of hooks.server.ts against the real Auth of the running stack.
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, expectRedirect, requestEvent, signUp, type Person } from "../../tests/stack";

let person: Person;

beforeAll(async () => {
  person = await signUp("hooks");
});

describe("the auth guard", () => {
  it("sends someone without a session to /login, remembering where they were going", async () => {
    const location = await expectRedirect(() => requestEvent(new CookieJar(), { path: "/agents?search=vendas" }));
    expect(location).toBe("/login?redirectTo=%2Fagents%3Fsearch%3Dvendas");
  });

  it("lets anyone open /login", async () => {
    const event = await requestEvent(new CookieJar(), { path: "/login" });
    expect(event.locals.session).toBeNull();
  });

  it("trusts a session only after Supabase Auth confirms its user", async () => {
    const event = await requestEvent(person.jar, { path: "/" });
    expect(event.locals.user?.email).toBe(person.email);
    expect(event.locals.session?.access_token).toBeTruthy();
  });

  it("treats a session cookie whose token was tampered with as no session", async () => {
    // @supabase/ssr keeps the session as "base64-" + base64url(JSON), split into .0, .1, ... chunks when long.
    const chunks = person.jar.getAll().filter((cookie) => /^sb-.+-auth-token(\.\d+)?$/.test(cookie.name));
    chunks.sort((a, b) => Number(a.name.split(".")[1] ?? 0) - Number(b.name.split(".")[1] ?? 0));
    const name = chunks[0].name.replace(/\.\d+$/, "");
    const session = JSON.parse(Buffer.from(chunks.map((chunk) => chunk.value).join("").replace(/^base64-/, ""), "base64url").toString("utf8"));
    // Another signature: the token still decodes, and only Auth can tell it is not one it issued.
    const [header, payload] = session.access_token.split(".");
    session.access_token = `${header}.${payload}.${Buffer.from("forged-signature").toString("base64url")}`;

    const forged = new CookieJar();
    forged.set(name, `base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`, { path: "/" });
    expect(await expectRedirect(() => requestEvent(forged, { path: "/agents" }))).toBe("/login?redirectTo=%2Fagents");
  });

  it("sends a signed-in person away from /login", async () => {
    expect(await expectRedirect(() => requestEvent(person.jar, { path: "/login" }))).toBe("/");
  });
});

describe("the language", () => {
  it("is Brazilian Portuguese unless the person chose English", async () => {
    expect((await requestEvent(new CookieJar(), { path: "/login" })).locals.locale).toBe("pt-BR");
    const english = new CookieJar();
    english.set("renum-locale", "en", { path: "/" });
    expect((await requestEvent(english, { path: "/login" })).locals.locale).toBe("en");
  });
});
