// The values people pick from in forms and filters (statuses, roles, providers, operators), for
// the browser. The API's schema modules ($schemas/*.ts) export the same lists, but importing any
// value from one of them brings zod into the page (about 27 kB gzipped: its z.enum(...) calls
// run when the module loads, so the bundler must keep them); this module has no zod. The database
// enums come from the generated types; the other lists are checked against the schemas' own
// (choices.test.ts), so they cannot drift apart.
import type { AuditAction } from "$schemas/audit-log.ts";
import type { ConditionOperator } from "$schemas/teams.ts";
import { Constants } from "$schemas/../database.types.ts";

const enums = Constants.public.Enums;

export const agentTypes = enums.agent_type;
export const agentProviders = enums.agent_provider;
export const agentStatuses = enums.agent_status;
export const executionStatuses = enums.execution_status;
export const memberRoles = enums.member_role;
export const teamAgentRoles = enums.team_agent_role;
export const workflowTypes = enums.workflow_type;
export const providerServices = enums.provider_key_service;

export const conditionOperators = ["equals", "contains", "greater_than", "less_than"] as const satisfies readonly ConditionOperator[];
export const auditActions = ["insert", "update", "delete", "read", "decrypt"] as const satisfies readonly AuditAction[];
/** The agent types a company may choose as its default (not sub_agent). */
export const defaultAgentTypes = ["sdr", "copilot", "custom"] as const satisfies readonly (typeof agentTypes)[number][];
