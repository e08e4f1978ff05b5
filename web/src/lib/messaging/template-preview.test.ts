import { describe, expect, it } from "vitest";
import { isAutomaticallySendableTemplate, isSendableTemplate, renderTemplate, renderTemplateText, templateKey } from "./template-preview";

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

describe("renderTemplateText", () => {
  const header = { format: "text" as const, text: "Pedido {{1}}" };

  it("puts a text header with its value on the first line, as the database stores it", () => {
    expect(renderTemplateText("Seu pedido saiu, {{1}}.", ["Ana"], header, "#42")).toBe("Pedido #42\nSeu pedido saiu, Ana.");
  });

  it("keeps the header's placeholder until it is filled, and leaves media out of the text", () => {
    expect(renderTemplateText("Oi", [], header, " ")).toBe("Pedido {{1}}\nOi");
    expect(renderTemplateText("Segue o boleto.", [], { format: "document" }, "https://x.example/b.pdf")).toBe("Segue o boleto.");
    expect(renderTemplateText("Oi {{1}}", ["Ana"], null, "")).toBe("Oi Ana");
  });
});

describe("isSendableTemplate and isAutomaticallySendableTemplate", () => {
  const template = (status: string, beyond: string[], unsendable: string[]) => ({ status, parameters_beyond_body: beyond, parameters_unsendable: unsendable });

  it("lets a person send a template whose header and button values they give, but not an automatic send", () => {
    const withImage = template("approved", ["header_media", "button_url"], []);
    expect(isSendableTemplate(withImage)).toBe(true);
    expect(isAutomaticallySendableTemplate(withImage)).toBe(false);
  });

  it("sends nothing that needs what nobody can give, nor a template Meta has not approved", () => {
    expect(isSendableTemplate(template("approved", ["carousel"], ["carousel"]))).toBe(false);
    expect(isSendableTemplate(template("paused", [], []))).toBe(false);
    expect(isAutomaticallySendableTemplate(template("pending", [], []))).toBe(false);
    expect(isAutomaticallySendableTemplate(template("approved", [], []))).toBe(true);
  });
});
