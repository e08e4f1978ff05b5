// The two binary formats' parsers, loaded on first use (pdf.js is large; most documents are text):
//   PDF  — unpdf, pdf.js's serverless build: the text layer of each page.
//   DOCX — mammoth: the document as semantic HTML (Heading 1–6 styles become <h1>–<h6>).
import { Buffer } from "node:buffer";

/** Each page's text, in order (an empty string for a page without a text layer). */
export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const { extractText } = await import("unpdf");
  // pdf.js may take the buffer over (transfer it to its worker): give it a copy.
  const { text } = await extractText(bytes.slice(), { mergePages: false });
  return text;
}

/** The Word document as HTML. */
export async function docxToHtml(bytes: Uint8Array): Promise<string> {
  const mammoth = (await import("mammoth")).default;
  const promises = (await import("mammoth/lib/promises.js")).default as { toExternalPromise: (promise: Promise<unknown>) => Promise<unknown> };
  // mammoth wraps its answers in a Promise subclass built by assigning `__proto__`, which Deno (and
  // so the Edge Runtime) does not provide: the wrapper would lack `resolve`. Its answer is a plain
  // promise either way (it only adds the old `.done()`), so hand that back as it is.
  promises.toExternalPromise = (promise) => Promise.resolve(promise);
  const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
  return value;
}
