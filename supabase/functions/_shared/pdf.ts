/**
 * A plain report as a PDF (pdf-lib, pure JS: the same on Deno and Node): A4 pages in the standard
 * Helvetica fonts, a header on every page (the document's title, whose it is — a company, a project,
 * a team — and when it was made), headings, wrapped paragraphs, label/value facts and bars of
 * counts, page breaks where the text runs out of room, "page i of n" at the foot.
 *
 * The standard fonts write WinAnsi (Windows-1252): Portuguese accents, €, dashes and curly quotes are
 * there; what is not (emoji, CJK, other scripts) is written as "?" rather than failing the export.
 * The caller passes every word already in the reader's language: this module knows no language.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";

export interface PdfHeader {
  /** The document's title: "Relatório do projeto", "Run of Sales team". */
  title: string;
  /** Whose it is: the company, the project or the team, as people know it. */
  owner: string;
  /** When it was made, already written for the reader ("Gerado em 6 de dez. de 2026 04:20 UTC"). */
  generated: string;
  /** The foot of page `page` of `pages` ("Página 1 de 3"). */
  pageLabel: (page: number, pages: number) => string;
  /** Kept in the file's metadata (CreationDate): a document made twice at one time is the same. */
  createdAt: Date;
}

export interface PdfBar {
  label: string;
  value: number;
  /** What is written after the bar; `value` as it is when absent. */
  shown?: string;
}

const pageSize: [number, number] = [595.28, 841.89]; // A4 in points
const margin = 50;
const headerHeight = 46;
const footerHeight = 30;
const bodySize = 10;
const lineGap = 1.35;
const ink = rgb(0.12, 0.14, 0.18);
const muted = rgb(0.42, 0.45, 0.5);
const barColor = rgb(0.23, 0.41, 0.85);
const ruleColor = rgb(0.85, 0.87, 0.9);

/** What a standard font cannot write becomes "?"; tabs become spaces, other control characters go. */
export function pdfSafeText(text: string, characters: ReadonlySet<number>): string {
  let safe = "";
  for (const character of text.normalize("NFC")) {
    const code = character.codePointAt(0)!;
    if (character === "\t") safe += "    ";
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
    else safe += characters.has(code) ? character : "?";
  }
  return safe;
}

/** Splits `text` into lines no wider than `width`: at spaces where it can, inside a word where it must. */
export function wrapText(text: string, width: number, measure: (line: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = "";
    for (const word of paragraph.split(/ +/)) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (measure(candidate) <= width) {
        line = candidate;
        continue;
      }
      if (line !== "") lines.push(line);
      line = "";
      let rest = word;
      for (let cut = longestFit(rest, width, measure); cut < rest.length; cut = longestFit(rest, width, measure)) {
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * How many leading characters of `text` fit in `width` (at least 1; all of them when it fits). An
 * agent's output may be one "word" of 200,000 characters: the bound is found by doubling, then by
 * halving, so a line costs a few measures of about a line's length, never a measure of the rest.
 */
function longestFit(text: string, width: number, measure: (line: string) => number): number {
  let high = 64;
  while (high < text.length && measure(text.slice(0, high)) <= width) high *= 2;
  let low = 1;
  high = Math.min(high, text.length);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (measure(text.slice(0, middle)) <= width) low = middle;
    else high = middle - 1;
  }
  return low;
}

export class PdfReport {
  private page!: PDFPage;
  private y = 0;
  private readonly characters: ReadonlySet<number>;
  private readonly width = pageSize[0] - 2 * margin;

  private constructor(
    private readonly document: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly header: PdfHeader,
  ) {
    // Helvetica and Helvetica-Bold share the WinAnsi character set.
    this.characters = new Set(regular.getCharacterSet());
    this.newPage();
  }

  static async create(header: PdfHeader): Promise<PdfReport> {
    const document = await PDFDocument.create({ updateMetadata: false });
    document.setCreationDate(header.createdAt);
    document.setModificationDate(header.createdAt);
    document.setProducer("Renum");
    document.setCreator("Renum");
    const [regular, bold] = await Promise.all([document.embedFont(StandardFonts.Helvetica), document.embedFont(StandardFonts.HelveticaBold)]);
    const report = new PdfReport(document, regular, bold, header);
    document.setTitle(report.safe(`${header.title} · ${header.owner}`));
    return report;
  }

  /** A section's heading: level 1 for the document's parts, 2 for an item within one. */
  heading(text: string, level: 1 | 2 = 1): void {
    const size = level === 1 ? 14 : 11.5;
    this.space(level === 1 ? 10 : 6);
    // A heading never sits alone at the foot of a page: room for it and two lines after it.
    this.ensure(size * lineGap + 2 * bodySize * lineGap);
    this.lines(text, { font: this.bold, size });
    this.space(2);
  }

  paragraph(text: string, options: { bold?: boolean; muted?: boolean; size?: number; indent?: number } = {}): void {
    this.lines(text, {
      font: options.bold ? this.bold : this.regular,
      size: options.size ?? bodySize,
      color: options.muted ? muted : ink,
      indent: options.indent ?? 0,
    });
    this.space(4);
  }

  /** "Label: value" lines, the label in bold. */
  facts(pairs: [string, string][]): void {
    for (const [label, value] of pairs) {
      const lead = `${this.safe(label)}: `;
      const leadWidth = this.bold.widthOfTextAtSize(lead, bodySize);
      if (leadWidth > this.width * 0.6) {
        // A label as long as a line (a variable's long name): the label, then its value below.
        this.lines(lead.trimEnd(), { font: this.bold, size: bodySize });
        this.lines(this.safe(value), { font: this.regular, size: bodySize });
        continue;
      }
      const lines = wrapText(this.safe(value), this.width - leadWidth, (line) => this.regular.widthOfTextAtSize(line, bodySize));
      lines.forEach((line, index) => {
        this.ensure(bodySize * lineGap);
        this.y -= bodySize * lineGap;
        if (index === 0) this.page.drawText(lead, { x: margin, y: this.y, size: bodySize, font: this.bold, color: ink });
        this.page.drawText(line, { x: margin + leadWidth, y: this.y, size: bodySize, font: this.regular, color: ink });
      });
    }
    this.space(4);
  }

  /** One bar per row, its length against the largest value, the label to its left and the count after it. */
  bars(rows: PdfBar[]): void {
    const labelWidth = this.width * 0.38;
    const countWidth = 60;
    const barSpace = this.width - labelWidth - countWidth - 8;
    const largest = Math.max(0, ...rows.map((row) => row.value));
    for (const row of rows) {
      const labelLines = wrapText(this.safe(row.label), labelWidth - 6, (line) => this.regular.widthOfTextAtSize(line, bodySize));
      const height = Math.max(1, labelLines.length) * bodySize * lineGap;
      this.ensure(height + 3);
      const top = this.y;
      labelLines.forEach((line, index) => {
        this.page.drawText(line, { x: margin, y: top - (index + 1) * bodySize * lineGap, size: bodySize, font: this.regular, color: ink });
      });
      const barLength = largest > 0 ? Math.max(row.value > 0 ? 1.5 : 0, (row.value / largest) * barSpace) : 0;
      const barY = top - bodySize * lineGap - 2;
      if (barLength > 0) this.page.drawRectangle({ x: margin + labelWidth, y: barY, width: barLength, height: bodySize, color: barColor });
      this.page.drawText(this.safe(row.shown ?? String(row.value)), {
        x: margin + labelWidth + barLength + 6,
        y: top - bodySize * lineGap,
        size: bodySize,
        font: this.bold,
        color: ink,
      });
      this.y = top - height - 3;
    }
    this.space(4);
  }

  /** A thin line across the page, between items. */
  rule(): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: margin, y: this.y }, end: { x: margin + this.width, y: this.y }, thickness: 0.5, color: ruleColor });
    this.y -= 4;
  }

  /** The file: every page numbered now that their count is known. */
  async bytes(): Promise<Uint8Array> {
    const pages = this.document.getPages();
    pages.forEach((page, index) => {
      const label = this.safe(this.header.pageLabel(index + 1, pages.length));
      const width = this.regular.widthOfTextAtSize(label, 8);
      page.drawText(label, { x: pageSize[0] - margin - width, y: footerHeight - 10, size: 8, font: this.regular, color: muted });
    });
    return await this.document.save();
  }

  private safe(text: string): string {
    return pdfSafeText(text, this.characters);
  }

  private lines(text: string, style: { font: PDFFont; size: number; color?: ReturnType<typeof rgb>; indent?: number }): void {
    const indent = style.indent ?? 0;
    const height = style.size * lineGap;
    for (const line of wrapText(this.safe(text), this.width - indent, (candidate) => style.font.widthOfTextAtSize(candidate, style.size))) {
      this.ensure(height);
      this.y -= height;
      if (line !== "") this.page.drawText(line, { x: margin + indent, y: this.y, size: style.size, font: style.font, color: style.color ?? ink });
    }
  }

  private space(points: number): void {
    this.y = Math.max(this.y - points, footerHeight + margin / 2);
  }

  /** A new page when fewer than `height` points are left above the foot. */
  private ensure(height: number): void {
    if (this.y - height < footerHeight + margin / 2) this.newPage();
  }

  private newPage(): void {
    this.page = this.document.addPage(pageSize);
    const top = pageSize[1] - margin / 2;
    const title = this.safe(this.header.title);
    const owner = this.safe(this.header.owner);
    const generated = this.safe(this.header.generated);
    const titleRoom = this.width - this.regular.widthOfTextAtSize(generated, 8) - 12;
    this.page.drawText(fitted(title, titleRoom, (line) => this.bold.widthOfTextAtSize(line, 9)), {
      x: margin, y: top - 9, size: 9, font: this.bold, color: ink,
    });
    this.page.drawText(fitted(owner, titleRoom, (line) => this.regular.widthOfTextAtSize(line, 8)), {
      x: margin, y: top - 21, size: 8, font: this.regular, color: muted,
    });
    this.page.drawText(generated, { x: margin + this.width - this.regular.widthOfTextAtSize(generated, 8), y: top - 9, size: 8, font: this.regular, color: muted });
    this.page.drawLine({ start: { x: margin, y: top - 28 }, end: { x: margin + this.width, y: top - 28 }, thickness: 0.5, color: ruleColor });
    this.y = pageSize[1] - margin / 2 - headerHeight;
  }
}

/** One line of a header: cut with "..." when it is wider than `width`. */
function fitted(text: string, width: number, measure: (line: string) => number): string {
  if (measure(text) <= width) return text;
  let cut = text.length;
  while (cut > 0 && measure(`${text.slice(0, cut)}...`) > width) cut--;
  return `${text.slice(0, cut)}...`;
}
