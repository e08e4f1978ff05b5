// /settings: a person's own profile through the page's load and action, against the running stack.
import { beforeAll, describe, expect, it } from "vitest";
import { requestEvent, signUp, type Person } from "../../../tests/stack";
import { load as layoutLoad } from "../+layout.server";
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

describe("the profile in the header", () => {
  async function header() {
    // The person has no company yet: /tenants/new is a page the shell shows them.
    const data = (await layoutLoad((await requestEvent(person.jar, { path: "/tenants/new" })) as never)) as {
      account: { name: string | null; email: string; avatarUrl: string | null; isPlatformAdmin: boolean };
    };
    return data.account;
  }

  it("reads the name and photo from the profile, so a saved change shows at once", async () => {
    const photo = "https://images.example.test/carla.png";
    expect(await save({ full_name: "Carla Dias Prado", avatar_url: photo, locale: "pt-BR" })).toEqual({ notice: expect.objectContaining({ key: "settings.profileSaved" }) });
    expect(await header()).toEqual({ name: "Carla Dias Prado", email: person.email, avatarUrl: photo, isPlatformAdmin: false });
  });

  it("removes the photo when its address is left empty", async () => {
    await save({ full_name: "Carla Dias Prado", avatar_url: "   ", locale: "pt-BR" });
    expect(await loadProfile()).toMatchObject({ avatar_url: null });
    expect((await header()).avatarUrl).toBeNull();
  });

  it("refuses a photo address that is not http(s), naming the field, and keeps the old one", async () => {
    await save({ full_name: "Carla Dias Prado", avatar_url: "https://images.example.test/ok.png", locale: "pt-BR" });
    const answer = (await save({ full_name: "Carla", avatar_url: "javascript:alert(1)", locale: "pt-BR" })) as {
      status: number;
      data: { fields: Record<string, string>; values: Record<string, string> };
    };
    expect(answer.status).toBe(422);
    expect(answer.data.fields).toEqual({ avatar_url: "Must be an http(s) URL." });
    expect(answer.data.values.avatar_url).toBe("javascript:alert(1)");
    expect(await header()).toMatchObject({ name: "Carla Dias Prado", avatarUrl: "https://images.example.test/ok.png" });
  });
});
