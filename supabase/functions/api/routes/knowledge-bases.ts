import { ApiError } from "../../_shared/errors.ts";
import { queryEmbedding, type SearchedBase } from "../../_shared/embeddings/knowledge-base-embedder.ts";
import {
  createKnowledgeBaseBody,
  type KnowledgeBase,
  type KnowledgeBaseList,
  knowledgeBaseParams,
  searchBody,
  type SearchResultList,
  updateKnowledgeBaseBody,
} from "../../_shared/schemas/knowledge.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { columnList, givenColumns, refusedOrMissing, requireCapability, type RouteDependencies, routes } from "./context.ts";

const managersOnly = "Only the company's owners, admins and members can change knowledge bases.";

/**
 * /knowledge-bases — the current tenant's knowledge bases (X-Tenant-Id).
 *   GET    /knowledge-bases              members (analysts too)                                200
 *   POST   /knowledge-bases              manage_knowledge: { name, description?, language?,     201, 403, 422
 *                                        embedder?, chunk_size?, chunk_overlap?, split_by_headings? }
 *   GET    /knowledge-bases/:id          members                                               200, 404
 *   PATCH  /knowledge-bases/:id          manage_knowledge: name, description, chunking,        200, 403, 404, 422
 *                                        embedding_key_id, embedder (another embedder re-embeds
 *                                        every document: the database queues it with the change;
 *                                        422 embedding_key_required switching to openai_compatible
 *                                        without a key, 403 embedding_key_not_usable)
 *   DELETE /knowledge-bases/:id          manage_knowledge; 409 knowledge_base_in_use while     204, 403, 404, 409
 *                                        agents name it (its documents and chunks go with it)
 *   POST   /knowledge-bases/:id/search   members: { query, top_k?, min_score?, vector_weight? }  200, 404, 422
 *                                        → hybrid results with both score parts (the playground)
 * Another tenant's base is 404 knowledge_base_not_found, as a missing one.
 */
export function knowledgeBaseRoutes({ sql, signedIn, inTenant, removeDocumentObjects, providers }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ base: KnowledgeBase }[]>`
        select ${baseJson(tx)} as base from public.knowledge_bases kb
        where kb.tenant_id = ${c.var.tenant.id}
        order by kb.name, kb.id`;
      return rows.map((row) => row.base);
    });
    return c.json({ items } satisfies KnowledgeBaseList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createKnowledgeBaseBody);
    requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
    const values: Record<string, unknown> = { ...body, tenant_id: c.var.tenant.id, created_by: c.var.claims.sub };
    if (body.embedder === "gte_small") values.embedding_model = "gte-small";
    // An OpenAI-compatible base takes OpenAI's model at 384 dimensions (the database's default for it).
    const columns = givenColumns(values);
    const base = await c.var.asUser(async (tx) => {
      const [{ id }] = await tx<{ id: string }[]>`
        insert into public.knowledge_bases (${columnList(tx, columns)})
        select ${columnList(tx, columns)} from jsonb_populate_record(null::public.knowledge_bases, ${tx.json(values as never)})
        returning id`;
      return visibleBase(tx, c.var.tenant.id, id);
    });
    return c.json(base satisfies KnowledgeBase, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, knowledgeBaseParams);
    const base = await c.var.asUser((tx) => visibleBase(tx, c.var.tenant.id, id));
    return c.json(base satisfies KnowledgeBase);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, knowledgeBaseParams);
    const body = await parseJsonBody(c, updateKnowledgeBaseBody);
    const columns = givenColumns(body);
    const base = await c.var.asUser(async (tx) => {
      await visibleBase(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
      if (columns.length > 0) {
        const updated = await tx`
          update public.knowledge_bases kb set (${columnList(tx, columns)}) =
            (select ${columnList(tx, columns)} from jsonb_populate_record(null::public.knowledge_bases, ${tx.json(body as never)}))
          where kb.id = ${id} and kb.tenant_id = ${c.var.tenant.id} returning kb.id`;
        if (updated.length === 0) throw refusedOrMissing(true, "Knowledge base", managersOnly);
      }
      return visibleBase(tx, c.var.tenant.id, id);
    });
    return c.json(base satisfies KnowledgeBase);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, knowledgeBaseParams);
    const files = await c.var.asUser(async (tx) => {
      await visibleBase(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_knowledge", managersOnly);
      const paths = await documentFiles(tx, tx`d.knowledge_base_id = ${id} and d.tenant_id = ${c.var.tenant.id}`);
      const deleted = await tx`delete from public.knowledge_bases kb where kb.id = ${id} and kb.tenant_id = ${c.var.tenant.id} returning kb.id`;
      if (deleted.length === 0) throw refusedOrMissing(true, "Knowledge base", managersOnly);
      return paths;
    });
    // Its documents' files leave Storage with them.
    await removeFiles(removeDocumentObjects, files, c.get("requestId"));
    return c.body(null, 204);
  });

  app.post("/:id/search", async (c) => {
    const { id } = parseParams(c, knowledgeBaseParams);
    const body = await parseJsonBody(c, searchBody);
    const base = await c.var.asUser((tx) => visibleBase(tx, c.var.tenant.id, id));
    // The query's vector by the base's embedder: an OpenAI-compatible base's with its company key
    // (decrypted by the service role in the searcher's name); without one, the words alone.
    const embedding = await queryEmbedding(sql, [base as SearchedBase], body.query, { purpose: "search playground", causedBy: c.var.claims.sub }, {
      openAiBaseUrl: providers.openai,
    }, (entry) => console.log(JSON.stringify({ ...entry, request_id: c.get("requestId") })));
    const items = await c.var.asUser(async (tx) => {
      return [...await tx<SearchResultList["items"]>`
        select chunk_id, document_id, document_title, version, chunk_index, content, heading_path, page,
               vector_score, text_score, score, snippet
        from public.search_knowledge(${body.query}, ${embedding}::extensions.vector, array[${id}]::uuid[],
                                     ${body.top_k ?? 5}, ${body.min_score ?? 0.5}, ${body.vector_weight ?? 0.5})`];
    });
    return c.json({ items } satisfies SearchResultList);
  });

  return app;
}

function baseJson(tx: TransactionSql) {
  return tx`to_jsonb(kb) || jsonb_build_object('document_count', (select count(*) from public.documents d where d.knowledge_base_id = kb.id))`;
}

/** The base if the caller's company has it; 404 knowledge_base_not_found otherwise (another company's too). */
export async function visibleBase(tx: TransactionSql, tenantId: string, id: string): Promise<KnowledgeBase> {
  const [row] = await tx<{ base: KnowledgeBase }[]>`
    select ${baseJson(tx)} as base from public.knowledge_bases kb where kb.id = ${id} and kb.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "knowledge_base_not_found", "No knowledge base with this id in this company.");
  return row.base;
}

/**
 * The Storage paths of the documents matching `where` (on `public.documents d`): the objects of all
 * their versions and every file uploaded under them (a version whose file was uploaded but never
 * named included), read through RLS before the rows go.
 */
export async function documentFiles(tx: TransactionSql, where: ReturnType<TransactionSql>): Promise<string[]> {
  const rows = await tx<{ name: string }[]>`
    select distinct o.name from storage.objects o
    join public.documents d on o.name like d.tenant_id::text || '/' || d.id::text || '/%'
    where o.bucket_id = 'documents' and ${where}`;
  return rows.map((row) => row.name);
}

/** Removes the deleted documents' files; a failure is logged (the rows are gone either way) and not the caller's. */
export async function removeFiles(remove: (paths: string[]) => Promise<void>, paths: string[], requestId: unknown): Promise<void> {
  if (paths.length === 0) return;
  try {
    await remove(paths);
  } catch (cause) {
    console.error(JSON.stringify({ level: "error", msg: "document files not removed from Storage", request_id: requestId, paths: paths.length, error: String(cause) }));
  }
}
