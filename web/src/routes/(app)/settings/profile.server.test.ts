// /settings: a person's own profile through the page's load and action, against the running stack.
import { beforeAll, describe, expect, it } from "vitest";
import { requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions, load } from "./+page.server";

let person: Person;

async function loadProfile() {
  const data = (await load((await requestEvent(person.jar, { path: "/settings" })) as never)) as { profile: { full_name: string | null; locale: string } };
  return data.profile;
}

async function save(form: Record<string, string>) {
  return actions.profile((await requestEvent(person.jar, { path: "/settings", method: "POST", form })) as never);
}

beforeAll(async () => {
  person = await signUp("profile");
});

describe("the profile form", () => {
  it("shows a new person's profile: the name they signed up with, Portuguese", async () => {
    expect(await loadProfile()).toMatchObject({ full_name: "Pessoa profile", locale: "pt-BR" });
  });

  it("saves the name and the preferred language, and switches the interface to it", async () => {
    expect(await save({ full_name: "Carla Dias", locale: "en" })).toEqual({ notice: expect.objectContaining({ key: "settings.profileSaved" }) });
    expect(await loadProfile()).toMatchObject({ full_name: "Carla Dias", locale: "en" });
    expect(person.jar.get("renum-locale")).toBe("en");
  });

  it("says which field is wrong and keeps what was typed", async () => {
    const answer = (await save({ full_name: "x".repeat(201), locale: "en" })) as {
      status: number;
      data: { form: string; fields: Record<string, string>; values: Record<string, string> };
    };
    expect(answer.status).toBe(422);
    expect(answer.data.form).toBe("profile");
    expect(Object.keys(answer.data.fields)).toEqual(["full_name"]);
    expect(answer.data.values.full_name).toHaveLength(201);
    expect(await loadProfile()).toMatchObject({ full_name: "Carla Dias" });
  });
});
