// The page's words outside a page (a file the server writes, such as a run's export): the same
// messages as the pages, in the language asked for, whatever language another request is using.
import { formatMessage, loadLocale, loadSections, sections } from "$lib/i18n";
import type { Translate } from "$lib/i18n/api-messages";
import type { Locale } from "$lib/i18n/locales";

export async function translator(locale: Locale): Promise<Translate> {
  await Promise.all([loadLocale(locale), loadSections(sections, locale)]);
  return (id, options) => formatMessage(id, { ...options, locale });
}
