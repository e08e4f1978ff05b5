// The browser's zod-free lists are the API's own: a value added to a schema and not here (or the
// other way round) fails here, not in a form that cannot offer it.
import { describe, expect, it } from "vitest";
import * as agents from "$schemas/agents.ts";
import * as apiKeys from "$schemas/api-keys.ts";
import * as auditLog from "$schemas/audit-log.ts";
import { httpUrl } from "$schemas/common.ts";
import * as executions from "$schemas/executions.ts";
import * as teams from "$schemas/teams.ts";
import * as tenants from "$schemas/tenants.ts";
import * as choices from "./choices";
import { isHttpUrl } from "./http-url";

describe("the lists forms offer", () => {
  it("are the API schemas' lists, value for value and in order", () => {
    expect(choices.agentTypes).toEqual(agents.agentTypes);
    expect(choices.agentProviders).toEqual(agents.agentProviders);
    expect(choices.agentStatuses).toEqual(agents.agentStatuses);
    expect(choices.executionStatuses).toEqual(executions.executionStatuses);
    expect(choices.memberRoles).toEqual(tenants.memberRoles);
    expect(choices.defaultAgentTypes).toEqual(tenants.defaultAgentTypes);
    expect(choices.teamAgentRoles).toEqual(teams.teamAgentRoles);
    expect(choices.workflowTypes).toEqual(teams.workflowTypes);
    expect(choices.conditionOperators).toEqual(teams.conditionOperators);
    expect(choices.providerServices).toEqual(apiKeys.providerServices);
    expect(choices.auditActions).toEqual(auditLog.auditActions);
  });
});

describe("isHttpUrl", () => {
  it("accepts and refuses what the API's httpUrl() does", () => {
    const samples = [
      "https://example.com/foto.png",
      "  http://exemplo.com.br/a?b=c  ",
      "HTTPS://EXAMPLE.COM",
      "ftp://example.com/x",
      "https://",
      "https:// example.com",
      "example.com/foto.png",
      "",
      `https://example.com/${"a".repeat(2040)}`,
    ];
    for (const sample of samples) expect(isHttpUrl(sample), sample).toBe(httpUrl().safeParse(sample).success);
  });
});
