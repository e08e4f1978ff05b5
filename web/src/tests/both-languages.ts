// Component tests render in both languages (useLocale("en") in a test): the app loads English
// only when a person chooses it (the root layout), so here it is loaded before any test runs.
import { loadLocale } from "$lib/i18n";

await loadLocale("en");
