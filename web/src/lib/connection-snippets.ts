// What a person pastes into their tools right after making a credential: the connection string and
// a psql line for an analyst's SQL login, and the client configuration for an MCP token. Built
// from what the API answered once; nothing here is kept.

/** Where an analyst's SQL login connects (the web server's settings; see $lib/server/config). */
export interface AnalystDatabase {
  host: string;
  port: number;
  database: string;
  /** Added to the login's name in the user name: `.<project ref>` through Supabase's pooler. */
  userSuffix: string;
}

export interface AnalystConnection {
  user: string;
  host: string;
  port: string;
  database: string;
  url: string;
  psql: string;
}

/** The login's connection string and a first query; placeholders where the server knows no database. */
export function analystConnection(login: { role_name: string; password: string }, database: AnalystDatabase | null): AnalystConnection {
  const user = `${login.role_name}${database?.userSuffix ?? ""}`;
  const host = database?.host ?? "<host>";
  const port = database ? String(database.port) : "<port>";
  const name = database?.database ?? "postgres";
  const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(login.password)}@${host}:${port}/${name}`;
  return { user, host, port, database: name, url, psql: `psql "${url}" -c "select view_name, refreshed_at from freshness;"` };
}

/** The `mcpServers` entry MCP clients read (Claude Desktop, Cursor, VS Code), as pretty JSON. */
export function mcpClientConfig(endpoint: string, token: string): string {
  return JSON.stringify({ mcpServers: { renum: { type: "http", url: endpoint, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
}

/** The same for Claude Code's command line. */
export function mcpCommandLine(endpoint: string, token: string): string {
  return `claude mcp add --transport http renum ${endpoint} --header "Authorization: Bearer ${token}"`;
}
