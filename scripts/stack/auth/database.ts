// The Auth stand-in's connection to the stack's database. It connects as `postgres` and writes the
// `auth` tables with SQL, the way GoTrue does as supabase_auth_admin, so triggers on auth.users in
// our migrations fire as they would on Supabase.
import postgres from "postgres";

export type Sql = postgres.Sql;
export type Transaction = postgres.TransactionSql;
/** Either the pool or a transaction: everything that runs queries. */
export type Queryable = Sql | Transaction;

/** Timestamps stay Postgres text ("2024-05-16 10:05:47.409361+00", session UTC) so no microseconds are lost. */
export function openDatabase(url: string): Sql {
  return postgres(url, {
    max: 10,
    idle_timeout: 30,
    connection: { TimeZone: "UTC", application_name: "renum-auth" },
    onnotice: () => {},
    types: {
      date: {
        to: 1184,
        from: [1082, 1114, 1184],
        serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : String(value)),
        parse: (value: string) => value,
      },
    },
  });
}

/**
 * A Postgres timestamp as Go's time.Time marshals to JSON (RFC 3339 with up to nanoseconds,
 * trailing zeros dropped): "2024-05-16 10:05:47.409300+00" → "2024-05-16T10:05:47.4093Z".
 */
export function goTime(value: string): string;
export function goTime(value: string | null): string | null;
export function goTime(value: string | null): string | null {
  if (value === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([+-]\d{2}(?::?\d{2})?)?$/.exec(value);
  if (!match) return value;
  const [, date, time, fraction = "", zone] = match;
  const digits = fraction.replace(/0+$/, "");
  const offset = !zone || /^[+-]00(:?00)?$/.test(zone) ? "Z" : zone.length === 3 ? `${zone}:00` : zone;
  return `${date}T${time}${digits ? `.${digits}` : ""}${offset}`;
}

/** Seconds since the epoch of a Postgres timestamp in UTC. */
export function epochSeconds(value: string): number {
  return Math.floor(Date.parse(goTime(value)) / 1000);
}
