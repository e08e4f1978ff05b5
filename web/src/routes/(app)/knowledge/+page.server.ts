// /knowledge: the company's knowledge bases; those who may (manage_knowledge) create one here.
import { redirect } from "@sveltejs/kit";
import { knowledgeBase, knowledgeBaseList } from "$schemas/knowledge.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { checked, optionalNumber, optionalText, text, typedValues } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  try {
    const bases = await createApi(event).get("/knowledge-bases", knowledgeBaseList);
    return { bases: bases.items };
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
      });
    } catch (cause) {
      return formFailure(cause, typedValues(data), "create");
    }
    redirect(303, `/knowledge/${created.id}`);
  },
};
