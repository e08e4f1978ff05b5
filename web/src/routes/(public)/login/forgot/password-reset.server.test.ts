// Forgetting a password, end to end through the app's server code against the stack's Auth:
// /login/forgot's action, the email in the stack's inbox, /auth/confirm, /login/reset's load and
// action, and signing in again.
import { describe, expect, it } from "vitest";
import { sameOriginPath } from "$lib/server/auth-links";
import { CookieJar, expectRedirect, requestEvent, signUp } from "../../../../tests/stack";
import { emailsTo, linkInLatestEmail } from "../../../../tests/inbox";
import { actions as loginActions } from "../+page.server";
import { GET as confirm } from "../../../auth/confirm/+server";
import { actions as resetActions, load as resetLoad } from "../reset/+page.server";
import { actions as forgotActions } from "./+page.server";

async function askForLink(jar: CookieJar, email: string) {
  const event = await requestEvent(jar, { path: "/login/forgot", method: "POST", form: { email } });
  return forgotActions.default(event as never);
}

/** Opens the emailed link in `jar`'s browser: /auth/confirm with the link's query. */
async function openLink(jar: CookieJar, link: URL): Promise<string> {
  const event = await requestEvent(jar, { path: `${link.pathname}${link.search}` });
  return expectRedirect(() => confirm(event as never));
}

async function setPassword(jar: CookieJar, password: string, confirmation = password) {
  const event = await requestEvent(jar, { path: "/login/reset", method: "POST", form: { password, confirmation } });
  return resetActions.default(event as never);
}

async function signIn(email: string, password: string) {
  const event = await requestEvent(new CookieJar(), { path: "/login", method: "POST", form: { email, password } });
  return loginActions.signin(event as never);
}

describe("asking for a link", () => {
  it("gives the same answer with or without an account, and only an account gets an email", async () => {
    const person = await signUp("forgot");
    const stranger = `web-nobody-${Date.now()}@example.test`;
    expect(await askForLink(new CookieJar(), person.email)).toEqual({ sent: true, email: person.email });
    expect(await askForLink(new CookieJar(), stranger)).toEqual({ sent: true, email: stranger });
    expect(await emailsTo(stranger)).toEqual([]);

    const link = await linkInLatestEmail(person.email);
    expect(`${link.origin}${link.pathname}`).toBe("http://127.0.0.1:5173/auth/confirm");
    expect(link.searchParams.get("next")).toBe("/login/reset");
    expect(link.searchParams.get("type")).toBe("recovery");
    expect(link.searchParams.get("token_hash")).toMatch(/^pkce_[0-9a-f]{56}$/);
  });

  it("asks for the address when it is missing", async () => {
    const answer = (await askForLink(new CookieJar(), "  ")) as { status: number; data: { error: string } };
    expect(answer.status).toBe(400);
    expect(answer.data.error).toBe("missing_email");
  });
});

describe("following the link", () => {
  it("signs in, takes a new password checked on the server, and the old one stops working", async () => {
    const person = await signUp("reset");
    await askForLink(new CookieJar(), person.email);
    const link = await linkInLatestEmail(person.email);

    // Opened in another browser than the one that asked: the token hash needs no PKCE verifier.
    const browser = new CookieJar();
    expect(await openLink(browser, link)).toBe("/login/reset");
    const page = await resetLoad((await requestEvent(browser, { path: "/login/reset" })) as never);
    expect(page).toEqual({ email: person.email });

    expect(await setPassword(browser, "nova-senha-1", "outra-senha-1")).toMatchObject({ status: 400, data: { error: "mismatch" } });
    expect(await setPassword(browser, "curta")).toMatchObject({ status: 400, data: { error: "too_short" } });
    expect(await setPassword(browser, person.password)).toMatchObject({ status: 422, data: { error: "same_password" } });
    expect(await expectRedirect(() => setPassword(browser, "nova-senha-1"))).toBe("/");

    expect(await expectRedirect(() => signIn(person.email, "nova-senha-1"))).toBe("/");
    expect(await signIn(person.email, person.password)).toMatchObject({ status: 400, data: { error: "invalid_credentials" } });

    // The link worked once; opened again it offers a new one.
    expect(await openLink(new CookieJar(), link)).toBe("/login/forgot?expired=1");
  });

  it("sends a broken or missing link, and a visit without a session, to ask for a new one", async () => {
    const broken = new URL("http://127.0.0.1:5173/auth/confirm?token_hash=nope&type=recovery&next=/login/reset");
    expect(await openLink(new CookieJar(), broken)).toBe("/login/forgot?expired=1");
    expect(await openLink(new CookieJar(), new URL("http://127.0.0.1:5173/auth/confirm"))).toBe("/login/forgot?expired=1");
    const event = await requestEvent(new CookieJar(), { path: "/login/reset" });
    expect(await expectRedirect(() => resetLoad(event as never))).toBe("/login/forgot?expired=1");
  });

  it("goes on only to paths of this app", () => {
    const here = new URL("http://127.0.0.1:5173/auth/confirm");
    expect(sameOriginPath("/login/reset", here)).toBe("/login/reset");
    expect(sameOriginPath("/agents?page=2", here)).toBe("/agents?page=2");
    expect(sameOriginPath("//evil.example/x", here)).toBe("/");
    expect(sameOriginPath("/\\evil.example", here)).toBe("/");
    expect(sameOriginPath("https://evil.example/", here)).toBe("/");
    expect(sameOriginPath(null, here)).toBe("/");
  });
});
