// Signing in and up through the login page's actions, against the stack's Auth.
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions } from "./+page.server";

let person: Person;

beforeAll(async () => {
  person = await signUp("login");
});

async function signIn(email: string, password: string, path = "/login", clientAddress?: string) {
  const jar = new CookieJar();
  const event = await requestEvent(jar, { path, method: "POST", form: { email, password }, clientAddress });
  return { jar, run: () => actions.signin(event as never) };
}

describe("signing in", () => {
  it("with a wrong password is refused with a reason the page can put in words", async () => {
    const { jar, run } = await signIn(person.email, "not-the-password");
    const answer = (await run()) as { status: number; data: { form: string; error: string; email: string } };
    expect(answer.status).toBe(400);
    expect(answer.data).toEqual({ form: "signin", error: "invalid_credentials", email: person.email });
    expect(jar.getAll().filter((cookie) => cookie.name.startsWith("sb-"))).toEqual([]);
  });

  it("with the right password sets the session cookies and goes where the person was going", async () => {
    const { jar, run } = await signIn(person.email, person.password, "/login?redirectTo=%2Fagents");
    expect(await expectRedirect(run)).toBe("/agents");
    expect(jar.getAll().some((cookie) => cookie.name.startsWith("sb-"))).toBe(true);
  });

  it("never redirects to another site", async () => {
    const { run } = await signIn(person.email, person.password, "/login?redirectTo=%2F%2Fevil.example");
    expect(await expectRedirect(run)).toBe("/");
  });
});

describe("sign-in limits per browser (AUTH_FORWARD_CLIENT_IP)", () => {
  it("forwards each browser's address to Auth, so one guessing browser is stopped and others are not", async () => {
    process.env.AUTH_FORWARD_CLIENT_IP = "true";
    try {
      const errors: string[] = [];
      for (let i = 0; i < 40; i++) {
        const answer = (await (await signIn(person.email, `wrong-${i}`, "/login", "203.0.113.77")).run()) as { data: { error: string } };
        errors.push(answer.data.error);
      }
      expect(errors.slice(0, 30)).toEqual(Array(30).fill("invalid_credentials"));
      expect(errors.slice(-3)).toEqual(Array(3).fill("over_request_rate_limit"));
      const { run } = await signIn(person.email, person.password, "/login", "203.0.113.78");
      expect(await expectRedirect(run)).toBe("/");
    } finally {
      delete process.env.AUTH_FORWARD_CLIENT_IP;
    }
  });
});

describe("signing up", () => {
  it("twice with the same email says the account exists", async () => {
    const event = await requestEvent(new CookieJar(), { path: "/login", method: "POST", form: { email: person.email, password: "another-password" } });
    const answer = (await actions.signup(event as never)) as { data: { error: string } };
    expect(answer.data.error).toBe("user_already_exists");
  });
});
