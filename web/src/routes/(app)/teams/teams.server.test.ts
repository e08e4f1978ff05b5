// The team pages' loads and actions against the running stack: the wizard's definition created and
// edited (inputs with templates, conditions on variables, per-agent overrides round-tripping
// through the edit page's wizard), the list and its search, the API's refusals mapped to the wizard's fields (from zod and
// from the database's workflow check), starting a run, deleting, and another company's team.
import { beforeAll, describe, expect, it } from "vitest";
import type { Team, TeamDefinitionBody } from "$schemas/teams.ts";
import { definitionOf, draftFromTeam, stepOfPath } from "$lib/teams";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as newAgent } from "../agents/new/+page.server";
import { actions as newTenant } from "../tenants/new/+page.server";
import { actions as teamActions, load as teamLoad } from "./[id]/+page.server";
import { actions as editActions, load as editLoad } from "./[id]/edit/+page.server";
import { actions as executeActions } from "./[id]/execute/+page.server";
import { load as listLoad } from "./+page.server";
import { actions as newTeam, load as newTeamLoad } from "./new/+page.server";

let owner: Person;
let stranger: Person;
let triage: string;
let writer: string;

async function withCompany(person: Person, name: string): Promise<void> {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug: `${name.toLowerCase()}-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
}

async function createAgent(name: string): Promise<string> {
  const event = await requestEvent(owner.jar, {
    path: "/agents/new",
    method: "POST",
    form: { name, provider: "demo", model: "demo-small", system_prompt: "Responda curto.", status: "active" },
  });
  return (await expectRedirect(() => newAgent.default(event as never))).split("/").pop()!;
}

function definition(overrides: Partial<TeamDefinitionBody> = {}): TeamDefinitionBody {
  return {
    name: "Atendimento",
    description: "Triagem e resposta",
    is_active: true,
    workflow_type: "pipeline",
    config: { max_tokens: null, temperature: 0.4, timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: false },
    agents: [
      { agent_id: triage, role: "leader", execution_order: 1, input: { source: "initial_prompt" }, conditions: [], config: {} },
      { agent_id: writer, role: "member", execution_order: 2, input: { source: "agent_result", agent_id: triage }, conditions: [], config: {} },
    ],
    ...overrides,
  };
}

type Failure = { status: number; data: { code: string; fields: Record<string, string>; fieldRules?: Record<string, string> } };

async function submitNew(body: unknown): Promise<Failure | string> {
  const event = await requestEvent(owner.jar, { path: "/teams/new", method: "POST", form: { definition: JSON.stringify(body) } });
  try {
    return (await newTeam.default(event as never)) as unknown as Failure;
  } catch (thrown) {
    const location = (thrown as { location?: string }).location;
    if (location) return location;
    throw thrown;
  }
}

async function teamPage(person: Person, id: string) {
  const event = await requestEvent(person.jar, { path: `/teams/${id}`, params: { id } });
  return (await teamLoad(event as never)) as { team: { name: string; workflow_type: string; agents: { agent_id: string; execution_order: number; input: unknown }[]; config: { temperature: number | null } } };
}

let teamId: string;

beforeAll(async () => {
  owner = await signUp("teams-owner");
  stranger = await signUp("teams-stranger");
  await withCompany(owner, "Suporte");
  await withCompany(stranger, "Outra");
  triage = await createAgent("Triagem");
  writer = await createAgent("Redator");
});

describe("the wizard", () => {
  it("offers the company's agents to choose from", async () => {
    const event = await requestEvent(owner.jar, { path: "/teams/new" });
    const { agents } = (await newTeamLoad(event as never)) as { agents: { id: string; name: string }[] };
    expect(agents.map((agent) => agent.id).sort()).toEqual([triage, writer].sort());
  });

  it("creates the team it defined and opens its page", async () => {
    const location = await submitNew(definition());
    expect(location).toMatch(/^\/teams\/[0-9a-f-]{36}$/);
    teamId = (location as string).split("/").pop()!;
    const { team } = await teamPage(owner, teamId);
    expect(team).toMatchObject({ name: "Atendimento", workflow_type: "pipeline", config: { temperature: 0.4 } });
    expect(team.agents.map((member) => [member.agent_id, member.execution_order])).toEqual([[triage, 1], [writer, 2]]);
    expect(team.agents[1].input).toEqual({ source: "agent_result", agent_id: triage });
  });

  it("names the field the database refused, in the wizard's spelling: a second leader", async () => {
    const body = definition({ name: "Dois líderes" });
    body.agents[1].role = "leader";
    const answer = (await submitNew(body)) as Failure;
    expect(answer.status).toBe(422);
    expect(Object.keys(answer.data.fields)).toEqual(["agents.1.role"]);
    expect(answer.data.fields["agents.1.role"]).toContain("at most one leader or coordinator");
    // The rule's code travels with the field, so the wizard says it in the page's language.
    expect(answer.data.fieldRules).toEqual({ "agents.1.role": "team_one_leader" });
  });

  it("names the input that reads a later agent's result", async () => {
    const body = definition({ name: "Ao contrário" });
    body.agents[0].input = { source: "agent_result", agent_id: writer };
    body.agents[1].input = { source: "initial_prompt" };
    const answer = (await submitNew(body)) as Failure;
    expect(answer.status).toBe(422);
    expect(Object.keys(answer.data.fields)).toEqual(["agents.0.input.agent_id"]);
    expect(answer.data.fields["agents.0.input.agent_id"]).toContain("a pipeline only feeds forward");
  });

  it("names settings and references the API's own checks refuse", async () => {
    const outsider = "00000000-0000-4000-8000-000000000000";
    const body = definition({ name: "Fora", config: { temperature: 3 } });
    body.agents[1].conditions = [{ field: `agents.${outsider}.output`, operator: "contains", value: "x" }];
    const answer = (await submitNew(body)) as Failure;
    expect(answer.status).toBe(422);
    expect(answer.data.fields).toMatchObject({
      "config.temperature": "Must be between 0 and 2.",
      "agents.1.conditions.0.field": expect.stringContaining("not among this team's agents"),
    });
  });

  it("refuses a submission without a definition", async () => {
    const event = await requestEvent(owner.jar, { path: "/teams/new", method: "POST", form: { definition: "{not json" } });
    expect(((await newTeam.default(event as never)) as unknown as Failure).status).toBe(400);
  });
});

describe("the teams list", () => {
  it("shows the team with its strategy and agent count, and finds it by name", async () => {
    const list = async (query = "") =>
      ((await listLoad((await requestEvent(owner.jar, { path: `/teams${query}` })) as never)) as { teams: { total: number; items: { name: string; workflow_type: string; agent_count: number; is_active: boolean }[] } }).teams;
    expect((await list()).items).toEqual([expect.objectContaining({ name: "Atendimento", workflow_type: "pipeline", agent_count: 2, is_active: true })]);
    expect((await list("?search=atend")).total).toBe(1);
    expect((await list("?search=nada")).total).toBe(0);
  });
});

describe("editing a team", () => {
  it("fills the wizard with the team and replaces its definition", async () => {
    const loaded = (await editLoad((await requestEvent(owner.jar, { path: `/teams/${teamId}/edit`, params: { id: teamId } })) as never)) as { team: { name: string } };
    expect(loaded.team.name).toBe("Atendimento");
    const body = definition({ name: "Atendimento 2", workflow_type: "sequential" });
    body.agents = [body.agents[1], body.agents[0]].map((member, index) => ({ ...member, execution_order: index + 1, input: { source: "initial_prompt" as const } }));
    const event = await requestEvent(owner.jar, { path: `/teams/${teamId}/edit`, method: "POST", params: { id: teamId }, form: { definition: JSON.stringify(body) } });
    expect(await expectRedirect(() => editActions.default(event as never))).toBe(`/teams/${teamId}`);
    const { team } = await teamPage(owner, teamId);
    expect(team.name).toBe("Atendimento 2");
    expect(team.agents.map((member) => member.agent_id)).toEqual([writer, triage]);
  });
});

describe("running a team", () => {
  it("starts a run with the prompt and variables and goes to it", async () => {
    const event = await requestEvent(owner.jar, {
      path: `/teams/${teamId}/execute`,
      method: "POST",
      params: { id: teamId },
      form: { initial_prompt: "Responda ao cliente", variable_name: ["cliente", ""], variable_value: ["Ana", "ignorado"] },
    });
    expect(await expectRedirect(() => executeActions.default(event as never))).toMatch(/^\/executions\/[0-9a-f-]{36}$/);
  });

  it("names an empty prompt", async () => {
    const event = await requestEvent(owner.jar, { path: `/teams/${teamId}/execute`, method: "POST", params: { id: teamId }, form: { initial_prompt: "  " } });
    const answer = (await executeActions.default(event as never)) as unknown as Failure;
    expect(answer.status).toBe(422);
    expect(answer.data.fields.initial_prompt).toBe("Must not be empty.");
  });
});

describe("another company's team", () => {
  it("is not found, like a team that does not exist", async () => {
    const foreign = await expectHttpError(() => teamPage(stranger, teamId));
    expect(foreign.status).toBe(404);
    expect((await expectHttpError(() => teamPage(stranger, "not-an-id"))).status).toBe(404);
  });
});

describe("deleting a team", () => {
  it("is done by an owner once its runs are over, and the team is gone", async () => {
    const event = await requestEvent(owner.jar, { path: `/teams/${teamId}?/delete`, method: "POST", params: { id: teamId } });
    // The run started above may still be in flight (409): wait for it to end.
    let location = "";
    for (let attempt = 0; attempt < 30 && !location; attempt++) {
      const retry = await requestEvent(owner.jar, { path: `/teams/${teamId}?/delete`, method: "POST", params: { id: teamId } });
      try {
        const answer = (await teamActions.delete(attempt === 0 ? (event as never) : (retry as never))) as unknown as Failure;
        expect(answer.status).toBe(409);
        await new Promise((resolve) => setTimeout(resolve, 500));
      } catch (thrown) {
        location = (thrown as { location?: string }).location ?? "";
        if (!location) throw thrown;
      }
    }
    expect(location).toBe("/teams");
    expect((await expectHttpError(() => teamPage(owner, teamId))).status).toBe(404);
  });
});

describe("inputs, conditions and overrides through the wizard's form", () => {
  let reviewer: string;
  beforeAll(async () => {
    reviewer = await createAgent("Revisor");
  });

  function workflow(): TeamDefinitionBody {
    return definition({
      name: `Condicional ${Date.now()}`,
      workflow_type: "conditional",
      config: { max_tokens: 4000, temperature: 0.5, timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: true },
      agents: [
        { agent_id: triage, role: "member", execution_order: 1, input: { source: "initial_prompt" }, conditions: [], config: { tools: [] } },
        {
          agent_id: writer,
          role: "member",
          execution_order: 2,
          input: {
            source: "combined",
            sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: triage }, { type: "variable", name: "cliente" }],
            template: `Cliente {{variables.cliente}} pediu: {{initial_prompt}}\nTriagem: {{agent:${triage}}}`,
          },
          conditions: [
            { field: "variables.prioridade", operator: "equals", value: "alta" },
            { field: "context.nota", operator: "greater_than", value: 0.5 },
            { field: `agents.${triage}.status`, operator: "equals", value: "succeeded" },
            { field: "variables.vip", operator: "equals", value: true },
          ],
          config: { temperature: 0.25, max_tokens: 1500 },
        },
        { agent_id: reviewer, role: "leader", execution_order: 3, input: { source: "agent_result", agent_id: writer }, conditions: [], config: {} },
      ],
    });
  }

  it("stores them as sent, and the edit page's wizard sends them back unchanged", async () => {
    const body = workflow();
    const location = (await submitNew(body)) as string;
    expect(location).toMatch(/^\/teams\/[0-9a-f-]{36}$/);
    const id = location.split("/").pop()!;

    const loaded = (await editLoad((await requestEvent(owner.jar, { path: `/teams/${id}/edit`, params: { id } })) as never)) as {
      team: Team;
      agents: { id: string; temperature: number; max_tokens: number; tools: string[] }[];
    };
    const stored = [...loaded.team.agents].sort((a, b) => a.execution_order - b.execution_order);
    expect(stored.map(({ input, conditions, config }) => ({ input, conditions, config }))).toEqual(
      body.agents.map(({ input, conditions, config }) => ({ input, conditions, config })),
    );
    // The wizard shows each agent's own settings beside its overrides.
    expect(loaded.agents.find((agent) => agent.id === writer)).toMatchObject({ temperature: expect.any(Number), max_tokens: expect.any(Number), tools: [] });

    for (const locale of ["pt-BR", "en"] as const) {
      const again = definitionOf(draftFromTeam(loaded.team, locale), locale);
      expect(again).toEqual(body);
      const event = await requestEvent(owner.jar, { path: `/teams/${id}/edit`, method: "POST", params: { id }, form: { definition: JSON.stringify(again) } });
      expect(await expectRedirect(() => editActions.default(event as never))).toBe(`/teams/${id}`);
    }
    const { team } = await teamPage(owner, id);
    expect((team as unknown as Team).agents.find((member) => member.agent_id === writer)?.config).toEqual({ temperature: 0.25, max_tokens: 1500 });
  });

  it("names a template, an agent's temperature and a condition's variable where the wizard shows them", async () => {
    const body = workflow();
    const writerInput = body.agents[1].input;
    if (writerInput?.source === "combined") writerInput.template = "x".repeat(20_001);
    body.agents[0].config = { temperature: 3 };
    body.agents[2].conditions = [{ field: "variables.1prioridade", operator: "equals", value: "alta" }];
    const answer = (await submitNew(body)) as Failure;
    expect(answer.status).toBe(422);
    expect(answer.data.fields).toEqual({
      "agents.1.input.template": "Must have at most 20000 characters.",
      "agents.0.config.temperature": "Must be between 0 and 2.",
      "agents.2.conditions.0.field": expect.stringContaining("variables.<name>"),
    });
    expect(["agents.1.input.template", "agents.0.config.temperature", "agents.2.conditions.0.field"].map(stepOfPath)).toEqual(["workflow", "config", "workflow"]);
  });

  it("names a condition on an agent that runs later, as the database found it", async () => {
    const body = workflow();
    body.agents[1].conditions = [{ field: `agents.${reviewer}.output`, operator: "contains", value: "ok" }];
    const answer = (await submitNew(body)) as Failure;
    expect(answer.status).toBe(422);
    expect(Object.keys(answer.data.fields)).toEqual(["agents.1.conditions.0.field"]);
    expect(answer.data.fields["agents.1.conditions.0.field"]).toContain("does not run before it");
  });
});
