// The company's US$→R$ rate for showing costs in reais too (#18). Handed down from the app's layout
// as context, not kept in a module: on the server one module serves every company's requests.
import { getContext, setContext } from "svelte";
import { formatCost, type Locale } from "$lib/i18n";

const key = Symbol("usd-brl-rate");

/** In the app's layout: the current company's rate (null = costs in US$ only). */
export function provideCostRate(rate: () => number | null): void {
  setContext(key, rate);
}

/** In a component (at its start): a cost formatter with the company's rate. */
export function costFormatter(): (amountUsd: number, locale: Locale) => string {
  const rate = getContext<(() => number | null) | undefined>(key);
  return (amountUsd, locale) => formatCost(amountUsd, locale, rate?.() ?? null);
}
