import { describe, expect, it } from "vitest";
import { formatCnpj } from "./cnpj";
import { slugify } from "./slug";

describe("a company's suggested address", () => {
  it("drops accents, spaces and punctuation", () => {
    expect(slugify("Padaria Pão Quente Ltda.")).toBe("padaria-pao-quente-ltda");
    expect(slugify("  Açaí & Cia — São Paulo  ")).toBe("acai-cia-sao-paulo");
  });

  it("never ends with a hyphen, even when cut at 63 characters", () => {
    const slug = slugify(`${"a".repeat(62)} b`);
    expect(slug.length).toBeLessThanOrEqual(63);
    expect(slug.endsWith("-")).toBe(false);
  });
});

describe("a CNPJ on screen", () => {
  it("is written with its dots, slash and hyphen", () => {
    expect(formatCnpj("11222333000181")).toBe("11.222.333/0001-81");
    expect(formatCnpj(null)).toBe("");
    expect(formatCnpj("123")).toBe("123");
  });
});
