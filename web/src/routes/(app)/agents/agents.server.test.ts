// The agent pages' loads and actions against the running stack: create, list, search, edit (a new
// version), and another company's agent answering 404.
import { beforeAll, describe, expect, it } from "vitest";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as newTenant } from "../tenants/new/+page.server";
import { actions as agentActions, load as agentLoad } from "./[id]/+page.server";
import { load as listLoad } from "./+page.server";
import { actions as newAgent } from "./new/+page.server";

let owner: Person;
let stranger: Person;

async function withCompany(person: Person, name: string): Promise<string> {
  const slug = `${name.toLowerCase()}-${Date.now()}`;
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug } });
  await expectRedirect(() => newTenant.default(event as never));
  return slug;
}

async function createAgent(person: Person, form: Record<string, string>): Promise<string> {
  const event = await requestEvent(person.jar, { path: "/agents/new", method: "POST", form });
  const location = await expectRedirect(() => newAgent.default(event as never));
  expect(location).toMatch(/^\/agents\/[0-9a-f-]{36}$/);
  return location.split("/").pop()!;
}

async function list(person: Person, query = "") {
  const event = await requestEvent(person.jar, { path: `/agents${query}` });
  return (await listLoad(event as never)) as { agents: { items: { id: string; name: string }[]; total: number } };
}

async function agentPage(person: Person, id: string) {
  const event = await requestEvent(person.jar, { path: `/agents/${id}`, params: { id } });
  return agentLoad(event as never) as Promise<{ agent: { version: number; model: string }; versions: { items: { version: number }[] } }>;
}

let first: string;
let second: string;
let strangerSlug: string;

beforeAll(async () => {
  owner = await signUp("agents-owner");
  stranger = await signUp("agents-stranger");
  await withCompany(owner, "Vendas");
  strangerSlug = await withCompany(stranger, "Outra");
  first = await createAgent(owner, { name: "Atendente", provider: "demo", model: "demo-small", system_prompt: "Seja cordial.", tools: "" });
  second = await createAgent(owner, { name: "Redator", provider: "anthropic", model: "claude-haiku-4-5", temperature: "0,3", max_tokens: "2048" });
});

describe("the agents list", () => {
  it("shows the company's agents, newest change first", async () => {
    const { agents } = await list(owner);
    expect(agents.total).toBe(2);
    expect(agents.items.map((agent) => agent.name)).toEqual(["Redator", "Atendente"]);
  });

  it("finds agents by name", async () => {
    const { agents } = await list(owner, "?search=aten");
    expect(agents.items.map((agent) => agent.id)).toEqual([first]);
  });

  it("is empty for another company", async () => {
    expect((await list(stranger)).agents.total).toBe(0);
  });
});

describe("creating an agent", () => {
  it("keeps the decimal comma people type in Brazil", async () => {
    const page = await agentPage(owner, second);
    expect(page.agent).toMatchObject({ model: "claude-haiku-4-5", version: 1 });
    expect((page.agent as unknown as { temperature: number }).temperature).toBe(0.3);
  });

  it("names the fields the API refused and keeps what was typed", async () => {
    const event = await requestEvent(owner.jar, { path: "/agents/new", method: "POST", form: { name: "  ", model: "demo-small", temperature: "3" } });
    const answer = (await newAgent.default(event as never)) as { status: number; data: { fields: Record<string, string>; values: Record<string, string> } };
    expect(answer.status).toBe(422);
    expect(answer.data.fields).toMatchObject({ name: "Must not be empty.", temperature: "Must be between 0 and 2." });
    expect(answer.data.values.temperature).toBe("3");
  });
});

describe("editing an agent", () => {
  it("saves only what changed, as a new version in the history", async () => {
    const event = await requestEvent(owner.jar, {
      path: `/agents/${first}?/save`,
      method: "POST",
      params: { id: first },
      form: { name: "Atendente", provider: "demo", model: "demo-large", system_prompt: "Seja cordial.", status: "draft", type: "custom", temperature: "0.7", max_tokens: "1024" },
    });
    const answer = (await agentActions.save(event as never)) as { notice: { key: string; values: { version: number } } };
    expect(answer.notice).toEqual({ key: "agents.form.saved", values: { version: 2 }, tone: "success" });

    const page = await agentPage(owner, first);
    expect(page.agent).toMatchObject({ model: "demo-large", version: 2 });
    expect(page.versions.items.map((version) => version.version)).toEqual([2, 1]);
  });

  it("makes no version when nothing changed", async () => {
    const before = await agentPage(owner, second);
    const event = await requestEvent(owner.jar, {
      path: `/agents/${second}?/save`,
      method: "POST",
      params: { id: second },
      form: { name: "Redator", provider: "anthropic", model: "claude-haiku-4-5" },
    });
    expect(((await agentActions.save(event as never)) as { notice: { key: string } }).notice.key).toBe("common.saved");
    expect((await agentPage(owner, second)).agent.version).toBe(before.agent.version);
  });
});

describe("another company's agent", () => {
  it("is not found, exactly like an agent that does not exist", async () => {
    const foreign = await expectHttpError(() => agentPage(stranger, first));
    const missing = await expectHttpError(() => agentPage(stranger, "00000000-0000-4000-8000-000000000000"));
    expect(foreign).toEqual({ status: 404, body: { message: "Agent not found.", code: "not_found" } });
    expect(missing).toEqual(foreign);
  });

  it("cannot be changed through the edit action either", async () => {
    const event = await requestEvent(stranger.jar, { path: `/agents/${first}?/save`, method: "POST", params: { id: first }, form: { name: "Roubado" } });
    const answer = (await agentActions.save(event as never)) as { status: number };
    expect(answer.status).toBe(404);
    expect((await agentPage(owner, first)).agent.version).toBe(2);
  });

  it("answers 404 for an address that is not an id", async () => {
    expect((await expectHttpError(() => agentPage(owner, "not-an-id"))).status).toBe(404);
  });
});

describe("sharing an agent", () => {
  async function post(action: "share" | "revoke", form: Record<string, string>) {
    const event = await requestEvent(owner.jar, { path: `/agents/${second}?/${action}`, method: "POST", params: { id: second }, form });
    return agentActions[action](event as never) as Promise<unknown>;
  }

  it("with another company lets its people use it, read-only, until the access is removed", async () => {
    const shared = (await post("share", { grantee_kind: "company", grantee: strangerSlug.toUpperCase(), permission: "use" })) as { notice: { key: string } };
    expect(shared.notice.key).toBe("agents.sharing.shared");

    const ownerView = (await agentPage(owner, second)) as unknown as { shares: { id: string; grantee_tenant_slug: string; permission: string }[] };
    expect(ownerView.shares).toEqual([expect.objectContaining({ grantee_tenant_slug: strangerSlug, permission: "use" })]);

    const theirs = (await agentPage(stranger, second)) as unknown as { agent: { access: string }; shares: unknown[] };
    expect(theirs.agent.access).toBe("use");
    expect(theirs.shares).toEqual([]);
    expect((await list(stranger)).agents.items.map((agent) => agent.id)).toEqual([second]);

    await post("revoke", { share_id: ownerView.shares[0].id });
    expect((await expectHttpError(() => agentPage(stranger, second))).status).toBe(404);
  });

  it("with someone unknown says who was not found, on the form's one field", async () => {
    const answer = (await post("share", { grantee_kind: "person", grantee: "nobody-here@example.test" })) as {
      status: number;
      data: { form: string; fields: Record<string, string>; values: Record<string, string> };
    };
    expect(answer.status).toBe(404);
    expect(answer.data.form).toBe("share");
    expect(answer.data.values.grantee).toBe("nobody-here@example.test");
  });
});
