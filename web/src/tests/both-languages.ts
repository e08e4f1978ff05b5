// Component tests render in both languages (useLocale("en") in a test): the app loads English
// only when a person chooses it (the root layout), and a section's words only under its layouts
// (lib/i18n/sections.ts), so here all of them are loaded before any test runs.
import { loadLocale, loadSections, locales, sections } from "$lib/i18n";

await loadLocale("en");
await Promise.all(locales.map((language) => loadSections(sections, language)));
