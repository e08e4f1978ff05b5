// Teams of agents and their workflow: /teams, /teams/:id, /teams/:id/members[/:agent_id].
// A definition is checked twice: here for its shape (and for references to agents the request
// does not list), early and in friendly words; and by the database, which holds every one of these
// rules too (the 50 agents, 20 sources and 20 conditions, the overrides' ranges, the shapes) plus
// cycles, order, another company's agents and archived agents, so a write straight to the tables
// through PostgREST obeys them as well (supabase/migrations/20261122000500_teams.sql).
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { longText, maxJsonNumber, paginated, paginationQuery, storableString, text, timestamp, uuid } from "./common.ts";
import { agentProvider, agentStatus } from "./agents.ts";

export const workflowTypes = Constants.public.Enums.workflow_type;
export const teamAgentRoles = Constants.public.Enums.team_agent_role;
export const conditionOperators = ["equals", "contains", "greater_than", "less_than"] as const;

export const workflowType = z.enum(workflowTypes);
export const teamAgentRole = z.enum(teamAgentRoles);
export const conditionOperator = z.enum(conditionOperators);
export type WorkflowType = z.infer<typeof workflowType>;
export type TeamAgentRole = z.infer<typeof teamAgentRole>;
export type ConditionOperator = z.infer<typeof conditionOperator>;

/** Most agents one team may have (execution_order runs 1..100); the database's is private.max_team_agents(). */
export const maxTeamAgents = 50;

// ─── workflow building blocks ─────────────────────────────────────────────────────────────────

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const uuidText = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/** What a condition may look at: `initial_prompt`, `agents.<agent id>.output|status`, `context.<key>`, `variables.<name>`. */
export const conditionFieldPattern = new RegExp(
  `^(?:initial_prompt|agents\\.${uuidText}\\.(?:output|status)|(?:context|variables)\\.[A-Za-z_][A-Za-z0-9_]{0,63})$`,
);

/** An agent id as the database writes it (lower case), so references compare equal to team_agents.agent_id::text. */
const agentRef = () => uuid().transform((value) => value.toLowerCase());

const identifier = () =>
  z.string().regex(identifierPattern, {
    error: "Must be a name of letters, digits and _ (at most 64, not starting with a digit).",
  });

/** One part of a `combined` input. */
export const combinedSource = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("initial_prompt") }),
  z.strictObject({ type: z.literal("agent_result"), agent_id: agentRef() }),
  z.strictObject({ type: z.literal("context"), key: identifier() }),
  z.strictObject({ type: z.literal("variable"), name: identifier() }),
], { error: "Must have a type: initial_prompt, agent_result, context or variable." });
export type CombinedSource = z.infer<typeof combinedSource>;

/**
 * Where an agent's input comes from: the run's prompt, another agent's result, or several of
 * those combined (joined under headings, or rendered into `template` with {{initial_prompt}},
 * {{agent:<id>}}, {{context.key}}, {{variables.name}}).
 */
export const teamAgentInput = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("initial_prompt") }),
  z.strictObject({ source: z.literal("agent_result"), agent_id: agentRef() }),
  z.strictObject({
    source: z.literal("combined"),
    sources: z.array(combinedSource).min(1, { error: "List at least one source." })
      .max(20, { error: "Must have at most 20 sources." }),
    template: storableString().max(20_000, { error: "Must have at most 20000 characters." }).optional(),
  }),
], { error: "Must have a source: initial_prompt, agent_result or combined." });
export type TeamAgentInput = z.infer<typeof teamAgentInput>;

/** A condition under which an agent runs (all of an agent's conditions must hold). */
export const teamAgentCondition = z.strictObject({
  field: z.string().regex(conditionFieldPattern, {
    error:
      "Must be something the team produces: initial_prompt, agents.<agent id>.output, agents.<agent id>.status, context.<key> or variables.<name>.",
  }).transform((field) => (field.startsWith("agents.") ? field.toLowerCase() : field)),
  operator: conditionOperator,
  value: z.union([
    storableString().max(10_000, { error: "Must have at most 10000 characters." }),
    z.number().min(-maxJsonNumber, { error: `Must be between -${maxJsonNumber} and ${maxJsonNumber}.` })
      .max(maxJsonNumber, { error: `Must be between -${maxJsonNumber} and ${maxJsonNumber}.` }),
    z.boolean(),
  ], {
    error: "Must be text, a number or true/false.",
  }),
});
export type TeamAgentCondition = z.infer<typeof teamAgentCondition>;

const temperature = z.number().min(0, { error: "Must be between 0 and 2." }).max(2, {
  error: "Must be between 0 and 2.",
});
const maxTokens = z.number().int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." })
  .max(200_000, { error: "Must be at most 200000." });

/** Per-agent overrides of the agent's own settings, for this team only. */
export const approvalTimeoutPolicies = ["reject", "approve", "keep_waiting"] as const;
export const approvalTimeoutPolicy = z.enum(approvalTimeoutPolicies);
export type ApprovalTimeoutPolicy = z.infer<typeof approvalTimeoutPolicy>;

/**
 * `config.approval`: present = the agent's output waits for a person before the run goes on.
 * Owners and admins always decide; `approvers` names members who may too (the database checks
 * they are members who may run teams). After `timeout_seconds` the step is rejected, approved or
 * left waiting, by `on_timeout` (default reject). Same rules as private.check_team_agent_approval.
 */
export const teamAgentApproval = z.strictObject({
  approvers: z.array(uuid().transform((value) => value.toLowerCase())).max(20, { error: "Must name at most 20 people." })
    .optional(),
  timeout_seconds: z.number().int({ error: "Must be a whole number." }).min(60, { error: "Must be at least 60." })
    .max(2_592_000, { error: "Must be at most 2592000 (30 days)." }).optional(),
  on_timeout: approvalTimeoutPolicy.optional(),
}).refine((approval) => approval.on_timeout === undefined || approval.timeout_seconds !== undefined, {
  error: "A timeout policy needs timeout_seconds.",
  path: ["on_timeout"],
});
export type TeamAgentApproval = z.infer<typeof teamAgentApproval>;

export const teamAgentConfig = z.strictObject({
  max_tokens: maxTokens.optional(),
  temperature: temperature.optional(),
  tools: z.array(storableString().min(1).max(64)).max(64, { error: "Must have at most 64 tools." }).optional(),
  approval: teamAgentApproval.optional(),
});
export type TeamAgentConfig = z.infer<typeof teamAgentConfig>;

/** The team's settings for its runs; an absent max_tokens/temperature leaves each agent's own. */
export const teamConfig = z.strictObject({
  max_tokens: maxTokens.nullable().optional(),
  temperature: temperature.nullable().optional(),
  timeout_seconds: z.number().int({ error: "Must be a whole number." }).min(10, { error: "Must be at least 10." })
    .max(3600, { error: "Must be at most 3600." }).optional(),
  max_parallel_agents: z.number().int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." })
    .max(20, { error: "Must be at most 20." }).optional(),
  continue_on_error: z.boolean().optional(),
});
export type TeamConfig = z.infer<typeof teamConfig>;

const executionOrder = z.number().int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." })
  .max(100, { error: "Must be at most 100." });

const memberFields = {
  role: teamAgentRole,
  execution_order: executionOrder,
  input: teamAgentInput,
  conditions: z.array(teamAgentCondition).max(20, { error: "Must have at most 20 conditions." }),
  config: teamAgentConfig,
};

/**
 * One agent of a team, as sent: `POST /teams/:id/members` and each item of a definition's `agents`.
 * Without `input` the agent reads the run's prompt (in a pipeline: the previous agent's result).
 */
export const teamMemberBody = z.strictObject({
  agent_id: agentRef(),
  ...memberFields,
  input: memberFields.input.default({ source: "initial_prompt" }),
  conditions: memberFields.conditions.default([]),
  config: memberFields.config.default({}),
});
export type TeamMemberBody = z.input<typeof teamMemberBody>;

/** `PUT /teams/:id/members/:agent_id`: what changes (at least one field). */
export const updateTeamMemberBody = z.strictObject(memberFields).partial().refine(
  (value) => Object.keys(value).length > 0,
  { error: "Send at least one field to change." },
);
export type UpdateTeamMemberBody = z.input<typeof updateTeamMemberBody>;

/** The agents an input or a condition list reads results from, with where in the item each one is named. */
export function workflowReferences(
  member: Pick<z.infer<typeof teamMemberBody>, "input" | "conditions">,
): { agentId: string; path: (string | number)[] }[] {
  const references: { agentId: string; path: (string | number)[] }[] = [];
  const input = member.input;
  if (input?.source === "agent_result") references.push({ agentId: input.agent_id, path: ["input", "agent_id"] });
  if (input?.source === "combined") {
    input.sources.forEach((source, index) => {
      if (source.type === "agent_result") {
        references.push({ agentId: source.agent_id, path: ["input", "sources", index, "agent_id"] });
      }
    });
  }
  (member.conditions ?? []).forEach((condition, index) => {
    const [scope, agentId] = condition.field.split(".");
    if (scope === "agents") references.push({ agentId, path: ["conditions", index, "field"] });
  });
  return references;
}

/** `POST /teams` and `PUT /teams/:id`: the whole definition (a PUT replaces it, agents included). */
export const teamDefinitionBody = z.strictObject({
  name: text(120),
  description: longText(2000).optional(),
  is_active: z.boolean().optional(),
  workflow_type: workflowType,
  config: teamConfig.optional(),
  agents: z.array(teamMemberBody).max(maxTeamAgents, { error: `Must have at most ${maxTeamAgents} agents.` }),
}).superRefine((team, context) => {
  const listed = new Map<string, number>();
  team.agents.forEach((member, index) => {
    const id = member.agent_id.toLowerCase();
    if (listed.has(id)) {
      context.addIssue({
        code: "custom",
        path: ["agents", index, "agent_id"],
        message: `Agent ${id} is already listed at agents[${listed.get(id)}]: an agent is in a team once.`,
      });
    } else {
      listed.set(id, index);
    }
  });
  team.agents.forEach((member, index) => {
    for (const reference of workflowReferences(member)) {
      if (!listed.has(reference.agentId.toLowerCase())) {
        context.addIssue({
          code: "custom",
          path: ["agents", index, ...reference.path],
          message:
            `Refers to agent ${reference.agentId}, which is not among this team's agents, so nothing produces it.`,
        });
      }
    }
  });
});
export type TeamDefinitionBody = z.input<typeof teamDefinitionBody>;

export const teamListQuery = z.strictObject({
  ...paginationQuery,
  search: text(200).optional(),
});
export type TeamListQuery = z.input<typeof teamListQuery>;

export const teamParams = z.strictObject({ id: uuid() });

/** The ready teams of the gallery (#18), created with their demo agents by public.create_team_from_template. */
export const teamTemplateKeys = ["lead_qualification", "market_research", "content_pipeline"] as const;
export type TeamTemplateKey = (typeof teamTemplateKeys)[number];

/** POST /teams/from-template: which template, and the language of its names and instructions. */
export const teamFromTemplateBody = z.strictObject({
  template: z.enum(teamTemplateKeys, { error: "Must be lead_qualification, market_research or content_pipeline." }),
  locale: z.enum(["pt-BR", "en"], { error: "Must be pt-BR or en." }).default("pt-BR"),
});
export type TeamFromTemplateBody = z.input<typeof teamFromTemplateBody>;

const inBothLanguages = z.object({ "pt-BR": z.string(), en: z.string() });

/** One template of the gallery as GET /teams/templates lists it, in both languages. */
export const teamTemplate = z.object({
  key: z.enum(teamTemplateKeys),
  workflow_type: z.enum(["sequential", "parallel", "pipeline", "conditional"]),
  name: inBothLanguages,
  description: inBothLanguages,
  agents: z.array(z.object({ name: inBothLanguages, description: inBothLanguages })),
});
export type TeamTemplate = z.infer<typeof teamTemplate>;
export const teamTemplateList = z.object({ items: z.array(teamTemplate) });
export type TeamTemplateList = z.infer<typeof teamTemplateList>;
export const teamMemberParams = z.strictObject({ id: uuid(), agent_id: uuid() });

// ─── responses ────────────────────────────────────────────────────────────────────────────────

/** One agent of a team, with the agent's name, provider, model and status (ordered by execution_order). */
export const teamAgent = z.object({
  id: uuid(),
  agent_id: uuid(),
  name: z.string(),
  provider: agentProvider,
  model: z.string(),
  agent_status: agentStatus,
  role: teamAgentRole,
  execution_order: z.number().int(),
  input: teamAgentInput,
  conditions: z.array(teamAgentCondition),
  config: teamAgentConfig,
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type TeamAgent = z.infer<typeof teamAgent>;

const teamFields = {
  id: uuid(),
  tenant_id: uuid(),
  name: z.string(),
  description: z.string(),
  is_active: z.boolean(),
  workflow_type: workflowType,
  config: z.object({
    max_tokens: z.number().int().nullable(),
    temperature: z.number().nullable(),
    timeout_seconds: z.number().int(),
    max_parallel_agents: z.number().int(),
    continue_on_error: z.boolean(),
  }),
  created_by: uuid().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
};

/**
 * A team with its agents. Its editable fields have the shape of a definition, so a client can send
 * a team it read back as a PUT (keeping each agent's agent_id, role, execution_order, input,
 * conditions and config).
 */
export const team = z.object({ ...teamFields, agents: z.array(teamAgent) });
export type Team = z.infer<typeof team>;

/** A team in a list: no agents, but how many it has. */
export const teamSummary = z.object({ ...teamFields, agent_count: z.number().int() });
export type TeamSummary = z.infer<typeof teamSummary>;

export const teamPage = paginated(teamSummary);
export type TeamPage = z.infer<typeof teamPage>;
