// One read-only SQL statement run AS A PERSON, for the mcp function's `query` tool and an agent's
// `query_data` tool in a run: role `authenticated` with the person's claims, narrowed to one of their
// companies (the token's, the run's: `renum.tenant_scope`), so RLS shows that company's rows and
// nothing else, and the person's grants refuse the `private`, `vault` and `auth` tables.
//
// What the database enforces (the rules hold whatever the text is):
//   - the statement is the body of `declare … cursor for <text>`, sent with the extended protocol
//     (one Parse): the grammar takes only a query (SELECT, WITH … SELECT, VALUES, TABLE), so SET,
//     RESET, COPY, COMMIT, ROLLBACK and any utility statement are syntax errors, a data-modifying
//     WITH is refused by DECLARE, and `;`-joined statements are refused by the server
//     ("cannot insert multiple commands into a prepared statement");
//   - the transaction is READ ONLY (writes, SELECT … FOR UPDATE/SHARE, functions that write,
//     nextval, all refused with SQLSTATE 25006), has a statement timeout, and is ALWAYS rolled back,
//     so even a session-level set_config() made by a function in it is undone;
//   - at most maxRows + 1 rows are fetched from the cursor (the rest are never computed).
// What this file adds for clear answers, not for enforcement: a first-word check that names the
// refusal (query_not_read_only, query_session_change, query_transaction_control, query_copy,
// query_not_a_select) before the database sees the text; the Postgres errors mapped to the same
// codes. And one rule the database cannot hold alone: the role and the claims RLS reads are
// settings, and set_config() is executable by everyone — with the functions' login (`postgres`) as
// the session user, even set_config('role', 'service_role', true) succeeds. So calls that change
// settings or run SQL given as text (set_config, query_to_xml, ts_stat, …, and U&"…" names that
// could spell them) are refused by name, session advisory locks too (a rollback keeps them), and the
// role, claims and company scope are checked unchanged after the fetch before any row is answered. (A login that
// is a member of `authenticated` only would make the role part the database's; see
// docs/architecture.md.)
import { ToolFailure } from "./tools/registry.ts";
import type { AccessTokenClaims } from "./jwt.ts";
import type postgres from "postgres";
import type { Sql } from "./db.ts";
import { withUserTransaction } from "./user-transaction.ts";

export interface QueryLimits {
  maxRows: number;
  timeoutMs: number;
  maxChars: number;
  maxBytes: number;
}

/** The MCP `query` tool's limits (a person's assistant reads the answer). */
export const queryLimits: QueryLimits = {
  /** Rows answered at most; more sets `truncated`. */
  maxRows: 1000,
  /** The statement is cancelled after this long (query_timeout). */
  timeoutMs: 3000,
  /** Longest statement text (query_too_long). */
  maxChars: 20_000,
  /** The answer's rows are cut (truncated) once their JSON passes this size. */
  maxBytes: 1_000_000,
};

/** A refused query: a machine code the client can branch on and a sentence its model can read. */
export class QueryRefused extends ToolFailure {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

export interface QueryAnswer {
  columns: { name: string; type: number }[];
  rows: Record<string, unknown>[];
  row_count: number;
  truncated: boolean;
  max_rows: number;
  duration_ms: number;
}

const readOnlyMessage = "query only reads: one SELECT (or WITH … SELECT, VALUES, TABLE); it runs in a read-only transaction";
const firstWords: Record<string, [string, string]> = {};
for (const word of ["insert", "update", "delete", "merge", "truncate", "create", "alter", "drop", "grant", "revoke", "comment",
  "vacuum", "analyze", "analyse", "cluster", "reindex", "refresh", "lock", "call", "do", "notify", "listen", "unlisten", "security",
  "import", "reassign", "checkpoint", "load"]) {
  firstWords[word] = ["query_not_read_only", `${word.toUpperCase()} changes things: ${readOnlyMessage}`];
}
for (const word of ["set", "reset", "discard"]) {
  firstWords[word] = ["query_session_change", `${word.toUpperCase()} changes the session (role, settings): ${readOnlyMessage}`];
}
for (const word of ["begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "prepare"]) {
  firstWords[word] = ["query_transaction_control", `${word.toUpperCase()} controls the transaction, which the server owns: ${readOnlyMessage}`];
}
firstWords.copy = ["query_copy", `COPY is not a query: ${readOnlyMessage}`];
for (const word of ["explain", "show", "declare", "fetch", "move", "close", "execute", "deallocate"]) {
  firstWords[word] = ["query_not_a_select", `${word.toUpperCase()} is not a query: ${readOnlyMessage}`];
}

/**
 * Functions that change settings (the claims RLS reads are settings), take session locks, or run
 * SQL handed to them as text (which would hide the rest from this list). `U&"…"` identifiers could
 * spell any name with escapes, so they are refused too.
 */
const refusedCalls: [RegExp, string, string][] = [
  [/set_config/i, "query_session_change", "set_config changes the session's settings (the caller's claims among them)"],
  [/query_to_xml|cursor_to_xml|ts_stat|ts_rewrite|dblink|table_to_xml|schema_to_xml|database_to_xml/i, "query_not_allowed", "functions that run SQL given as text are not allowed in query"],
  [/advisory/i, "query_not_allowed", "advisory locks are not allowed in query"],
  [/u&\s*["']/i, "query_not_allowed", "Unicode-escaped names and strings (U&) are not allowed in query"],
];

/** The first word of the statement, past comments, blanks and opening parentheses. */
function firstWord(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, "");
    if (trimmed.startsWith("--")) {
      const end = trimmed.indexOf("\n");
      rest = end < 0 ? "" : trimmed.slice(end + 1);
    } else if (trimmed.startsWith("/*")) {
      const end = trimmed.indexOf("*/");
      rest = end < 0 ? "" : trimmed.slice(end + 2);
    } else {
      return trimmed.match(/^[a-z_]+/i)?.[0].toLowerCase() ?? "";
    }
  }
}

/** Refusals that need no database: named by the statement's first word or a refused function. */
export function refuseByText(text: string, limits: QueryLimits = queryLimits): void {
  if (text.length > limits.maxChars) {
    throw new QueryRefused("query_too_long", `the statement has ${text.length} characters; at most ${limits.maxChars}`);
  }
  if (text.trim() === "") throw new QueryRefused("query_invalid", "the statement is empty");
  const named = firstWords[firstWord(text)];
  if (named) throw new QueryRefused(named[0], named[1]);
  for (const [pattern, code, message] of refusedCalls) {
    if (pattern.test(text)) throw new QueryRefused(code, message);
  }
}

/** A Postgres error of the statement as a refusal with a code; undefined when it is not the statement's fault. */
export function refusalFromPostgres(error: unknown, limits: QueryLimits = queryLimits): QueryRefused | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  if (code === "25006" || (code === "0A000" && /data-modifying|non-volatile function/i.test(message))) {
    return new QueryRefused("query_not_read_only", `${message} — ${readOnlyMessage}`);
  }
  if (code === "42601" && /multiple commands/i.test(message)) {
    return new QueryRefused("query_multiple_statements", "send one statement at a time: several statements joined by `;` are refused");
  }
  if (code === "57014") {
    return new QueryRefused("query_timeout", `the statement ran longer than ${limits.timeoutMs / 1000} s and was cancelled`);
  }
  if (code === "42501") return new QueryRefused("query_forbidden", `${message} — the caller may not read this`);
  if (code.startsWith("42") || code.startsWith("22") || code === "0A000" || code === "34000" || code === "21000" || code === "2201W") {
    return new QueryRefused("query_invalid", message);
  }
  if (code.startsWith("53") || code === "54000" || code === "54001") {
    return new QueryRefused("query_too_costly", `${message} — ask for less`);
  }
  return undefined;
}

/** A Postgres value as JSON: bytes as `\x…` hex, the rest as postgres.js parsed them (dates, json, arrays). */
function jsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return "\\x" + Array.from(value, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * postgres.js sends an unsafe() without parameters as a simple Query message, which would run
 * `;`-joined statements one after another; `simple: false` (not in its types) makes it one
 * Parse/Bind/Execute, which the server refuses for more than one statement.
 */
const extendedProtocol = { simple: false } as unknown as { prepare?: boolean };

/** What the session is after the fetch: compared with what it was set to. */
interface SessionState {
  who: string;
  claims: string | null;
  sub: string | null;
  read_only: string;
  scope: string | null;
}

/** Thrown to end the transaction with a rollback, carrying the answer out. */
class Answered {
  constructor(readonly answer: QueryAnswer) {}
}

/**
 * Runs `text` as the caller (see the top of this file) and answers its rows, capped; throws
 * QueryRefused for what the caller may not run or got wrong.
 */
export async function runQuery(
  sql: Sql,
  claims: AccessTokenClaims,
  text: string,
  tenantScope: string | null,
  limits: QueryLimits = queryLimits,
): Promise<QueryAnswer> {
  refuseByText(text, limits);
  return await runReadOnly(sql, claims, text, tenantScope, limits);
}

/**
 * The database's part alone — the cursor, the read-only transaction, the timeout, the cap, the
 * claims check, the rollback — without the text checks (the tests show it refuses on its own).
 */
export async function runReadOnly(
  sql: Sql,
  claims: AccessTokenClaims,
  text: string,
  tenantScope: string | null = null,
  limits: QueryLimits = queryLimits,
): Promise<QueryAnswer> {
  const started = performance.now();
  // As withUserTransaction sets them; compared after the fetch.
  const claimsText = JSON.stringify(claims);
  try {
    await withUserTransaction(sql, claims, async (tx) => {
      // Sent together (postgres.js pipelines a transaction's queries; each has its own Sync, so a
      // failure aborts the transaction and the ones after it fail too): one round trip, not four.
      const pipelined = await Promise.allSettled([
        tx`select set_config('transaction_read_only', 'on', true), set_config('statement_timeout', ${String(limits.timeoutMs)}, true)`,
        // One Parse (extended protocol): one statement, whatever the text holds.
        tx.unsafe(`declare renum_mcp_query no scroll cursor for\n${text}\n`, [], extendedProtocol),
        tx.unsafe(`fetch forward ${limits.maxRows + 1} from renum_mcp_query`, [], extendedProtocol),
        tx<SessionState[]>`
          select current_user as who, current_setting('request.jwt.claims', true) as claims,
                 current_setting('request.jwt.claim.sub', true) as sub, current_setting('transaction_read_only') as read_only,
                 current_setting('renum.tenant_scope', true) as scope`,
      ]);
      // The first failure is the cause; the later ones only say the transaction was aborted.
      const failed = pipelined.find((outcome) => outcome.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const fetched = (pipelined[2] as PromiseFulfilledResult<postgres.RowList<postgres.Row[]>>).value;
      const [state] = (pipelined[3] as PromiseFulfilledResult<SessionState[]>).value;
      if (
        state.who !== claims.role || state.claims !== claimsText || (state.sub ?? "") !== (claims.sub ?? "") ||
        state.read_only !== "on" || (state.scope ?? "") !== (tenantScope ?? "")
      ) {
        throw new QueryRefused("query_session_change", "the statement changed the session's role or claims, so its rows are not answered");
      }
      const columns = (fetched.columns ?? []).map((column) => ({ name: column.name, type: column.type }));
      const rows: Record<string, unknown>[] = [];
      let bytes = 0;
      let truncated = fetched.length > limits.maxRows;
      for (const row of fetched.slice(0, limits.maxRows)) {
        const plain: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row)) plain[key] = jsonValue(value);
        bytes += JSON.stringify(plain).length + 1;
        if (bytes > limits.maxBytes) {
          truncated = true;
          break;
        }
        rows.push(plain);
      }
      // Always rolled back: nothing the statement did outlives it, settings included.
      throw new Answered({
        columns,
        rows,
        row_count: rows.length,
        truncated,
        max_rows: limits.maxRows,
        duration_ms: Math.round(performance.now() - started),
      });
    }, { tenantScope });
  } catch (error) {
    if (error instanceof Answered) return error.answer;
    if (error instanceof QueryRefused) throw error;
    const refused = refusalFromPostgres(error, limits);
    if (refused) throw refused;
    throw error;
  }
  throw new Error("the query transaction ended without an answer");
}
