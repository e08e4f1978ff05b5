// The MCP tokens' words (credentials) (lib/i18n/sections.ts), in the person's language, before the pages render.
import { loadSections } from "$lib/i18n";
import type { LayoutLoad } from "./$types";

export const load: LayoutLoad = async ({ parent }) => {
  await loadSections(["credentials"], (await parent()).locale);
};
