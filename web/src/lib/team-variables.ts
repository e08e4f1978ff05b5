// The variables a team's run reads (`variables.<name>` in its agents' conditions, inputs and
// templates), so the run form can ask for each by name with the right kind of input. A condition
// compares the variable's text with its value's (private.failed_condition in
// supabase/migrations/20261122000710_engine.sql): a condition on `true` holds only for the JSON
// value true, never for "sim", so a true/false condition gets a true/false picker.
import type { Team } from "$schemas/teams.ts";
import { formatDecimalInput, parseDecimal } from "$lib/i18n/decimal-input";
import type { Locale } from "$lib/i18n/locales";

export type VariableKind = "boolean" | "number" | "text";

export interface TeamVariable {
  name: string;
  kind: VariableKind;
  /** The agents that read it, in the team's order. */
  readBy: string[];
}

const templateVariable = /\{\{variables\.([A-Za-z_][A-Za-z0-9_]{0,63})\}\}/g;

/** A condition's value says what the variable is compared as; text says nothing more than text. */
function kindOfCondition(operator: string, value: unknown): VariableKind {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number" || operator === "greater_than" || operator === "less_than") return "number";
  return "text";
}

/** Every variable the team's agents read, once each, in the order they first appear. */
export function teamVariables(team: Pick<Team, "agents">): TeamVariable[] {
  const found = new Map<string, TeamVariable>();
  function note(name: string, kind: VariableKind, agent: string) {
    const known = found.get(name);
    if (!known) {
      found.set(name, { name, kind, readBy: [agent] });
      return;
    }
    // A typed use (a true/false or number condition) says more than a text placeholder.
    if (known.kind === "text") known.kind = kind;
    if (!known.readBy.includes(agent)) known.readBy.push(agent);
  }
  for (const agent of team.agents) {
    for (const condition of agent.conditions) {
      if (condition.field.startsWith("variables.")) {
        note(condition.field.slice("variables.".length), kindOfCondition(condition.operator, condition.value), agent.name);
      }
    }
    if (agent.input.source !== "combined") continue;
    for (const source of agent.input.sources) if (source.type === "variable") note(source.name, "text", agent.name);
    for (const match of (agent.input.template ?? "").matchAll(templateVariable)) note(match[1], "text", agent.name);
  }
  return [...found.values()];
}

/**
 * A variable as the run form sent it, as the API stores it: true/false and numbers as JSON
 * booleans and numbers, text as typed. Null when left blank (the run has no such variable); an
 * error key when a number is not one.
 */
export function variableValue(kind: VariableKind, typed: string, locale: Locale): { value: unknown } | { problem: string } | null {
  if (kind === "text") return typed === "" ? null : { value: typed };
  if (typed.trim() === "") return null;
  if (kind === "boolean") {
    if (typed === "true") return { value: true };
    if (typed === "false") return { value: false };
    return { value: typed };
  }
  const number = parseDecimal(typed, locale);
  return number === null ? { problem: "Must be a number." } : { value: number };
}

/** A stored variable as the run form types it again: true/false and numbers as their inputs read them. */
export function typedVariable(value: unknown, locale: Locale): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return formatDecimalInput(value, locale);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
