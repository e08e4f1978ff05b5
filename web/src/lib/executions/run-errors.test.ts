// The engine's key refusals, as the executor writes them, shown in each language.
import { describe, expect, it } from "vitest";
import { en } from "$lib/i18n/messages/en";
import { runErrorText, skipReasonText, stepErrorText } from "./run-errors";

const t = (id: string, options?: { values?: Record<string, string | number> }) => `${id} ${JSON.stringify(options?.values ?? {})}`;

describe("run errors", () => {
  it("translate a key refused for another address, alone and inside the run's message", () => {
    const step = "the suna key for this run was stored for https://suna.example.com and is not sent to http://127.0.0.1:9: " +
      "store a suna key for http://127.0.0.1:9, or point the agent back to https://suna.example.com";
    expect(stepErrorText(step, t)).toBe(
      `executions.runErrors.keyStoredElsewhere ${JSON.stringify({ service: "suna", storedFor: "https://suna.example.com", destination: "http://127.0.0.1:9" })}`,
    );
    expect(runErrorText(`agent "Writer" failed: ${step}`, t)).toContain("executions.runErrors.agentFailed");
    expect(runErrorText(`agent "Writer" failed: ${step}`, t)).toContain('"agent":"Writer"');
  });

  it("translate a first-party key kept from an agent's base_url", () => {
    const step = "the anthropic key for this run is only sent to Anthropic's own address, and this agent calls https://proxy.test: remove the agent's base_url";
    expect(stepErrorText(step, t)).toBe(
      `executions.runErrors.keyFirstPartyOnly ${JSON.stringify({ service: "anthropic", provider: "Anthropic", destination: "https://proxy.test" })}`,
    );
  });

  it("leave every other message as the engine wrote it", () => {
    expect(runErrorText('agent "Writer" failed: the provider had an error', t)).toBe('agent "Writer" failed: the provider had an error');
    expect(runErrorText("the provider had an error", t)).toBe("the provider had an error");
    expect(skipReasonText("a reason the app does not know", t)).toBe("a reason the app does not know");
  });

  it("translate the engine's run failures and every reason it skips or cancels a step", () => {
    expect(runErrorText("the run passed its time limit of 30 s", t)).toBe(`executions.runErrors.timeLimit ${JSON.stringify({ seconds: "30" })}`);
    expect(runErrorText("the worker stopped answering on every attempt", t)).toBe("executions.runErrors.workerGone {}");
    expect(skipReasonText("the run was stopped", t)).toBe("executions.skipReasons.stopped {}");
    expect(skipReasonText("an earlier agent failed and the team stops on errors", t)).toBe("executions.skipReasons.earlierFailed {}");
    expect(skipReasonText("the run passed its time limit", t)).toBe("executions.skipReasons.timeLimit {}");
    const skipped = skipReasonText("condition variables.urgente equals true was not met (value: sim)", t);
    expect(skipped).toContain("executions.skipReasons.conditionNotMet");
    expect(skipped).toContain('"expected":"true"');
    expect(skipped).toContain('"actual":"sim"');
    expect(skipped).toContain("executions.skipReasons.variable");
    expect(skipReasonText("condition initial_prompt contains x was not met (value: nothing produced)", t)).toContain("executions.skipReasons.nothingProduced");
  });

  it("translate an approver's rejection and the approval time running out, alone and inside the run's message", () => {
    expect(stepErrorText("rejected: Faltou o preço", t)).toBe(`executions.runErrors.rejected ${JSON.stringify({ reason: "Faltou o preço" })}`);
    expect(stepErrorText("rejected: nobody decided within the approval time", t)).toBe("executions.runErrors.approvalTimedOut {}");
    expect(runErrorText('agent "Redator" failed: rejected: Faltou o preço', t)).toContain("executions.runErrors.agentFailed");
  });

  it("have English words for each", () => {
    expect(Object.keys(en.executions.runErrors).sort()).toEqual(["agentFailed", "approvalTimedOut", "keyFirstPartyOnly", "keyStoredElsewhere", "rejected", "timeLimit", "workerGone"]);
  });
});
