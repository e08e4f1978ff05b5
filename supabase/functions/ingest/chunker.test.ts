// The chunker and the text extraction, by what a reader of the chunks needs: headings kept as a
// path, no chunk over the size, the overlap repeated, HTML reduced to its words.
import { describe, expect, it } from "vitest";
import { chunkText } from "./chunker.ts";
import { extractText, formatOf, htmlToText } from "./extract.ts";
import { IngestFailure } from "./ingest-failure.ts";

describe("chunkText", () => {
  it("splits by headings, each chunk under the path of headings above it", () => {
    const text = "Intro sem título.\n\n# Férias\n\nTrinta dias.\n\n## Como pedir\n\nNo portal.\n\n### Prazo\n\nTrinta dias antes.\n\n# Reembolso\n\nCom nota.";
    expect(chunkText(text, { size: 500, overlap: 50, splitByHeadings: true }).map((chunk) => [chunk.headingPath, chunk.content])).toEqual([
      [[], "Intro sem título."],
      [["Férias"], "Trinta dias."],
      [["Férias", "Como pedir"], "No portal."],
      [["Férias", "Como pedir", "Prazo"], "Trinta dias antes."],
      [["Reembolso"], "Com nota."],
    ]);
  });

  it("keeps heading lines as text when the base does not split by headings, and ignores # inside code fences", () => {
    const text = "# Título\n\nCorpo.\n\n```\n# not a heading\n```";
    expect(chunkText(text, { size: 500, overlap: 0, splitByHeadings: false })).toEqual([
      { content: text, headingPath: [], tokenCount: Math.ceil(text.length / 4) },
    ]);
    expect(chunkText(text, { size: 500, overlap: 0, splitByHeadings: true }).map((chunk) => chunk.headingPath)).toEqual([["Título"]]);
  });

  it("never exceeds the size, and starts each chunk with the end of the one before", () => {
    const sentences = Array.from({ length: 60 }, (_, index) => `Frase número ${index} sobre o regulamento interno.`);
    const chunks = chunkText(sentences.join(" "), { size: 300, overlap: 60, splitByHeadings: true });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(300);
    for (let index = 1; index < chunks.length; index++) {
      const previousEnd = chunks[index - 1].content.slice(-30);
      expect(chunks[index].content.slice(0, 80)).toContain(previousEnd.slice(previousEnd.indexOf(" ") + 1));
    }
    // Every sentence is in some chunk.
    for (const sentence of sentences) expect(chunks.some((chunk) => chunk.content.includes(sentence))).toBe(true);
  });

  it("cuts a word run longer than a chunk, and gives nothing for blank text", () => {
    const long = "palavra ".repeat(100).trim();
    const chunks = chunkText(long, { size: 120, overlap: 0, splitByHeadings: true });
    expect(chunks.every((chunk) => chunk.content.length <= 120)).toBe(true);
    expect(chunks.map((chunk) => chunk.content).join(" ")).toBe(long);
    expect(chunkText(" \n\n \r\n", { size: 120, overlap: 10, splitByHeadings: true })).toEqual([]);
  });
});

describe("extraction", () => {
  it("reads HTML's words and headings, without scripts, styles or entities", () => {
    expect(htmlToText("<head><title>x</title></head><h2>Seção <b>A</b></h2><p>Um &amp; dois&nbsp;três &#233;</p><script>bad()</script><style>p{}</style>")).toBe(
      "## Seção A\n\nUm & dois três é",
    );
  });

  it("knows a format by MIME type or extension, and refuses others with a code", () => {
    expect(formatOf("text/markdown; charset=utf-8", null)).toBe("markdown");
    expect(formatOf(null, "notas.CSV")).toBe("csv");
    expect(formatOf("application/pdf", "a.pdf")).toBe("pdf");
    expect(formatOf("application/octet-stream", "Contrato.DOCX")).toBe("docx");
    expect(() => formatOf("application/msword", "a.doc")).toThrow(IngestFailure);
    expect(() => formatOf("application/msword", "a.doc")).toThrow("documents of type application/msword cannot be read yet");
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(() => extractText(new Uint8Array([0xff, 0xfe, 0x00]), "text")).toThrow(expect.objectContaining({ code: "document_encoding" }));
    expect(extractText(new TextEncoder().encode("olá"), "text")).toBe("olá");
  });
});
