import { ApiError } from "../../_shared/errors.ts";
import { requirePublicAddress } from "../../_shared/outbound-address.ts";
import {
  addVersionBody,
  createDocumentBody,
  type DocumentDetail,
  documentListQuery,
  documentParams,
  type DocumentVersion,
  type KnowledgeDocument,
  type KnowledgeDocumentList,
} from "../../_shared/schemas/knowledge.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery, validationFailed } from "../../_shared/validation.ts";
import { refusedOrMissing, requireCapability, type RouteDependencies, routes } from "./context.ts";
import { documentFiles, removeFiles, visibleBase } from "./knowledge-bases.ts";

const managersOnly = "Only the company's owners, admins and members can change documents.";

/**
 * /documents — the documents of the current tenant's knowledge bases (X-Tenant-Id). Adding a
 * version queues ingestion (the `ingest` function); the document's status says how it went.
 *   GET    /documents?knowledge_base_id=   members                                              200, 404
 *   POST   /documents                      manage_knowledge: { source: "text", text } |          201, 403, 404, 422
 *                                          { source: "url", url } | { source: "upload", file_name,
 *                                          mime_type, size_bytes } (+ knowledge_base_id, title)
 *                                          → { document, versions, next_upload_path }. Text and URL
 *                                          documents get version 1 at once; an upload gets it when its
 *                                          file is in Storage at next_upload_path (POST …/versions).
 *   GET    /documents/:id                  members: the document, its versions, next_upload_path  200, 404
 *   POST   /documents/:id/versions         manage_knowledge: { storage_path } (uploads: the file  201, 403, 404, 409, 422
 *                                          already uploaded there) | { text } | {} (URLs: fetched again)
 *   POST   /documents/:id/reingest         manage_knowledge: the newest version's content again    201, 403, 404, 422
 *   DELETE /documents/:id                  manage_knowledge (its chunks go with it)              204, 403, 404
 * Another tenant's document or base is 404 (document_not_found, knowledge_base_not_found).
 */
export function documentRoutes({ signedIn, inTenant, removeDocumentObjects }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const { knowledge_base_id } = parseQuery(c, documentListQuery);
    const items = await c.var.asUser(async (tx) => {
      await visibleBase(tx, c.var.tenant.id, knowledge_base_id);
      const rows = await tx<{ document: KnowledgeDocument }[]>`
        select ${documentJson(tx)} as document from public.documents d
        where d.knowledge_base_id = ${knowledge_base_id} and d.tenant_id = ${c.var.tenant.id}
        order by d.created_at desc, d.id`;
      return rows.map((row) => row.document);
    });
    return c.json({ items } satisfies KnowledgeDocumentList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createDocumentBody);
    requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
    if (body.source === "url") await requirePublicAddress(body.url, "url");
    const detail = await c.var.asUser(async (tx) => {
      await visibleBase(tx, c.var.tenant.id, body.knowledge_base_id);
      const upload = body.source === "upload" ? body : null;
      const [{ id }] = await tx<{ id: string }[]>`
        insert into public.documents (knowledge_base_id, title, source, source_url, file_name, mime_type, size_bytes)
        values (${body.knowledge_base_id}, ${body.title}, ${body.source}, ${body.source === "url" ? body.url : null},
                ${upload?.file_name ?? null}, ${upload?.mime_type ?? null}, ${upload?.size_bytes ?? null})
        returning id`;
      if (body.source === "text") await addTextVersion(tx, id, body.text, "");
      if (body.source === "url") await tx`insert into public.document_versions (document_id) values (${id})`;
      return documentDetail(tx, c.var.tenant.id, id);
    });
    return c.json(detail satisfies DocumentDetail, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, documentParams);
    const detail = await c.var.asUser((tx) => documentDetail(tx, c.var.tenant.id, id));
    return c.json(detail satisfies DocumentDetail);
  });

  app.post("/:id/versions", async (c) => {
    const { id } = parseParams(c, documentParams);
    const body = await parseJsonBody(c, addVersionBody);
    const detail = await c.var.asUser(async (tx) => {
      const document = await visibleDocument(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
      const note = body.note ?? "";
      if (document.source === "text") {
        if (body.text === undefined || body.storage_path !== undefined) throw onlyField("text", "A pasted-text document takes new `text`.");
        await addTextVersion(tx, id, body.text, note);
      } else if (document.source === "url") {
        if (body.text !== undefined || body.storage_path !== undefined) throw onlyField(null, "A URL document takes no content: its address is fetched again.");
        await tx`insert into public.document_versions (document_id, note) values (${id}, ${note})`;
      } else {
        if (body.storage_path === undefined || body.text !== undefined) throw onlyField("storage_path", "An upload takes the `storage_path` its file was uploaded to.");
        await addUploadVersion(tx, document, body.storage_path, note);
      }
      return documentDetail(tx, c.var.tenant.id, id);
    });
    return c.json(detail satisfies DocumentDetail, 201);
  });

  app.post("/:id/reingest", async (c) => {
    const { id } = parseParams(c, documentParams);
    const detail = await c.var.asUser(async (tx) => {
      const document = await visibleDocument(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
      if (document.latest_version === 0) {
        throw new ApiError(422, "document_nothing_to_reingest", "This document has no version yet: upload its file first.");
      }
      await tx`
        insert into public.document_versions (document_id, change, content_hash, size_bytes, storage_path, pasted_text, note)
        select v.document_id, 'reingested', v.content_hash, v.size_bytes, v.storage_path, v.pasted_text, 'reingested'
        from public.document_versions v where v.document_id = ${id} and v.version = ${document.latest_version}`;
      return documentDetail(tx, c.var.tenant.id, id);
    });
    return c.json(detail satisfies DocumentDetail, 201);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, documentParams);
    const files = await c.var.asUser(async (tx) => {
      await visibleDocument(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
      const paths = await documentFiles(tx, tx`d.id = ${id} and d.tenant_id = ${c.var.tenant.id}`);
      const deleted = await tx`delete from public.documents d where d.id = ${id} and d.tenant_id = ${c.var.tenant.id} returning d.id`;
      if (deleted.length === 0) throw refusedOrMissing(true, "Document", managersOnly);
      return paths;
    });
    // Once the rows are gone for good: its files go too, so the bucket keeps no orphans.
    await removeFiles(removeDocumentObjects, files, c.get("requestId"));
    return c.body(null, 204);
  });

  return app;
}

function onlyField(path: string | null, message: string): ApiError {
  return validationFailed("The request", [{ path: path ?? "", message }]);
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function addTextVersion(tx: TransactionSql, documentId: string, text: string, note: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await tx`
    insert into public.document_versions (document_id, pasted_text, size_bytes, content_hash, note)
    values (${documentId}, ${text}, ${bytes.byteLength}, ${await sha256Hex(bytes)}, ${note})`;
}

/**
 * An upload's new version: its file must already be in the documents bucket at
 * `<tenant>/<document>/<the version it becomes>/<file name>` (the caller must be able to see it);
 * when another version got that number first, 409 document_version_stale and nothing is written.
 */
async function addUploadVersion(tx: TransactionSql, document: KnowledgeDocument, storagePath: string, note: string): Promise<void> {
  const next = document.latest_version + 1;
  const prefix = `${document.tenant_id}/${document.id}/${next}/`;
  const fileName = storagePath.startsWith(prefix) ? storagePath.slice(prefix.length) : "";
  if (!fileName || /[/\\\p{Cc}]/u.test(fileName)) {
    throw validationFailed("The request", [{ path: "storage_path", message: `Must be ${prefix}<file name>, where the file was uploaded.` }]);
  }
  const [stored] = await tx<{ size: number | null }[]>`
    select (o.metadata ->> 'size')::bigint as size from storage.objects o where o.bucket_id = 'documents' and o.name = ${storagePath}`;
  if (!stored) throw new ApiError(422, "document_file_missing", "No file was uploaded at storage_path.", { details: { storage_path: storagePath } });
  const [{ version }] = await tx<{ version: number }[]>`
    insert into public.document_versions (document_id, storage_path, size_bytes, note)
    values (${document.id}, ${storagePath}, ${stored.size}, ${note})
    returning version`;
  if (version !== next) {
    throw new ApiError(409, "document_version_stale", "Another version was added meanwhile: upload the file again to the new path.");
  }
}

function documentJson(tx: TransactionSql) {
  return tx`(to_jsonb(d) - 'ingest_worker' - 'ingest_lease_until' - 'ingest_attempts' - 'ingest_not_before')`;
}

async function visibleDocument(tx: TransactionSql, tenantId: string, id: string): Promise<KnowledgeDocument> {
  const [row] = await tx<{ document: KnowledgeDocument }[]>`
    select ${documentJson(tx)} as document from public.documents d where d.id = ${id} and d.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "document_not_found", "No document with this id in this company.");
  return row.document;
}

async function documentDetail(tx: TransactionSql, tenantId: string, id: string): Promise<DocumentDetail> {
  const document = await visibleDocument(tx, tenantId, id);
  const versions = await tx<DocumentVersion[]>`
    select v.version, v.change::text as change, v.storage_path, v.size_bytes::integer as size_bytes, v.note, v.created_by, to_jsonb(v.created_at) #>> '{}' as created_at
    from public.document_versions v where v.document_id = ${id} order by v.version desc`;
  const nextUploadPath = document.source === "upload" && document.file_name
    ? `${document.tenant_id}/${document.id}/${document.latest_version + 1}/${document.file_name}`
    : null;
  return { document, versions: [...versions], next_upload_path: nextUploadPath };
}
