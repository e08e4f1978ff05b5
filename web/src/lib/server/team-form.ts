// The team wizard's submission: the whole definition as JSON in one hidden field (`definition`),
// and the API's refusals with their paths in one spelling (agents.1.input.agent_id), whichever
// check (zod or the database) named them.
import { error, fail, type ActionFailure } from "@sveltejs/kit";
import type { TeamDefinitionBody } from "$schemas/teams.ts";
import { normalisePath } from "$lib/teams";
import { agentPage } from "$schemas/agents.ts";
import { memberPage } from "$schemas/members.ts";
import type { ApproverChoice } from "$lib/teams";
import { formFailure, type Api, type FormFailure } from "./api";

/** The definition the wizard sent, or a 400 failure when the field is missing or not JSON. */
export function definitionFrom(data: FormData): TeamDefinitionBody | ActionFailure<FormFailure> {
  const raw = data.get("definition");
  try {
    const parsed: unknown = typeof raw === "string" ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as TeamDefinitionBody;
  } catch {
    // answered below
  }
  return fail(400, { message: "The form did not send a team definition.", code: "bad_request", fields: {}, values: {} });
}

export function isFailure(value: unknown): value is ActionFailure<FormFailure> {
  return typeof value === "object" && value !== null && "status" in value && "data" in value;
}

/** formFailure, with the API's paths normalised so the wizard finds each field. */
export function teamFailure(cause: unknown): ActionFailure<FormFailure> {
  const failure = formFailure(cause);
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(failure.data.fields)) fields[normalisePath(path)] ??= message;
  failure.data.fields = fields;
  const rules: Record<string, string> = {};
  for (const [path, rule] of Object.entries(failure.data.fieldRules ?? {})) rules[normalisePath(path)] ??= rule;
  failure.data.fieldRules = rules;
  return failure;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/teams/<id>` for the API; not an id at all is the same "not found" as an id that names nothing. */
export function teamPath(id: string): string {
  if (!uuidPattern.test(id)) error(404, { message: "Team not found.", code: "not_found" });
  return `/teams/${id}`;
}

/** What the wizard shows of an agent: to choose it, and its own settings beside the team's overrides. */
export interface ChoosableAgent {
  id: string;
  name: string;
  status: string;
  temperature: number;
  max_tokens: number;
  tools: string[];
  /** Its system prompt has text (the wizard warns about an agent without instructions). */
  has_instructions: boolean;
}

/** The company's own agents a team may have (agents shared from other companies cannot join). */
export async function choosableAgents(api: Api): Promise<ChoosableAgent[]> {
  const page = await api.get("/agents", agentPage, { limit: 100 });
  return page.items
    .filter((agent) => agent.access === "owner")
    .map(({ id, name, status, temperature, max_tokens, tools, system_prompt }) => ({
      id,
      name,
      status,
      temperature,
      max_tokens,
      tools,
      has_instructions: system_prompt.trim() !== "",
    }));
}

/**
 * The members a team agent's approval may name: those with the member role (owners and admins
 * always decide; analysts may not run teams, so the database refuses them).
 */
export async function approverChoices(api: Api): Promise<ApproverChoice[]> {
  const page = await api.get("/members", memberPage, { role: "member", limit: 100 });
  return page.items.map((member) => ({ user_id: member.user_id, name: member.full_name?.trim() || member.email || member.user_id }));
}
