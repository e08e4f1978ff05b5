// /knowledge: the company's knowledge bases; those who may (manage_knowledge) create one here.
// Owners and admins (who see the company's keys) may also pick the OpenAI-compatible embedder with
// one of the keys shared with the company — the only keys a base may use (the database checks).
import { redirect } from "@sveltejs/kit";
import { knowledgeBase, knowledgeBaseList } from "$schemas/knowledge.ts";
import { createApi, currentTenants, formFailure, pageError } from "$lib/server/api";
import { sharedEmbeddingKeys } from "$lib/server/embedding-keys";
import { checked, optionalNumber, optionalText, text, typedValues } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    const [bases, { current }] = await Promise.all([createApi(event).get("/knowledge-bases", knowledgeBaseList), currentTenants(event)]);
    const embeddingKeys = await sharedEmbeddingKeys(event, current);
    return { bases: bases.items, embeddingKeys };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  create: async (event) => {
    const data = await event.request.formData();
    let created;
    try {
      created = await createApi(event).post("/knowledge-bases", knowledgeBase, {
        name: text(data, "name") ?? "",
        description: text(data, "description") ?? "",
        language: optionalText(data, "language"),
        chunk_size: optionalNumber(data, "chunk_size"),
        chunk_overlap: optionalNumber(data, "chunk_overlap"),
        split_by_headings: checked(data, "split_by_headings"),
        ...(optionalText(data, "embedder") === "openai_compatible"
          ? { embedder: "openai_compatible" as const, embedding_key_id: optionalText(data, "embedding_key_id") ?? "" }
          : {}),
      });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "create");
    }
    redirect(303, `/knowledge/${created.id}`);
  },
};
