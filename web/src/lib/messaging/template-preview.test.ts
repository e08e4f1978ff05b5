import { describe, expect, it } from "vitest";
import { renderTemplate, templateKey } from "./template-preview";

describe("renderTemplate", () => {
  it("fills each placeholder with its parameter, once", () => {
    expect(renderTemplate("Olá {{1}}, pedido {{2}} ({{1}})", ["Ana {{2}}", "42"])).toBe("Olá Ana {{2}}, pedido 42 (Ana {{2}})");
  });

  it("keeps the placeholder of a parameter not filled yet", () => {
    expect(renderTemplate("Olá {{1}}, pedido {{2}}", ["Ana", " "])).toBe("Olá Ana, pedido {{2}}");
  });

  it("reads a template without a body as empty", () => {
    expect(renderTemplate(null, [])).toBe("");
  });
});

describe("templateKey", () => {
  it("names a template by name and language", () => {
    expect(templateKey({ name: "boas_vindas", language: "pt_BR" })).toBe("boas_vindas|pt_BR");
  });
});
