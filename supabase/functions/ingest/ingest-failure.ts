// Why an ingest job failed, as the document will show it: a stable code (translated by the web),
// our own words (never a remote's body), and whether trying again later may help.
export type IngestFailureCode =
  | "document_source_missing"
  | "document_file_missing"
  | "document_fetch_failed"
  | "document_too_large"
  | "document_type_unsupported"
  | "document_encoding"
  | "document_unreadable"
  | "document_empty"
  | "embedding_request_failed"
  | "embedding_answer_invalid"
  | "embedding_unavailable"
  | "embedding_key_unavailable"
  | "embedding_key_refused"
  | "ingest_failed";

export class IngestFailure extends Error {
  override readonly name = "IngestFailure";
  constructor(readonly code: IngestFailureCode, message: string, readonly retryable = false) {
    super(message);
  }
}
