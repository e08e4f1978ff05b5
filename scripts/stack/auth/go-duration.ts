// Go's time.ParseDuration, which GoTrue uses for `ban_duration` and for the session timeouts in
// supabase/config.toml ("24h", "1h30m", "90s", "none" is handled by the callers).
const unitMilliseconds: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or null when the text is not a Go duration. */
export function parseGoDuration(text: string): number | null {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === "0") return 0;
  if (!match) return null;
  const sign = match[1] === "-" ? -1 : 1;
  let total = 0;
  for (const part of text.slice(match[1].length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unitMilliseconds[part[2]];
  }
  return sign * total;
}
