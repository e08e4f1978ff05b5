// A "from day – to day" filter as people read it (both days included), from a GET form's dates
// (YYYY-MM-DD), for APIs whose `from` is inclusive and `to` exclusive.

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** The date when it is a real YYYY-MM-DD day, else "" (a hand-edited URL is ignored, not an error). */
export function validDate(value: string | null): string {
  return value && datePattern.test(value) && !Number.isNaN(Date.parse(value)) ? value : "";
}

/** The day after `date` (YYYY-MM-DD). */
export function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export interface DayRange {
  /** What the form shows. */
  from: string;
  to: string;
  /** What the API is asked: `to` moved to the next day's start, since the API's is exclusive. */
  query: { from: string; to: string };
}

export function dayRange(params: URLSearchParams): DayRange {
  const from = validDate(params.get("from"));
  const to = validDate(params.get("to"));
  return { from, to, query: { from, to: to ? dayAfter(to) : "" } };
}
