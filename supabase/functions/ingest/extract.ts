// Plain text out of a document's bytes, by its type: text, Markdown and CSV as they are (UTF-8);
// HTML without scripts, styles and tags, its headings turned into Markdown ones so the chunker
// keeps them; PDF page by page (unpdf: pdf.js's text layer, so a scan without one is empty); DOCX
// through mammoth's HTML, so its Heading styles become Markdown headings like HTML's.
import { IngestFailure } from "./ingest-failure.ts";
import { docxToHtml, pdfPages } from "./parsers.ts";

export type DocumentFormat = "text" | "markdown" | "csv" | "html" | "pdf" | "docx";

/** A document's text in parts: one for most formats, one per page of a PDF (numbered from 1). */
export interface TextPart {
  text: string;
  page?: number;
}

const formatsByMime: Record<string, DocumentFormat> = {
  "text/plain": "text",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/csv": "csv",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
};
const formatsByExtension: Record<string, DocumentFormat> = {
  txt: "text",
  text: "text",
  md: "markdown",
  markdown: "markdown",
  csv: "csv",
  html: "html",
  htm: "html",
  pdf: "pdf",
  docx: "docx",
};

/** The format of a document from its MIME type (parameters ignored), else its file name's extension. */
export function formatOf(mimeType: string | null | undefined, fileName: string | null | undefined): DocumentFormat {
  const mime = (mimeType ?? "").split(";")[0].trim().toLowerCase();
  const extension = (fileName ?? "").toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";
  const format = formatsByMime[mime] ?? formatsByExtension[extension];
  if (format) return format;
  throw new IngestFailure("document_type_unsupported", `documents of type ${mime || extension || "unknown"} cannot be read yet`);
}

const namedEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1].toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[name.toLowerCase()] ?? whole;
  });
}

/** HTML's readable text: headings as `#` lines, blocks as paragraphs, no markup. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<(script|style|noscript|template|head|svg)\b[\s\S]*?<\/\1\s*>/gi, "")
      .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_, level: string, inner: string) =>
        `\n\n${"#".repeat(Number(level))} ${inner.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim()}\n\n`)
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<\/?(p|div|section|article|li|ul|ol|tr|table|blockquote|pre|header|footer|main|nav)\b[^>]*>/gi, "\n\n")
      .replace(/<[^>]*>/g, ""),
  )
    .replace(/[ \t]+/g, " ")
    .replace(/\n[ \t]+/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * The document's text in parts; fails with document_unreadable when a PDF or DOCX cannot be parsed
 * (damaged, encrypted, or not what its type says) and document_encoding when text is not UTF-8.
 */
export async function extractDocument(bytes: Uint8Array, format: DocumentFormat): Promise<TextPart[]> {
  if (format === "pdf") {
    const pages = await parsed("PDF", () => pdfPages(bytes));
    return pages.map((text, index) => ({ text: text.trim(), page: index + 1 })).filter((part) => part.text !== "");
  }
  if (format === "docx") return [{ text: htmlToText(await parsed("Word", () => docxToHtml(bytes))) }];
  return [{ text: extractText(bytes, format) }];
}

async function parsed<T>(kind: string, parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch {
    // The parser's own message may quote the file; the document shows ours.
    throw new IngestFailure("document_unreadable", `the ${kind} file could not be read (damaged, protected by a password, or not a ${kind} file)`);
  }
}

/** A text format's text; fails with document_encoding when the bytes are not UTF-8. */
export function extractText(bytes: Uint8Array, format: Exclude<DocumentFormat, "pdf" | "docx">): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new IngestFailure("document_encoding", "the document is not UTF-8 text");
  }
  return format === "html" ? htmlToText(text) : text;
}
