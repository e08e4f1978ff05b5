// Provider keys through the settings page: stored, shown by their last four characters only,
// replaced, deleted. The key itself never comes back to the page.
import { beforeAll, describe, expect, it } from "vitest";
import { expectRedirect, requestEvent, signUp, type Person } from "../../../../tests/stack";
import { actions as newTenant } from "../../tenants/new/+page.server";
import { actions, load } from "./+page.server";

let person: Person;
const secret = `sk-test-${crypto.randomUUID()}-WXYZ`;

beforeAll(async () => {
  person = await signUp("keys");
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name: "Chaves", slug: `chaves-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
});

async function post(action: "save" | "delete" | "test" | "share", form: Record<string, string>) {
  const event = await requestEvent(person.jar, { path: `/settings/keys?/${action}`, method: "POST", form });
  return actions[action](event as never) as Promise<unknown>;
}

async function keysPage() {
  return (await load((await requestEvent(person.jar, { path: "/settings/keys" })) as never)) as {
    keys: { id: string; service: string; key_last_four: string; tenant_id: string | null; endpoint_url: string | null; is_shared: boolean }[];
    companyKeys: { id: string; is_shared: boolean; owner: { email: string | null } }[] | null;
  };
}

describe("a provider key", () => {
  it("is stored for the company and answered with its last four characters", async () => {
    const answer = (await post("save", { service: "anthropic", api_key: secret, scope: "tenant" })) as { notice: { values: { lastFour: string } } };
    expect(answer.notice.values.lastFour).toBe("WXYZ");
    const page = await keysPage();
    expect(page.keys).toHaveLength(1);
    expect(page.keys[0]).toMatchObject({ service: "anthropic", key_last_four: "WXYZ", tenant_id: person.jar.get("renum-tenant") });
    expect(JSON.stringify(page)).not.toContain(secret.slice(0, -4));
  });

  it("is never sent back in a refused form", async () => {
    const answer = (await post("save", { service: "openai", api_key: "short", scope: "personal" })) as { status: number; data: { values: Record<string, string>; fields: Record<string, string> } };
    expect(answer.status).toBe(422);
    expect(answer.data.fields.api_key).toBe("Must have at least 8 characters.");
    expect(answer.data.values).not.toHaveProperty("api_key");
  });

  it("is replaced by saving another for the same service and scope", async () => {
    await post("save", { service: "anthropic", api_key: "sk-replacement-key-9876", scope: "tenant" });
    const page = await keysPage();
    expect(page.keys.map((key) => key.key_last_four)).toEqual(["9876"]);
  });

  it("is deleted", async () => {
    await post("delete", { service: "anthropic", scope: "tenant" });
    expect((await keysPage()).keys).toEqual([]);
  });

  it("for an endpoint-bound service needs the address it may be sent to, and keeps it", async () => {
    const refused = (await post("save", { service: "suna", api_key: "sk-suna-key-0001", scope: "tenant" })) as { status: number; data: { fields: Record<string, string> } };
    expect(refused.status).toBe(422);
    expect(refused.data.fields.endpoint_url).toContain("Required for suna keys");
    await post("save", { service: "suna", api_key: "sk-suna-key-0002", scope: "tenant", endpoint_url: "https://suna.example.com/api" });
    const page = await keysPage();
    expect(page.keys.find((key) => key.service === "suna")).toMatchObject({ endpoint_url: "https://suna.example.com/api", is_shared: false });
  });

  it("stored for the company is shared with the company's runs by its owner, from the company's list", async () => {
    const before = await keysPage();
    const suna = before.companyKeys?.find((key) => before.keys.some((own) => own.id === key.id && own.service === "suna"));
    expect(suna).toMatchObject({ is_shared: false, owner: { email: person.email } });
    const shared = (await post("share", { key_id: suna!.id, shared: "true" })) as { notice: { key: string } };
    expect(shared.notice.key).toBe("keys.company.sharedNotice");
    expect((await keysPage()).companyKeys?.find((key) => key.id === suna!.id)?.is_shared).toBe(true);
    await post("share", { key_id: suna!.id, shared: "false" });
    expect((await keysPage()).keys.find((key) => key.id === suna!.id)?.is_shared).toBe(false);
    await post("delete", { service: "suna", scope: "tenant" });
  });

  it("that does not exist cannot be tested", async () => {
    const answer = (await post("test", { service: "openai", scope: "personal" })) as { status: number; data: { code: string } };
    expect(answer.status).toBe(404);
    expect(answer.data.code).toBe("not_found");
  });
});
