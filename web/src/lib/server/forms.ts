// Reading what a form sent, as the API's request bodies want it.

/** Every text field as typed, for putting back into the form after a failure; `secret` fields are left out. */
export function typedValues(data: FormData, ...secret: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of data.entries()) {
    if (typeof value === "string" && !secret.includes(name)) values[name] = value;
  }
  return values;
}

/** The field's text, or undefined when it was not sent. */
export function text(data: FormData, name: string): string | undefined {
  const value = data.get(name);
  return typeof value === "string" ? value : undefined;
}

/** The field's text trimmed, or undefined when empty or not sent (an optional field left blank). */
export function optionalText(data: FormData, name: string): string | undefined {
  const value = text(data, name)?.trim();
  return value ? value : undefined;
}

/** The field as a number, undefined when left blank; text that is not a number is passed on for the API to name. */
export function optionalNumber(data: FormData, name: string): number | string | undefined {
  const value = optionalText(data, name);
  if (value === undefined) return undefined;
  const number = Number(value.replace(",", "."));
  return Number.isFinite(number) ? number : value;
}

/** A checkbox: true when checked. */
export function checked(data: FormData, name: string): boolean {
  const value = data.get(name);
  return value === "on" || value === "true";
}

/** Every value of a repeated field (checkbox groups). */
export function all(data: FormData, name: string): string[] {
  return data.getAll(name).filter((value): value is string => typeof value === "string" && value !== "");
}
