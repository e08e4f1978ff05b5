import { describe, expect, it } from "vitest";
import { formatCost, formatCurrency, formatDate, formatNumber, formatRelative } from "./format";

// Intl puts a no-break space between the currency sign and the amount.
const plain = (text: string) => text.replace(/\u00a0|\u202f/g, " ");

describe("formatting by language", () => {
  it("writes money the Brazilian way in Portuguese and the American way in English", () => {
    expect(plain(formatCurrency(1234.5, "pt-BR", "BRL"))).toBe("R$ 1.234,50");
    expect(plain(formatCurrency(1234.5, "en", "BRL"))).toBe("R$1,234.50");
    expect(plain(formatCurrency(12.3, "pt-BR"))).toBe("US$ 12,30");
    expect(plain(formatCurrency(12.3, "en"))).toBe("$12.30");
  });

  it("keeps the cents' fractions of tiny provider costs", () => {
    expect(plain(formatCurrency(0.0042, "en"))).toBe("$0.0042");
    expect(plain(formatCurrency(0.0000066, "pt-BR"))).toBe("US$ 0,0000066");
  });

  it("writes dates and numbers per language", () => {
    expect(formatDate("2026-03-05T12:00:00Z", "pt-BR")).toBe("5 de mar. de 2026");
    expect(formatDate("2026-03-05T12:00:00Z", "en")).toBe("Mar 5, 2026");
    expect(formatNumber(100000, "pt-BR")).toBe("100.000");
    expect(formatNumber(100000, "en")).toBe("100,000");
  });

  it("says how long ago something happened", () => {
    const now = new Date("2026-03-05T12:00:00Z");
    expect(formatRelative("2026-03-05T11:57:00Z", "pt-BR", now)).toBe("há 3 minutos");
    expect(formatRelative("2026-03-05T11:57:00Z", "en", now)).toBe("3 minutes ago");
  });
});

describe("costs", () => {
  it("read at one precision: 4 decimals below US$ 1, 2 from there, tiny amounts never as zero", () => {
    expect(plain(formatCost(0.0123, "pt-BR"))).toBe("US$ 0,0123");
    expect(plain(formatCost(0.5, "pt-BR"))).toBe("US$ 0,5000");
    expect(plain(formatCost(0.0061, "en"))).toBe("$0.0061");
    expect(plain(formatCost(12.345, "pt-BR"))).toBe("US$ 12,35");
    expect(plain(formatCost(0, "pt-BR"))).toBe("US$ 0,0000");
    expect(plain(formatCost(0.0000066, "pt-BR"))).toBe("US$ 0,0000066");
  });

  it("add reais at the company's rate, in the same precision rule", () => {
    expect(plain(formatCost(0.0123, "pt-BR", 5.25))).toBe("US$ 0,0123 (R$ 0,0646)");
    expect(plain(formatCost(10, "en", 5.25))).toBe("$10.00 (R$52.50)");
    expect(plain(formatCost(10, "pt-BR", null))).toBe("US$ 10,00");
  });
});
