// Numbers people type into a form and read back in it, in their language: pt-BR writes "0,5" and
// "1.000", English "0.5" and "1,000". Typing the other language's way still works when it cannot
// mean anything else ("0.5" in pt-BR is a half: a thousands group has three digits).
import type { Locale } from "./locales";

function separators(locale: Locale): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    group: parts.find((part) => part.type === "group")?.value ?? ",",
    decimal: parts.find((part) => part.type === "decimal")?.value ?? ".",
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The number `text` spells in `locale`, or null when it spells none (blank included). */
export function parseDecimal(text: string, locale: Locale): number | null {
  const typed = text.trim().replace(/[\s\u00a0\u202f]/g, "");
  if (typed === "") return null;
  const { group, decimal } = separators(locale);
  let plain: string;
  if (typed.includes(decimal)) {
    plain = typed.split(group).join("").replace(decimal, ".");
  } else if (typed.includes(group)) {
    const grouped = new RegExp(`^[-+]?\\d{1,3}(?:${escape(group)}\\d{3})+$`).test(typed);
    plain = grouped ? typed.split(group).join("") : typed.replace(group, ".");
  } else {
    plain = typed;
  }
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(plain)) return null;
  return Number(plain);
}

/** A number as an input shows it for editing: the locale's decimal mark, no thousands groups. */
export function formatDecimalInput(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 20 }).format(value);
}
