// The analytics page's load against the running stack: a new company sees the last 30 days with no
// runs and when the views were refreshed; a range or an inbox the API refuses is an error page, not
// a blank one.
import { beforeAll, describe, expect, it } from "vitest";
import { defaultRange } from "$lib/analytics";
import { expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as newTenant } from "../tenants/new/+page.server";
import { load as analyticsLoad } from "./+page.server";

let owner: Person;

type AnalyticsData = Exclude<Awaited<ReturnType<typeof analyticsLoad>>, void>;

beforeAll(async () => {
  owner = await signUp("analytics");
  const event = await requestEvent(owner.jar, { path: "/tenants/new", method: "POST", form: { name: "Análises", slug: `analises-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
});

describe("the analytics page", () => {
  it("shows a new company the last 30 days, nothing run, and when the numbers were refreshed", async () => {
    const data = (await analyticsLoad((await requestEvent(owner.jar, { path: "/analytics" })) as never)) as AnalyticsData;
    expect(data.range).toEqual(defaultRange());
    expect(data.inboxId).toBeNull();
    expect(data.inboxes).toEqual([]);
    expect(data.teams).toEqual([]);
    expect(data.agents).toEqual([]);
    expect(data.funnel).toEqual([]);
    expect(data.responseTimes).toEqual([]);
    expect(data.dataAsOf === null || !Number.isNaN(Date.parse(data.dataAsOf))).toBe(true);
  });

  it("answers a range the API refuses with an error page", async () => {
    const event = await requestEvent(owner.jar, { path: "/analytics?from=2026-12-01&to=2026-11-01" });
    await expect(analyticsLoad(event as never)).rejects.toMatchObject({ status: 422 });
  });

  it("answers an inbox filter naming no inbox of the company with a not-found page, and a malformed one with 422", async () => {
    const missing = await requestEvent(owner.jar, { path: "/analytics?inbox=00000000-0000-4000-8000-000000000000" });
    await expect(analyticsLoad(missing as never)).rejects.toMatchObject({ status: 404 });
    const malformed = await requestEvent(owner.jar, { path: "/analytics?inbox=all" });
    await expect(analyticsLoad(malformed as never)).rejects.toMatchObject({ status: 422 });
  });
});
