import { describe, expect, it } from "vitest";
import { changedFields } from "./agents";

describe("what a version changed", () => {
  it("names the definition fields that differ from the version before", () => {
    const older = { name: "Vendas", model: "gpt-4o", system_prompt: "a", tools: ["web_search"], temperature: 0.7 };
    const newer = { name: "Vendas", model: "gpt-4o-mini", system_prompt: "b", tools: ["web_search"], temperature: 0.7 };
    expect(changedFields(newer, older)).toEqual(["model", "system_prompt"]);
  });

  it("names nothing for the first version", () => {
    expect(changedFields({ name: "Vendas" }, undefined)).toEqual([]);
  });
});
