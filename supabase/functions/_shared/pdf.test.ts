// The PDF writer read back by a PDF reader (unpdf, the one the knowledge ingest uses, run on Deno by
// tests/fixtures/pdf-text.ts): accents kept,
// what the standard fonts cannot write turned into "?", long text wrapped and spread over numbered
// pages, each with its header.
import { describe, expect, it } from "vitest";
import { pdfPages } from "../../../tests/fixtures/pdf-text.ts";
import { PdfReport, pdfSafeText, wrapText } from "./pdf.ts";

const header = {
  title: "Relatório do projeto",
  owner: "Pesquisas Ltda · Pós-venda",
  generated: "Gerado em 6 de dez. de 2026",
  pageLabel: (page: number, pages: number) => `Página ${page} de ${pages}`,
  createdAt: new Date("2026-12-06T04:00:00Z"),
};

describe("pdfSafeText", () => {
  const winAnsi = new Set([..."açãéÉõüç€—“”".split("").map((character) => character.codePointAt(0)!), ...Array.from({ length: 95 }, (_, index) => 0x20 + index)]);

  it("keeps what the font writes, turns the rest into ? and drops control characters", () => {
    expect(pdfSafeText("Ação — “ótimo” €", new Set([...winAnsi, "ó".codePointAt(0)!]))).toBe("Ação — “ótimo” €");
    expect(pdfSafeText("bom 👍 好", winAnsi)).toBe("bom ? ?");
    expect(pdfSafeText("a\tb\u0007c", winAnsi)).toBe("a    bc");
    // A decomposed accent (e + combining acute) is composed first, then written.
    expect(pdfSafeText("Pe\u0301", winAnsi)).toBe("Pé");
  });
});

describe("wrapText", () => {
  const measure = (line: string) => line.length;

  it("breaks at spaces, keeps line breaks, and cuts a word longer than a line", () => {
    expect(wrapText("um dois tres quatro", 8, measure)).toEqual(["um dois", "tres", "quatro"]);
    expect(wrapText("a\nb", 8, measure)).toEqual(["a", "b"]);
    expect(wrapText("abcdefghijkl", 5, measure)).toEqual(["abcde", "fghij", "kl"]);
  });

  it("cuts one enormous word into full lines, each as wide as fits", () => {
    const lines = wrapText("x".repeat(200_000), 90, measure);
    expect(lines).toHaveLength(Math.ceil(200_000 / 90));
    expect(lines.slice(0, -1).every((line) => line.length === 90)).toBe(true);
    expect(lines.join("")).toHaveLength(200_000);
  });
});

describe("PdfReport", () => {
  it("writes a PDF whose text reads back, accents kept and emoji as ?", async () => {
    const report = await PdfReport.create(header);
    report.heading("Como nos conheceu?");
    report.facts([["Respostas", "3"], ["Situação", "concluído"]]);
    report.bars([{ label: "Indicação", value: 2 }, { label: "Google", value: 1, shown: "1 (33%)" }, { label: "Instagram", value: 0 }]);
    report.paragraph("Ótimo atendimento 👍");
    const bytes = await report.bytes();
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const [page] = await pdfPages(bytes);
    for (const expected of ["Relatório do projeto", "Pesquisas Ltda · Pós-venda", "Gerado em 6 de dez. de 2026", "Como nos conheceu?", "Situação", "Indicação", "1 (33%)", "Ótimo atendimento ?", "Página 1 de 1"]) {
      expect(page).toContain(expected);
    }
  });

  it("runs long text over several pages, each with the header and its number", async () => {
    const report = await PdfReport.create(header);
    const long = Array.from({ length: 400 }, (_, index) => `palavra${index}`).join(" ");
    for (let index = 0; index < 6; index++) report.paragraph(long);
    report.paragraph("fim do texto");
    const pages = await pdfPages(await report.bytes());
    expect(pages.length).toBeGreaterThan(2);
    pages.forEach((text, index) => {
      expect(text).toContain("Relatório do projeto");
      expect(text).toContain(`Página ${index + 1} de ${pages.length}`);
    });
    expect(pages.join(" ")).toContain("palavra399");
    expect(pages.at(-1)).toContain("fim do texto");
  });

  it("puts a label as long as a line above its value", async () => {
    const report = await PdfReport.create(header);
    const name = `variavel_${"muito_longa_".repeat(12)}fim`;
    report.facts([[name, "valor curto"]]);
    const [page] = await pdfPages(await report.bytes());
    expect(page.replace(/\s+/g, "")).toContain(`${name}:valorcurto`);
  });

  it("is the same file when made twice with the same content and time", async () => {
    const make = async () => {
      const report = await PdfReport.create(header);
      report.paragraph("igual");
      return await report.bytes();
    };
    expect(Buffer.from(await make()).equals(Buffer.from(await make()))).toBe(true);
  });
});
