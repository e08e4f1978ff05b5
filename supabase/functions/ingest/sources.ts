// A claimed document's bytes and format, from where its version says: the pasted text, the URL
// (fetched through the egress rules with size and time limits: no private addresses, no redirects
// into them), or the Storage object the upload wrote (read with the service key).
import { type EgressFetch, isEgressError } from "../_shared/egress.ts";
import { type DocumentFormat, extractDocument, formatOf, type TextPart } from "./extract.ts";
import { IngestFailure } from "./ingest-failure.ts";

export interface DocumentSource {
  source: "upload" | "url" | "text";
  source_url: string | null;
  file_name: string | null;
  mime_type: string | null;
  storage_path: string | null;
  pasted_text: string | null;
}

export interface SourceReaders {
  /** egressFetch with the URL limits below. */
  fetchUrl: EgressFetch;
  /** GET of an object in the documents bucket, as the service role. */
  downloadObject: (path: string) => Promise<Response>;
}

/** The URL limits: what a web page or a text document may take. */
export const urlLimits = { timeoutMs: 20_000, maxResponseBytes: 10 * 1024 * 1024 };
/** The documents bucket's own limit (20261122002020_knowledge_ingest.sql). */
export const maxFileBytes = 20 * 1024 * 1024;

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

async function bodyBytes(answer: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(answer.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await answer.body?.cancel();
    throw new IngestFailure("document_too_large", `the document is larger than ${limit} bytes`);
  }
  try {
    const bytes = new Uint8Array(await answer.arrayBuffer());
    if (bytes.byteLength > limit) throw new IngestFailure("document_too_large", `the document is larger than ${limit} bytes`);
    return bytes;
  } catch (error) {
    if (error instanceof IngestFailure) throw error;
    if (isEgressError(error) && error.code === "response_too_large") {
      throw new IngestFailure("document_too_large", `the document is larger than ${limit} bytes`);
    }
    throw new IngestFailure("document_fetch_failed", "the document could not be read to its end", true);
  }
}

async function fetchUrl(url: string, fallbackMime: string | null, readers: SourceReaders): Promise<{ bytes: Uint8Array; format: DocumentFormat }> {
  let answer: Response;
  try {
    answer = await readers.fetchUrl(url, { headers: { accept: "text/html, text/markdown, text/plain, text/csv;q=0.9, application/pdf;q=0.8, application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.8, */*;q=0.1" } });
  } catch (error) {
    if (isEgressError(error)) throw new IngestFailure("document_fetch_failed", `the address was refused (${error.code})`);
    throw new IngestFailure("document_fetch_failed", "the address did not answer in time", true);
  }
  if (!answer.ok) {
    await answer.body?.cancel();
    throw new IngestFailure("document_fetch_failed", `the address answered ${answer.status}`, retryableStatus(answer.status));
  }
  const format = formatOf(answer.headers.get("content-type") ?? fallbackMime, new URL(url).pathname);
  return { bytes: await bodyBytes(answer, urlLimits.maxResponseBytes), format };
}

async function downloadFile(document: DocumentSource, readers: SourceReaders): Promise<{ bytes: Uint8Array; format: DocumentFormat }> {
  if (!document.storage_path) throw new IngestFailure("document_source_missing", "the version names no file");
  const format = formatOf(document.mime_type, document.file_name);
  let answer: Response;
  try {
    answer = await readers.downloadObject(document.storage_path);
  } catch {
    throw new IngestFailure("document_fetch_failed", "Storage did not answer", true);
  }
  if (answer.status === 400 || answer.status === 404) {
    await answer.body?.cancel();
    throw new IngestFailure("document_file_missing", "the uploaded file is not in Storage");
  }
  if (!answer.ok) {
    await answer.body?.cancel();
    throw new IngestFailure("document_fetch_failed", `Storage answered ${answer.status}`, retryableStatus(answer.status));
  }
  return { bytes: await bodyBytes(answer, maxFileBytes), format };
}

/**
 * The document's plain text (headings as Markdown) in parts — a PDF's by page —, or an IngestFailure
 * saying why not.
 */
export async function readDocumentText(document: DocumentSource, readers: SourceReaders): Promise<TextPart[]> {
  let read: { bytes: Uint8Array; format: DocumentFormat };
  switch (document.source) {
    case "text":
      if (!document.pasted_text) throw new IngestFailure("document_source_missing", "the version has no text");
      return [{ text: document.pasted_text }];
    case "url":
      if (!document.source_url) throw new IngestFailure("document_source_missing", "the document has no address");
      read = await fetchUrl(document.source_url, document.mime_type, readers);
      break;
    case "upload":
      read = await downloadFile(document, readers);
      break;
  }
  return await extractDocument(read.bytes, read.format);
}
