// Dates, numbers and money as each language writes them (Intl), never by hand.
import type { Locale } from "./locales";

export function formatDate(value: string | Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(value));
}

export function formatDateTime(value: string | Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

export function formatNumber(value: number, locale: Locale, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(locale, options).format(value);
}

/** Provider costs are billed in US dollars; `currency` says otherwise for amounts in reais. */
export function formatCurrency(amount: number, locale: Locale, currency: "USD" | "BRL" = "USD"): string {
  // A few tokens of a small model cost millionths of a dollar: shown, not rounded to zero.
  if (amount !== 0 && Math.abs(amount) < 0.0001) {
    return new Intl.NumberFormat(locale, { style: "currency", currency, maximumSignificantDigits: 2 }).format(amount);
  }
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2,
  }).format(amount);
}

/**
 * What a run, a step or an agent cost, at one precision everywhere: 4 decimals below US$ 1 (a step
 * costs cents or less, and a total must not read rounder than its parts), 2 from there; a non-zero
 * amount too small for 4 decimals keeps 2 significant digits rather than reading 0. With the
 * company's rate (R$ per US$, #18) the amount in reais follows; the ledger itself stays in dollars.
 */
export function formatCost(amountUsd: number, locale: Locale, usdBrlRate: number | null = null): string {
  const dollars = costAmount(amountUsd, locale, "USD");
  return usdBrlRate ? `${dollars} (${costAmount(amountUsd * usdBrlRate, locale, "BRL")})` : dollars;
}

function costAmount(amount: number, locale: Locale, currency: "USD" | "BRL"): string {
  const magnitude = Math.abs(amount);
  if (magnitude !== 0 && magnitude < 0.00005) {
    return new Intl.NumberFormat(locale, { style: "currency", currency, maximumSignificantDigits: 2 }).format(amount);
  }
  const digits = magnitude < 1 ? 4 : 2;
  return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
}

/** "há 3 minutos" / "3 minutes ago", for what happened recently; a date beyond a week. */
export function formatRelative(value: string | Date, locale: Locale, now: Date = new Date()): string {
  const seconds = Math.round((new Date(value).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, "second");
  if (abs < 3600) return format.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86_400) return format.format(Math.round(seconds / 86_400), "day");
  return formatDate(value, locale);
}
