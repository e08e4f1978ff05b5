// /settings: changing the password while signed in, through the page's action against the stack's Auth.
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as loginActions } from "../../(public)/login/+page.server";
import { actions } from "./+page.server";

let person: Person;

beforeAll(async () => {
  person = await signUp("password");
});

async function change(password: string, confirmation = password) {
  return actions.password((await requestEvent(person.jar, { path: "/settings", method: "POST", form: { password, confirmation } })) as never);
}

describe("changing the password in /settings", () => {
  it("checks the two fields on the server before asking Auth", async () => {
    expect(await change("senha-nova-1", "senha-nova-2")).toMatchObject({ status: 400, data: { form: "password", error: "mismatch" } });
    expect(await change("abc")).toMatchObject({ status: 400, data: { form: "password", error: "too_short" } });
    expect(await change(person.password)).toMatchObject({ status: 422, data: { form: "password", error: "same_password" } });
  });

  it("changes it: the new one signs in, the old one no longer does", async () => {
    expect(await change("senha-nova-1")).toEqual({ notice: expect.objectContaining({ key: "settings.passwordChanged" }) });
    const signIn = async (password: string) =>
      loginActions.signin((await requestEvent(new CookieJar(), { path: "/login", method: "POST", form: { email: person.email, password } })) as never);
    expect(await expectRedirect(() => signIn("senha-nova-1"))).toBe("/");
    expect(await signIn(person.password)).toMatchObject({ status: 400, data: { error: "invalid_credentials" } });
  });
});
