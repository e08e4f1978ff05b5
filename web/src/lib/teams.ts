// The team wizard's model, shared by the browser (the wizard and its diagram) and the server (the
// form action): a draft the person edits, the definition the API takes (POST/PUT /teams), the
// other way round for editing, and the workflow as a graph of nodes and edges for the diagram.
import type {
  ApprovalTimeoutPolicy,
  ConditionOperator,
  Team,
  TeamAgentCondition,
  TeamAgentConfig,
  TeamAgentInput,
  TeamAgentRole,
  TeamDefinitionBody,
  WorkflowType,
} from "$schemas/teams.ts";
import { formatDecimalInput, parseDecimal } from "$lib/i18n/decimal-input";
import type { Locale } from "$lib/i18n/locales";

/** How a condition's value is sent: the engine compares numbers as numbers, everything else as text. */
export type ConditionValueType = "text" | "number" | "boolean";

export interface DraftCondition {
  /** `initial_prompt`, `agents.<id>.output|status`, `variables.<name>` or `context.<key>` (the name as typed). */
  field: string;
  operator: ConditionOperator;
  /** As typed ("0,5" in pt-BR); "true"/"false" for a boolean. */
  value: string;
  type: ConditionValueType;
}

/** An agent's settings for this team only, as typed (blank = the team's setting or the agent's own). */
export interface DraftOverrides {
  max_tokens: string;
  temperature: string;
  /** The tools the agent may use in this team; null = all of its own. */
  tools: string[] | null;
  /** Its output waits for a person before the run goes on; null (or absent) = it does not. */
  approval?: DraftApproval | null;
}

/** A member who may be named to approve an agent's output (owners and admins always may, so they are not listed). */
export interface ApproverChoice {
  user_id: string;
  name: string;
}

export type ApprovalTimeoutUnit = "minutes" | "hours" | "days";
const secondsPer: Record<ApprovalTimeoutUnit, number> = { minutes: 60, hours: 3600, days: 86_400 };

/** `config.approval` as the wizard edits it: the time limit as typed, in a unit (blank = none). */
export interface DraftApproval {
  /** Members named to decide besides the owners and admins (who always may). */
  approvers: string[];
  timeout: string;
  timeout_unit: ApprovalTimeoutUnit;
  on_timeout: ApprovalTimeoutPolicy;
}

export function newApproval(): DraftApproval {
  return { approvers: [], timeout: "", timeout_unit: "hours", on_timeout: "reject" };
}

/** An approval read from the API, its time limit in the largest unit that holds it whole. */
function approvalDraft(approval: TeamAgentConfig["approval"], locale: Locale): DraftApproval | undefined {
  if (!approval) return undefined;
  const seconds = approval.timeout_seconds;
  const unit = seconds === undefined ? "hours" : (["days", "hours", "minutes"] as const).find((candidate) => seconds % secondsPer[candidate] === 0);
  return {
    approvers: [...(approval.approvers ?? [])],
    timeout: seconds === undefined ? "" : formatDecimalInput(unit ? seconds / secondsPer[unit] : seconds / 60, locale),
    timeout_unit: unit ?? "minutes",
    on_timeout: approval.on_timeout ?? "reject",
  };
}

/** The time limit the draft names, in seconds: undefined when blank, the text as typed when it is no number. */
export function approvalTimeoutSeconds(approval: DraftApproval, locale: Locale): number | string | undefined {
  const value = typedNumber(approval.timeout, locale);
  return typeof value === "number" ? Math.round(value * secondsPer[approval.timeout_unit]) : value;
}

export interface DraftMember {
  agent_id: string;
  name: string;
  role: TeamAgentRole;
  input: TeamAgentInput;
  conditions: DraftCondition[];
  config: DraftOverrides;
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

export function noOverrides(): DraftOverrides {
  return { max_tokens: "", temperature: "", tools: null };
}

/** A condition's value as its editor shows it: a number in the locale's spelling. */
function conditionDraft(condition: TeamAgentCondition, locale: Locale): DraftCondition {
  const { field, operator, value } = condition;
  if (typeof value === "number") return { field, operator, value: formatDecimalInput(value, locale), type: "number" };
  if (typeof value === "boolean") return { field, operator, value: String(value), type: "boolean" };
  return { field, operator, value, type: "text" };
}

/** A team read from the API, as the wizard edits it, numbers in the locale's spelling. */
export function draftFromTeam(team: Team, locale: Locale): TeamDraft {
  const blank = (value: number | null | undefined) => (value === null || value === undefined ? "" : formatDecimalInput(value, locale));
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
        input: structuredClone(member.input),
        conditions: member.conditions.map((condition) => conditionDraft(condition, locale)),
        config: {
          max_tokens: blank(member.config.max_tokens),
          temperature: blank(member.config.temperature),
          tools: member.config.tools ? [...member.config.tools] : null,
          approval: approvalDraft(member.config.approval, locale),
        },
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

/** Text typed as a number; text that is not one goes on as typed for the API to name. */
function typedNumber(text: string, locale: Locale): number | string | undefined {
  if (text.trim() === "") return undefined;
  return parseDecimal(text, locale) ?? text.trim();
}

/** The value a condition sends: a number or a boolean when its type says so. */
export function conditionValueOf(condition: DraftCondition, locale: Locale): string | number | boolean {
  if (condition.type === "boolean") return condition.value.trim() === "true";
  if (condition.type === "number") return parseDecimal(condition.value, locale) ?? condition.value.trim();
  return condition.value;
}

/** The type a condition's value takes once the operator changes: comparing by size needs numbers. */
export function typeForOperator(operator: ConditionOperator, current: ConditionValueType): ConditionValueType {
  if (operator === "greater_than" || operator === "less_than") return "number";
  if (operator === "contains") return "text";
  return current;
}

/** An agent's overrides as the API takes them: only what was set. */
export function overridesOf(config: DraftOverrides, locale: Locale): TeamAgentConfig {
  const overrides: Record<string, unknown> = {};
  const maxTokens = typedNumber(config.max_tokens, locale);
  const temperature = typedNumber(config.temperature, locale);
  if (maxTokens !== undefined) overrides.max_tokens = maxTokens;
  if (temperature !== undefined) overrides.temperature = temperature;
  if (config.tools !== null) overrides.tools = [...config.tools];
  if (config.approval) {
    const approval: Record<string, unknown> = {};
    if (config.approval.approvers.length > 0) approval.approvers = [...config.approval.approvers];
    const timeout = approvalTimeoutSeconds(config.approval, locale);
    if (timeout !== undefined) {
      approval.timeout_seconds = timeout;
      approval.on_timeout = config.approval.on_timeout;
    }
    overrides.approval = approval;
  }
  return overrides as TeamAgentConfig;
}

export function hasOverrides(config: DraftOverrides): boolean {
  return config.max_tokens.trim() !== "" || config.temperature.trim() !== "" || config.tools !== null || Boolean(config.approval);
}

/** An input as the API takes it: a blank template is no template. */
function inputOf(input: TeamAgentInput): TeamAgentInput {
  if (input.source !== "combined") return input;
  const { template, ...rest } = input;
  return template === undefined || template.trim() === "" ? rest : { ...rest, template };
}

/** The draft as POST/PUT /teams take it: execution order is the position in the list. */
export function definitionOf(draft: TeamDraft, locale: Locale): TeamDefinitionBody {
  const config: Record<string, unknown> = { continue_on_error: draft.config.continue_on_error };
  for (const key of ["max_tokens", "temperature", "timeout_seconds", "max_parallel_agents"] as const) {
    const value = typedNumber(draft.config[key], locale);
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
      input: inputOf(member.input),
      conditions: member.conditions.map((condition) => ({ field: condition.field, operator: condition.operator, value: conditionValueOf(condition, locale) })),
      config: overridesOf(member.config, locale),
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
    if (parts[2] === "config") return "config";
    return "workflow";
  }
  if (parts[0] === "workflow_type" || parts[0] === "role" || parts[0] === "execution_order") return "workflow";
  return "review";
}

// ─── the workflow as a graph ─────────────────────────────────────────────────────────────────

export const promptNode = "prompt";
export const resultNode = "result";
/** The run's variables and shared context, drawn when an input reads them. */
export const variablesNode = "variables";

export interface GraphNode {
  id: string;
  kind: "prompt" | "agent" | "result" | "variables";
  name: string;
  role?: TeamAgentRole;
  /** An agent with settings of its own in this team (temperature, max tokens, tools). */
  overrides?: boolean;
  /** Column (wide screens) or row (phones): how many steps after the prompt. */
  layer: number;
  /** Position within its layer. */
  slot: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The conditions of the agent the edge leads into (on one edge into it: the first drawn). */
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

/** The variables (`variables.name`) and context keys (`context.key`) a combined input reads. */
export function inputVariables(input: TeamAgentInput): string[] {
  if (input.source !== "combined") return [];
  return input.sources.flatMap((source) =>
    source.type === "variable" ? [`variables.${source.name}`] : source.type === "context" ? [`context.${source.key}`] : [],
  );
}

/**
 * The flow of a team: the prompt, its agents and the result as nodes (plus the run's variables
 * when an input reads them); the data flowing between them as edges. Sequential, pipeline and
 * conditional teams are a chain in order; a parallel team fans out from the prompt to its members
 * and in to its leader or coordinator (or to the result). Inputs that read another agent's result
 * add an edge from that agent; inputs that read variables, one from the variables.
 */
export function workflowGraph(workflowType: WorkflowType, members: DraftMember[]): WorkflowGraph {
  const edges: GraphEdge[] = [];
  const ids = new Set(members.map((member) => member.agent_id));
  const byId = new Map(members.map((member) => [member.agent_id, member]));
  const add = (from: string, to: string) => {
    if (from === to || edges.some((edge) => edge.from === from && edge.to === to)) return;
    // An agent's conditions are written once, on the first arrow into it.
    const first = to !== resultNode && !edges.some((edge) => edge.to === to);
    edges.push({ from, to, conditions: first ? (byId.get(to)?.conditions ?? []) : [] });
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

  // Inputs from other agents (and, off the chain, from the prompt), and from the run's variables.
  const variableNames = [...new Set(members.flatMap((member) => inputVariables(member.input)))];
  if (variableNames.length > 0) layers.set(variablesNode, 0);
  members.forEach((member, index) => {
    for (const source of inputSources(member.input)) if (ids.has(source)) add(source, member.agent_id);
    if (workflowType !== "parallel" && index > 0 && member.input.source === "combined" && readsPrompt(member.input)) {
      add(promptNode, member.agent_id);
    }
    if (inputVariables(member.input).length > 0) add(variablesNode, member.agent_id);
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
    ...(variableNames.length > 0 ? [{ id: variablesNode, kind: "variables" as const, name: variableNames.join(", "), ...place(variablesNode) }] : []),
    ...members.map((member) => ({
      id: member.agent_id,
      kind: "agent" as const,
      name: member.name,
      role: member.role,
      overrides: hasOverrides(member.config),
      ...place(member.agent_id),
    })),
    { id: resultNode, kind: "result", name: "", ...place(resultNode) },
  ];
  return { nodes, edges };
}
