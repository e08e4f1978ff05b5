// The team wizard's model, shared by the browser (the wizard and its diagram) and the server (the
// form action): a draft the person edits, the definition the API takes (POST/PUT /teams), the
// other way round for editing, and the workflow as a graph of nodes and edges for the diagram.
import type {
  ConditionOperator,
  Team,
  TeamAgentInput,
  TeamAgentRole,
  TeamDefinitionBody,
  WorkflowType,
} from "$schemas/teams.ts";

export interface DraftCondition {
  field: string;
  operator: ConditionOperator;
  /** As typed; sent as a number for greater_than/less_than when it is one. */
  value: string;
}

export interface DraftMember {
  agent_id: string;
  name: string;
  role: TeamAgentRole;
  input: TeamAgentInput;
  conditions: DraftCondition[];
}

export interface TeamDraft {
  name: string;
  description: string;
  is_active: boolean;
  workflow_type: WorkflowType;
  /** In execution order: the first runs first. */
  agents: DraftMember[];
  /** As typed (blank = the API's default or each agent's own). */
  config: { max_tokens: string; temperature: string; timeout_seconds: string; max_parallel_agents: string; continue_on_error: boolean };
}

export function emptyDraft(): TeamDraft {
  return {
    name: "",
    description: "",
    is_active: true,
    workflow_type: "sequential",
    agents: [],
    config: { max_tokens: "", temperature: "", timeout_seconds: "300", max_parallel_agents: "5", continue_on_error: false },
  };
}

/** A team read from the API, as the wizard edits it. */
export function draftFromTeam(team: Team): TeamDraft {
  const blank = (value: number | null) => (value === null ? "" : String(value));
  return {
    name: team.name,
    description: team.description,
    is_active: team.is_active,
    workflow_type: team.workflow_type,
    agents: [...team.agents]
      .sort((a, b) => a.execution_order - b.execution_order)
      .map((member) => ({
        agent_id: member.agent_id,
        name: member.name,
        role: member.role,
        input: member.input,
        conditions: member.conditions.map((condition) => ({ ...condition, value: String(condition.value) })),
      })),
    config: {
      max_tokens: blank(team.config.max_tokens),
      temperature: blank(team.config.temperature),
      timeout_seconds: String(team.config.timeout_seconds),
      max_parallel_agents: String(team.config.max_parallel_agents),
      continue_on_error: team.config.continue_on_error,
    },
  };
}

/** Text typed as a number ("0,7" as Brazilians write it); text that is not one goes on for the API to name. */
function typedNumber(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const number = Number(trimmed.replace(",", "."));
  return Number.isFinite(number) ? number : trimmed;
}

function conditionValue(condition: DraftCondition): string | number {
  if (condition.operator === "greater_than" || condition.operator === "less_than") {
    const number = typedNumber(condition.value);
    if (typeof number === "number") return number;
  }
  return condition.value;
}

/** The draft as POST/PUT /teams take it: execution order is the position in the list. */
export function definitionOf(draft: TeamDraft): TeamDefinitionBody {
  const config: Record<string, unknown> = { continue_on_error: draft.config.continue_on_error };
  for (const key of ["max_tokens", "temperature", "timeout_seconds", "max_parallel_agents"] as const) {
    const value = typedNumber(draft.config[key]);
    if (value !== undefined) config[key] = value;
    else if (key === "max_tokens" || key === "temperature") config[key] = null;
  }
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    is_active: draft.is_active,
    workflow_type: draft.workflow_type,
    config: config as TeamDefinitionBody["config"],
    agents: draft.agents.map((member, index) => ({
      agent_id: member.agent_id,
      role: member.role,
      execution_order: index + 1,
      input: member.input,
      conditions: member.conditions.map((condition) => ({ field: condition.field, operator: condition.operator, value: conditionValue(condition) })),
      config: {},
    })),
  };
}

/** The API's detail paths in one spelling: `agents[1].input.agent_id` (SQL) and `agents.1.input.agent_id` (zod) alike. */
export function normalisePath(path: string): string {
  return path.replace(/\[(\d+)\]/g, ".$1");
}

export type WizardStep = "basics" | "agents" | "workflow" | "config" | "review";
export const wizardSteps: WizardStep[] = ["basics", "agents", "workflow", "config", "review"];

/** Which step of the wizard shows the field an API path names. */
export function stepOfPath(path: string): WizardStep {
  const parts = normalisePath(path).split(".");
  if (parts[0] === "name" || parts[0] === "description" || parts[0] === "is_active") return "basics";
  if (parts[0] === "config") return "config";
  if (parts[0] === "agents") {
    if (parts.length <= 2 || parts[2] === "agent_id") return "agents";
    return "workflow";
  }
  if (parts[0] === "workflow_type" || parts[0] === "role" || parts[0] === "execution_order") return "workflow";
  return "review";
}

// ─── the workflow as a graph ─────────────────────────────────────────────────────────────────

export const promptNode = "prompt";
export const resultNode = "result";

export interface GraphNode {
  id: string;
  kind: "prompt" | "agent" | "result";
  name: string;
  role?: TeamAgentRole;
  /** Column (wide screens) or row (phones): how many steps after the prompt. */
  layer: number;
  /** Position within its layer. */
  slot: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The conditions of the agent the edge leads into. */
  conditions: DraftCondition[];
}

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The agents a member reads results from (its input), in the order they are named. */
export function inputSources(input: TeamAgentInput): string[] {
  if (input.source === "agent_result") return [input.agent_id];
  if (input.source === "combined") return input.sources.flatMap((source) => (source.type === "agent_result" ? [source.agent_id] : []));
  return [];
}

function readsPrompt(input: TeamAgentInput): boolean {
  return input.source === "initial_prompt" || (input.source === "combined" && input.sources.some((source) => source.type === "initial_prompt"));
}

/**
 * The flow of a team: the prompt, its agents and the result as nodes; the data flowing between them
 * as edges. Sequential, pipeline and conditional teams are a chain in order; a parallel team fans
 * out from the prompt to its members and in to its leader or coordinator (or to the result).
 * Inputs that read another agent's result add an edge from that agent.
 */
export function workflowGraph(workflowType: WorkflowType, members: DraftMember[]): WorkflowGraph {
  const edges: GraphEdge[] = [];
  const ids = new Set(members.map((member) => member.agent_id));
  const byId = new Map(members.map((member) => [member.agent_id, member]));
  const conditionsOf = (id: string) => byId.get(id)?.conditions ?? [];
  const add = (from: string, to: string) => {
    if (from === to || edges.some((edge) => edge.from === from && edge.to === to)) return;
    edges.push({ from, to, conditions: to === resultNode ? [] : conditionsOf(to) });
  };
  const layers = new Map<string, number>([[promptNode, 0]]);

  if (members.length === 0) {
    add(promptNode, resultNode);
  } else if (workflowType === "parallel") {
    const aggregator = members.find((member) => member.role === "leader" || member.role === "coordinator");
    const workers = members.filter((member) => member !== aggregator);
    for (const member of workers) {
      // A member reading an earlier member's result runs after it.
      const sources = inputSources(member.input).filter((id) => layers.has(id));
      layers.set(member.agent_id, 1 + Math.max(0, ...sources.map((id) => layers.get(id)!)));
      if (sources.length === 0 || readsPrompt(member.input)) add(promptNode, member.agent_id);
    }
    const last = Math.max(0, ...workers.map((member) => layers.get(member.agent_id)!));
    if (aggregator) {
      layers.set(aggregator.agent_id, last + 1);
      if (workers.length === 0) add(promptNode, aggregator.agent_id);
      for (const member of workers) add(member.agent_id, aggregator.agent_id);
      add(aggregator.agent_id, resultNode);
    } else {
      for (const member of workers) add(member.agent_id, resultNode);
    }
  } else {
    members.forEach((member, index) => {
      layers.set(member.agent_id, index + 1);
      add(index === 0 ? promptNode : members[index - 1].agent_id, member.agent_id);
    });
    add(members[members.length - 1].agent_id, resultNode);
  }

  // Inputs from other agents (and, off the chain, from the prompt).
  members.forEach((member, index) => {
    for (const source of inputSources(member.input)) if (ids.has(source)) add(source, member.agent_id);
    if (workflowType !== "parallel" && index > 0 && member.input.source === "combined" && readsPrompt(member.input)) {
      add(promptNode, member.agent_id);
    }
  });

  const resultLayer = Math.max(0, ...layers.values()) + 1;
  layers.set(resultNode, resultLayer);
  const slots = new Map<number, number>();
  const place = (id: string) => {
    const layer = layers.get(id)!;
    const slot = slots.get(layer) ?? 0;
    slots.set(layer, slot + 1);
    return { layer, slot };
  };
  const nodes: GraphNode[] = [
    { id: promptNode, kind: "prompt", name: "", ...place(promptNode) },
    ...members.map((member) => ({ id: member.agent_id, kind: "agent" as const, name: member.name, role: member.role, ...place(member.agent_id) })),
    { id: resultNode, kind: "result", name: "", ...place(resultNode) },
  ];
  return { nodes, edges };
}
