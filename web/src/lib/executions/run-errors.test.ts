// The engine's key refusals, as the executor writes them, shown in each language.
import { describe, expect, it } from "vitest";
import { en } from "$lib/i18n/messages/en";
import { runErrorText, stepErrorText } from "./run-errors";

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
    expect(runErrorText("the run passed its time limit of 30 s", t)).toBe("the run passed its time limit of 30 s");
  });

  it("have English words for each", () => {
    expect(Object.keys(en.executions.runErrors).sort()).toEqual(["agentFailed", "keyFirstPartyOnly", "keyStoredElsewhere"]);
  });
});
