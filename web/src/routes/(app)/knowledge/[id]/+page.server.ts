// /knowledge/[id]: one knowledge base — its documents (add text, an address or a file; new
// versions, read again, delete), their ingestion status, the versions of the one opened
// (?document=), and the search playground (?q=). Another company's base, or a deleted one, is 404.
import { error, redirect } from "@sveltejs/kit";
import {
  documentDetail,
  knowledgeBase,
  knowledgeDocumentList,
  searchResultList,
  type DocumentDetail,
  type SearchResultList,
} from "$schemas/knowledge.ts";
import { ApiFailure, createApi, currentTenants, formFailure, pageError, type ApiEvent } from "$lib/server/api";
import { supabaseConfig } from "$lib/server/config";
import { sharedEmbeddingKeys } from "$lib/server/embedding-keys";
import { checked, optionalNumber, optionalText, text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function basePath(id: string): string {
  // Not an id at all: the same "not found" as an id that names nothing the user may see.
  if (!uuidPattern.test(id)) error(404, { message: "Knowledge base not found.", code: "knowledge_base_not_found" });
  return `/knowledge-bases/${id}`;
}

function documentPath(id: string | undefined): string {
  if (!id || !uuidPattern.test(id)) error(404, { message: "Document not found.", code: "document_not_found" });
  return `/documents/${id}`;
}

export const load: PageServerLoad = async (event) => {
  const path = basePath(event.params.id);
  const api = createApi(event);
  const params = event.url.searchParams;
  const query = (params.get("q") ?? "").trim().slice(0, 2000);
  const openedId = params.get("document") ?? "";
  try {
    const [base, documents, embeddingKeys] = await Promise.all([
      api.get(path, knowledgeBase),
      api.get("/documents", knowledgeDocumentList, { knowledge_base_id: event.params.id }),
      currentTenants(event).then(({ current }) => sharedEmbeddingKeys(event, current)),
    ]);
    let opened: DocumentDetail | null = null;
    if (uuidPattern.test(openedId) && documents.items.some((document) => document.id === openedId)) {
      opened = await api.get(`/documents/${openedId}`, documentDetail);
    }
    let results: SearchResultList["items"] | null = null;
    if (query) {
      results = (await api.post(`${path}/search`, searchResultList, { query, top_k: 5, min_score: 0.1 })).items;
    }
    return { base, documents: documents.items, opened, query, results, embeddingKeys };
  } catch (cause) {
    pageError(cause);
  }
};

/** The file's type as the documents bucket accepts it: by what the browser said, else by its extension. */
function mimeOf(file: File): string {
  const byName: Record<string, string> = { txt: "text/plain", md: "text/markdown", markdown: "text/markdown", html: "text/html", htm: "text/html", csv: "text/csv", pdf: "application/pdf", docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" };
  const declared = file.type.split(";")[0].trim().toLowerCase();
  if (Object.values(byName).includes(declared)) return declared;
  return byName[file.name.split(".").pop()?.toLowerCase() ?? ""] ?? (declared || "application/octet-stream");
}

/** Puts the file in the documents bucket as the signed-in user (the bucket's policies decide). */
async function uploadToStorage(event: ApiEvent, storagePath: string, file: File, contentType: string): Promise<void> {
  const { url, clientKey } = supabaseConfig();
  const token = event.locals.session?.access_token ?? "";
  const objectPath = storagePath.split("/").map(encodeURIComponent).join("/");
  let response: Response;
  try {
    response = await event.fetch(`${url}/storage/v1/object/documents/${objectPath}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, apikey: clientKey, "content-type": contentType, "cache-control": "max-age=3600", "x-upsert": "false" },
      body: await file.arrayBuffer(),
    });
  } catch (cause) {
    console.error("knowledge: Storage did not answer the upload", cause);
    throw new ApiFailure(503, "api_unreachable", "Storage is not answering right now; try again shortly.");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string; statusCode?: string };
    const tooLarge = response.status === 413 || body.statusCode === "413";
    throw new ApiFailure(tooLarge ? 413 : 422, tooLarge ? "document_too_large" : "document_file_missing", body.message ?? "Storage refused the file.");
  }
}

/** The embedder the form chose (and the key, for openai_compatible); nothing when the form had no such field. */
function embedderChoice(data: FormData) {
  const embedder = optionalText(data, "embedder");
  if (embedder === "openai_compatible") {
    // No key field (nobody offered one): the base keeps its key, and the database refuses a switch without one.
    const key = optionalText(data, "embedding_key_id");
    return key ? { embedder, embedding_key_id: key } as const : { embedder } as const;
  }
  if (embedder === "lexical" || embedder === "gte_small") return { embedder } as const;
  return {};
}

export const actions: Actions = {
  update: async (event) => {
    const path = basePath(event.params.id);
    const data = await event.request.formData();
    try {
      await createApi(event).patch(path, knowledgeBase, {
        name: text(data, "name") ?? "",
        description: text(data, "description") ?? "",
        chunk_size: optionalNumber(data, "chunk_size"),
        chunk_overlap: optionalNumber(data, "chunk_overlap"),
        split_by_headings: checked(data, "split_by_headings"),
        // Only owners and admins get the embedder field (they see the shared keys); another
        // embedder re-embeds every document, queued by the database with the change.
        ...embedderChoice(data),
      });
      return notice("knowledge.base.saved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "base");
    }
  },

  deleteBase: async (event) => {
    const path = basePath(event.params.id);
    try {
      await createApi(event).delete(path);
    } catch (cause) {
      return formFailure(cause, {}, "deleteBase");
    }
    redirect(303, "/knowledge");
  },

  addText: async (event) => {
    basePath(event.params.id);
    const data = await event.request.formData();
    const title = text(data, "title") ?? "";
    try {
      await createApi(event).post("/documents", documentDetail, { source: "text", knowledge_base_id: event.params.id, title, text: text(data, "text") ?? "" });
      return notice("knowledge.documents.added", { title });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "addText");
    }
  },

  addUrl: async (event) => {
    basePath(event.params.id);
    const data = await event.request.formData();
    const title = text(data, "title") ?? "";
    try {
      await createApi(event).post("/documents", documentDetail, { source: "url", knowledge_base_id: event.params.id, title, url: (text(data, "url") ?? "").trim() });
      return notice("knowledge.documents.added", { title });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "addUrl");
    }
  },

  // The API's two steps: the document answers where its file goes, the file goes there (Storage,
  // as the user), then the version names it. A file Storage refused leaves no empty document behind.
  upload: async (event) => {
    basePath(event.params.id);
    const data = await event.request.formData();
    const file = data.get("file");
    const values = typedValues(data);
    if (!(file instanceof File) || file.size === 0) {
      return formFailure(new ApiFailure(422, "validation_failed", "Choose a file.", [{ path: "file", message: "Choose a file." }]), values, "upload");
    }
    const title = optionalText(data, "title") ?? file.name;
    const contentType = mimeOf(file);
    const api = createApi(event);
    let documentId: string | null = null;
    try {
      const created = await api.post("/documents", documentDetail, {
        source: "upload",
        knowledge_base_id: event.params.id,
        title,
        file_name: file.name,
        mime_type: contentType,
        size_bytes: file.size,
      });
      documentId = created.document.id;
      const storagePath = created.next_upload_path ?? "";
      await uploadToStorage(event, storagePath, file, contentType);
      await api.post(`/documents/${documentId}/versions`, documentDetail, { storage_path: storagePath });
      return notice("knowledge.documents.added", { title });
    } catch (cause) {
      if (documentId) await api.delete(`/documents/${documentId}`).catch(() => undefined);
      return formFailure(cause, values, "upload");
    }
  },

  newVersion: async (event) => {
    basePath(event.params.id);
    const data = await event.request.formData();
    const path = documentPath(optionalText(data, "document_id"));
    try {
      await createApi(event).post(`${path}/versions`, documentDetail, { text: text(data, "text") ?? "", note: optionalText(data, "note") });
      return notice("knowledge.documents.versionAdded");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "newVersion");
    }
  },

  reingest: async (event) => {
    basePath(event.params.id);
    const path = documentPath(optionalText(await event.request.formData(), "document_id"));
    try {
      await createApi(event).post(`${path}/reingest`, documentDetail);
      return notice("knowledge.documents.reingested");
    } catch (cause) {
      return formFailure(cause, {}, "reingest");
    }
  },

  deleteDocument: async (event) => {
    basePath(event.params.id);
    const path = documentPath(optionalText(await event.request.formData(), "document_id"));
    try {
      await createApi(event).delete(path);
      return notice("knowledge.documents.deleted");
    } catch (cause) {
      return formFailure(cause, {}, "deleteDocument");
    }
  },
};
