// A person's first company, through the pages' loads and actions, against the running stack.
import { beforeAll, describe, expect, it } from "vitest";
import { expectRedirect, requestEvent, signUp, type Person } from "../../tests/stack";
import { load as layoutLoad } from "./+layout.server";
import { actions as newTenant } from "./tenants/new/+page.server";

let person: Person;

beforeAll(async () => {
  person = await signUp("company");
});

async function createCompany(form: Record<string, string>) {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form });
  return newTenant.default(event as never);
}

describe("someone without a company", () => {
  it("is sent to create one from any page", async () => {
    const event = await requestEvent(person.jar, { path: "/agents" });
    expect(await expectRedirect(() => layoutLoad(event as never))).toBe("/tenants/new");
  });

  it("is told which fields to fix, with what they typed kept", async () => {
    const answer = (await createCompany({ name: "", slug: "Not A Slug", tax_id: "123" })) as {
      status: number;
      data: { code: string; fields: Record<string, string>; values: Record<string, string> };
    };
    expect(answer.status).toBe(422);
    expect(answer.data.code).toBe("validation_failed");
    expect(Object.keys(answer.data.fields).sort()).toEqual(["name", "slug", "tax_id"]);
    expect(answer.data.values.slug).toBe("Not A Slug");
  });

  it("creates one, becomes its owner and works in it from then on", async () => {
    const slug = `empresa-${Date.now()}`;
    expect(await expectRedirect(() => createCompany({ name: "Empresa de Teste", slug }))).toBe("/");
    const tenantId = person.jar.get("renum-tenant");
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

    const data = (await layoutLoad((await requestEvent(person.jar, { path: "/" })) as never)) as {
      tenant: { id: string; name: string; role: string };
      tenants: unknown[];
    };
    expect(data.tenant).toMatchObject({ id: tenantId, name: "Empresa de Teste", role: "owner" });
    expect(data.tenants).toHaveLength(1);
  });

  it("is told when the address is already taken", async () => {
    const slug = `tomado-${Date.now()}`;
    await expectRedirect(() => createCompany({ name: "Primeira", slug }));
    const answer = (await createCompany({ name: "Segunda", slug })) as { status: number; data: { code: string } };
    expect(answer.status).toBe(409);
    expect(answer.data.code).toBe("conflict");
  });
});
