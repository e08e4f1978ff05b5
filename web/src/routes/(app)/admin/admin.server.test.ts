// /admin through its loads and action, against the running stack: only platform admins find it;
// they list, search and open companies and suspend one, which its people then see.
import { beforeAll, describe, expect, it } from "vitest";
import { makePlatformAdmin, tenantStatus } from "../../../tests/database";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { load as appLayoutLoad } from "../+layout.server";
import { actions as newTenant } from "../tenants/new/+page.server";
import { load as adminLayoutLoad } from "./+layout.server";
import { load as listLoad } from "./+page.server";
import { actions as tenantActions, load as tenantLoad } from "./tenants/[id]/+page.server";

let admin: Person;
let owner: Person;
let tenantId: string;
let slug: string;

/** A load of /admin... as SvelteKit runs it: the (app) layout, the admin layout, then the page. */
async function openAdmin(person: Person, path: string, page: (event: never) => unknown, params: Record<string, string> = {}) {
  const event = await requestEvent(person.jar, { path, params });
  const parent = async () => (await appLayoutLoad(event as never)) as never;
  await adminLayoutLoad({ ...event, parent } as never);
  return page(event as never);
}

async function changeStatus(person: Person, status: string) {
  const event = await requestEvent(person.jar, { path: `/admin/tenants/${tenantId}?/status`, method: "POST", form: { status }, params: { id: tenantId } });
  return tenantActions.status(event as never);
}

beforeAll(async () => {
  admin = await signUp("platform-admin");
  owner = await signUp("admin-target");
  await makePlatformAdmin(admin.email);
  slug = `alvo-${Date.now()}`;
  const event = await requestEvent(owner.jar, { path: "/tenants/new", method: "POST", form: { name: "Empresa Alvo", slug } });
  await expectRedirect(() => newTenant.default(event as never));
  tenantId = owner.jar.get("renum-tenant")!;
});

describe("someone who is not a platform admin", () => {
  it("finds no /admin: the list, a company and the status change are all not found", async () => {
    for (const [path, page, params] of [
      ["/admin", listLoad, {}],
      [`/admin/tenants/${tenantId}`, tenantLoad, { id: tenantId }],
    ] as const) {
      const { status } = await expectHttpError(() => openAdmin(owner, path, page as never, params));
      expect(status, path).toBe(404);
    }
    // Straight to the page's load, past the layout: the API's 403 is not-found too.
    const { status } = await expectHttpError(async () => listLoad((await requestEvent(owner.jar, { path: "/admin" })) as never));
    expect(status).toBe(404);
    expect((await expectHttpError(() => changeStatus(owner, "suspended"))).status).toBe(404);
    expect(await tenantStatus(tenantId)).toBe("active");
  });

  it("has no link to it", async () => {
    const data = (await appLayoutLoad((await requestEvent(owner.jar, { path: "/" })) as never)) as { account: { isPlatformAdmin: boolean } };
    expect(data.account.isPlatformAdmin).toBe(false);
  });
});

describe("a platform admin", () => {
  it("gets the link, even without a company of their own", async () => {
    const data = (await appLayoutLoad((await requestEvent(admin.jar, { path: "/admin" })) as never)) as { account: { isPlatformAdmin: boolean }; tenant: unknown };
    expect(data).toMatchObject({ account: { isPlatformAdmin: true }, tenant: null });
  });

  it("lists and searches every company, with its people counted", async () => {
    const all = (await openAdmin(admin, "/admin", listLoad)) as { tenants: { total: number; items: unknown[] }; search: string };
    expect(all.tenants.total).toBeGreaterThanOrEqual(1);
    const found = (await openAdmin(admin, `/admin?search=${slug}`, listLoad)) as { tenants: { total: number; items: { id: string; name: string; member_count: number; status: string }[] }; search: string };
    expect(found.search).toBe(slug);
    expect(found.tenants.total).toBe(1);
    expect(found.tenants.items[0]).toMatchObject({ id: tenantId, name: "Empresa Alvo", member_count: 1, status: "active" });
    const none = (await openAdmin(admin, "/admin?search=nada-parecido-com-isso", listLoad)) as { tenants: { total: number } };
    expect(none.tenants.total).toBe(0);
  });

  it("opens a company with its members; an unknown one is not found", async () => {
    const data = (await openAdmin(admin, `/admin/tenants/${tenantId}`, tenantLoad, { id: tenantId })) as { company: { name: string; members: { email: string; role: string }[] } };
    expect(data.company.name).toBe("Empresa Alvo");
    expect(data.company.members).toEqual([expect.objectContaining({ email: owner.email, role: "owner" })]);
    const missing = crypto.randomUUID();
    expect((await expectHttpError(() => openAdmin(admin, `/admin/tenants/${missing}`, tenantLoad, { id: missing }))).status).toBe(404);
    expect((await expectHttpError(() => openAdmin(admin, "/admin/tenants/not-an-id", tenantLoad, { id: "not-an-id" }))).status).toBe(404);
  });

  it("suspends a company, whose people then see it suspended and cannot change it, and reactivates it", async () => {
    expect(await changeStatus(admin, "suspended")).toEqual({ notice: expect.objectContaining({ key: "admin.statusChanged", values: { name: "Empresa Alvo", status: "suspended" } }) });
    try {
      expect(await tenantStatus(tenantId)).toBe("suspended");
      const seen = (await appLayoutLoad((await requestEvent(owner.jar, { path: "/" })) as never)) as { tenant: { id: string; status: string } };
      expect(seen.tenant).toMatchObject({ id: tenantId, status: "suspended" });
      const rename = await requestEvent(owner.jar, { path: "/settings/company?/details", method: "POST", form: { name: "Outro nome", slug } });
      const { actions: company } = await import("../settings/company/+page.server");
      const refused = (await company.details(rename as never)) as { status: number; data: { code: string; message: string } };
      expect(refused.status).toBe(403);
      expect(refused.data.code).toBe("tenant_read_only");
      expect(((await changeStatus(admin, "paused")) as { status: number }).status).toBe(422);
    } finally {
      await changeStatus(admin, "active");
    }
    expect(await tenantStatus(tenantId)).toBe("active");
  });
});
