import postgres from "postgres";

export type Sql = postgres.Sql;

/**
 * A connection pool to SUPABASE_DB_URL. In production this is the transaction pooler, which cannot
 * keep server-side prepared statements, hence `prepare: false`.
 */
export function connectDatabase(databaseUrl: string, options: { max?: number } = {}): Sql {
  return postgres(databaseUrl, {
    prepare: false,
    max: options.max ?? 5,
    idle_timeout: 20,
    connect_timeout: 10,
    connection: { application_name: "renum-functions" },
  });
}
