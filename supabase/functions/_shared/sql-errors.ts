import postgres from "postgres";
import { ApiError } from "./errors.ts";
import type { IssueDetail } from "./validation.ts";

/**
 * The one place where database errors become HTTP answers. SQL raises with a SQLSTATE and a
 * message a person can act on; this maps the SQLSTATE to a status and a code:
 *
 * | SQLSTATE                                        | status | code                 | message               |
 * |-------------------------------------------------|--------|----------------------|-----------------------|
 * | 42501 insufficient_privilege (grants, RLS)      | 403    | forbidden            | ours, else generic    |
 * |   … on a route that hides existence             | 404    | not_found            | generic               |
 * | P0002 no_data_found                             | 404    | not_found            | ours, else generic    |
 * | 23505 unique, 23P01 exclusion                   | 409    | conflict             | ours, else generic    |
 * | 23502 not null, 23514 check, 23503 foreign key, | 422    | validation_failed    | ours, else generic    |
 * |   other class 23; 22001 too long, 22P02 bad     |        |                      |                       |
 * |   text, 22023 invalid parameter, other class 22 |        |                      |                       |
 * |   22021 bad byte (NUL), 22P05 \u0000 in jsonb  | 422    | validation_failed    | names the character   |
 * | 54000 program limit, 54001 too deeply nested    | 422    | validation_failed    | "too large or deep"   |
 * |   (a value the database cannot hold or walk)    |        |                      |                       |
 * | P0001 raise_exception                           | 422    | rule_violated        | ours                  |
 * |   … `using constraint = 'not_found'`, etc.      | 404/409/403/422 | that code   | ours                  |
 * |   … `using constraint = 'budget_exhausted'`     | 402    | budget_exhausted     | ours                  |
 * |   … `shared_agent_field_locked`,                | 403    | that code            | ours                  |
 * |     `provider_key_share_forbidden`              |        |                      |                       |
 * | 40001 serialization, 40P01 deadlock,            | 503    | transaction_conflict | generic, Retry-After  |
 * |   55P03 lock not available                      |        |                      |                       |
 * | 57014 query canceled (statement_timeout)        | 503    | statement_timeout    | generic               |
 * | class 08, 53300, 57P01-57P03, driver connection | 503    | database_unavailable | generic, Retry-After  |
 * |   errors (ECONNREFUSED, CONNECT_TIMEOUT, ...)   |        |                      |                       |
 * | anything else                                   | 500    | internal_error       | generic; real one in  |
 * |                                                 |        |                      | the log only          |
 *
 * "Ours" is an error raised by our own SQL (`raise exception using errcode = ..., constraint = '<code>',
 * message = ..., detail = '<json object>', hint = ...`), recognised by Postgres's routine name for
 * RAISE: its message is written for people and is passed through, and so is its hint. Its
 * `constraint` is its stable machine code, and its `detail`, a JSON object, carries the structured
 * facts (`agent_id`, `field`, `limit`, ...): clients read those two, never the message. For a
 * 42501, P0002 or P0001 the code becomes the answer's `code` (its status stays the SQLSTATE's:
 * 403, 404, and for P0001 the table below or 422) with the facts in `details`; for the per-field
 * classes (22, 23) the answer stays `validation_failed` / `conflict` and the field's entry in
 * `details` carries `constraint` (the code) and the facts. Messages Postgres writes itself are not passed through,
 * except its words about a value's type for 22001/22P02/22003/22007/22008 (`value too long for type
 * character varying(20)`), which describe the caller's input and nothing internal.
 *
 * `details`: for `conflict` and `validation_failed` a list of `{ path, message, constraint?, hint? }`
 * (path is the column when Postgres names it, else ""); for the others `{ hint }` when our SQL gave
 * one. A P0001 may name its answer with `using constraint = '<code>'`: `forbidden`, `not_found`,
 * `conflict` and `budget_exhausted` (402 Payment Required: the company's monthly budget is spent)
 * take their status, and so do `invitation_token_invalid` and `invitation_email_mismatch` (403); any
 * other snake_case word becomes the code of a 422.
 */
export interface SqlErrorOptions {
  /**
   * For routes that must not reveal whether something exists to someone who may not see it: a
   * refusal (42501) answers 404 `not_found`, exactly like a missing row.
   */
  hideExistence?: boolean;
}

export type PostgresError = postgres.PostgresError;

const generic = {
  forbidden: "You are not allowed to do this.",
  notFound: "Not found.",
  conflict: "This conflicts with something that already exists.",
  internal: "Something went wrong on our side.",
};

// A SQL function may name the answer's code for a P0001 with `using constraint = '<code>'`; the
// status is 422 unless the code is here.
const codesForRaisedRules: Record<string, 402 | 403 | 404 | 409 | 422> = {
  budget_exhausted: 402,
  forbidden: 403,
  invitation_email_mismatch: 403,
  invitation_token_invalid: 403,
  // A grantee or analyst changing what a shared agent's company keeps (provider, address, tools...).
  shared_agent_field_locked: 403,
  // Someone other than an owner or admin of the key's company sharing it with the company's runs.
  provider_key_share_forbidden: 403,
  not_found: 404,
  // WhatsApp (#12, wa-app): an inbox id that is not one of the caller's company's.
  inbox_not_found: 404,
  conflict: 409,
  team_has_runs_in_flight: 409,
  // Reopening a conversation while the contact has another open one in the inbox (#12).
  conversation_already_open: 409,
  // Outbound delivery (#13, outbound): replying in a conversation that was closed meanwhile.
  conversation_closed: 409,
  rule_violated: 422,
  validation_failed: 422,
  // WhatsApp webhooks (issue 12, wa-hooks): replaying an event already recorded.
  webhook_event_already_processed: 409,
  // Company tools (issue 16, tools): a tool id that is not one of the caller's company's (raised as
  // P0002, so 404 already; listed for a P0001 raise of the same code), and a name a built-in or
  // another tool of the company has.
  tenant_tool_not_found: 404,
  tenant_tool_secret_not_found: 404,
  tenant_tool_name_taken: 409,
  // Analytics (#15): a company's sixth SQL login for analysts.
  analyst_login_limit: 409,
  // MCP tokens (issue 16, tools): only owners and admins make them; another company's is not found.
  mcp_token_forbidden: 403,
  mcp_token_not_found: 404,
  // Leads → customers (issue 17, leads): a second request while one waits; deciding a decided one.
  qualification_request_pending: 409,
  qualification_request_decided: 409,
  qualification_request_not_found: 404,
  contact_not_found: 404,
  // Approval steps (issue 18, approval): deciding a step that no longer waits (decided already, or
  // its run ended). Not an approver is a 42501 (403) with its own code, approval_not_approver.
  approval_not_waiting: 409,
};

// Knowledge (issue 14): codes raised by the knowledge tables' triggers and functions whose answer
// is their own whatever SQLSTATE carries them (a base in use is a conflict, not a bad field).
const knowledgeCodeStatuses: Record<string, 403 | 404 | 409 | 422> = {
  knowledge_base_not_found: 404,
  document_not_found: 404,
  knowledge_base_in_use: 409,
  document_version_stale: 409,
  document_status_service_only: 403,
  document_versions_immutable: 403,
  knowledge_service_only: 403,
  knowledge_usage_agent: 403,
  agent_knowledge_base_not_found: 422,
  document_status_transition: 422,
  document_chunks_shape: 422,
  search_match_count: 422,
  search_vector_weight: 422,
  search_query_missing: 422,
  search_query_length: 422,
};

// Projects and interviews (#17): codes that are the answer's own whatever SQLSTATE carries them (a
// completed project or an ended interview is a conflict with its state, not a bad field). Field
// rules (project_questions_invalid, project_inbox_not_in_tenant, ...) stay validation_failed.
const interviewCodeStatuses: Record<string, 403 | 404 | 409 | 422> = {
  project_not_found: 404,
  interview_not_found: 404,
  projects_run_by_inbox_managers: 403,
  project_status_transition: 409,
  project_questions_locked: 409,
  project_not_draft: 409,
  project_completed: 409,
  interview_not_active: 409,
  interview_not_cancellable: 409,
  interview_not_resendable: 409,
  contact_unreachable: 409,
  project_not_launchable: 422,
  launch_selection_invalid: 422,
  launch_selection_too_large: 422,
  interview_cancel_reason_required: 422,
  interview_answer_invalid: 422,
  interview_question_unknown: 422,
};

// Unique indexes whose conflict has words of its own (Postgres's own message names no rule a person
// knows); the index name stays the details' constraint, which clients read.
const uniqueIndexMessages: Record<string, string> = {
  // Everyday app (#18): inviting an address that already has an open invitation to the company.
  invitations_one_pending_per_email: "This address already has a pending invitation to the company; resend or revoke that one.",
};

const machineCode = /^[a-z][a-z0-9_]{0,62}$/;

const unavailableSqlStates = new Set(["53300", "57P01", "57P02", "57P03"]);
const driverConnectionErrors = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

export function isPostgresError(error: unknown): error is PostgresError {
  return error instanceof postgres.PostgresError ||
    (error instanceof Error && error.name === "PostgresError" &&
      typeof (error as { code?: unknown }).code === "string");
}

/** The driver could not reach or keep its connection to the database (no SQLSTATE involved). */
export function isDatabaseConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || isPostgresError(error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && driverConnectionErrors.has(code);
}

/** The ApiError for a database error (see the table above), or null when `error` is not one. */
export function apiErrorFromSql(error: unknown, options: SqlErrorOptions = {}): ApiError | null {
  if (isDatabaseConnectionError(error)) return databaseUnavailable(error);
  if (!isPostgresError(error)) return null;

  const state = error.code;
  const ours = error.routine === "exec_stmt_raise";
  const message = (fallback: string) => (ours && error.message ? error.message : fallback);
  const hint = ours && error.hint ? { hint: error.hint } : undefined;
  // Our raise's machine code and structured facts (see above).
  const named = ours && error.constraint_name && machineCode.test(error.constraint_name) ? error.constraint_name : null;
  const facts = ours ? structuredDetail(error.detail) : {};
  const ruleDetails = hint || Object.keys(facts).length > 0 ? { ...facts, ...hint } : undefined;

  const ownStatus = named ? (knowledgeCodeStatuses[named] ?? interviewCodeStatuses[named]) : undefined;
  if (named && ownStatus && !(state === "42501" && options.hideExistence)) {
    return new ApiError(ownStatus, named, error.message, { details: ruleDetails, cause: error });
  }
  if (state === "42501") {
    if (options.hideExistence) return new ApiError(404, "not_found", generic.notFound, { cause: error });
    return new ApiError(403, named ?? "forbidden", message(generic.forbidden), { details: ruleDetails, cause: error });
  }
  if (state === "P0002") {
    return new ApiError(404, named ?? "not_found", message(generic.notFound), { details: ruleDetails, cause: error });
  }
  if (state === "P0001") {
    const status = named ? (codesForRaisedRules[named] ?? 422) : 422;
    return new ApiError(status, named ?? "rule_violated", error.message, { details: ruleDetails, cause: error });
  }
  if (state === "23505" || state === "23P01") {
    const columns = keyColumns(error.detail);
    const what = columns.length > 0 ? `a record with the same ${columns.join(", ")} already exists.` : "";
    const constraint = error.constraint_name ? { constraint: error.constraint_name } : {};
    const indexWords = !ours && error.constraint_name ? uniqueIndexMessages[error.constraint_name] : undefined;
    return new ApiError(409, "conflict", indexWords ?? message(what ? capitalize(what) : generic.conflict), {
      details: [{
        path: ours ? error.column_name ?? "" : columns.join(","),
        message: indexWords ?? message("Already taken."),
        ...constraint,
        ...facts,
        ...hint,
      }],
      cause: error,
    });
  }
  if (state.startsWith("23") || state.startsWith("22")) {
    if (ours) {
      return new ApiError(422, "validation_failed", error.message, {
        details: [{ path: error.column_name ?? "", message: error.message, ...(named ? { constraint: named } : {}), ...facts, ...hint }],
        cause: error,
      });
    }
    const detail = dataErrorDetail(error);
    const where = detail.path ? `The value of ${detail.path} was not accepted` : "A value was not accepted";
    return new ApiError(422, "validation_failed", `${where}: ${detail.message}`, {
      details: [detail],
      cause: error,
    });
  }
  if (state === "54000" || state === "54001") {
    // Input the database cannot hold or walk (JSON nested thousands of levels deep, a key too large
    // for an index): the caller's to change, not our failure. The schemas and the *_bounded checks
    // refuse nearly all of it earlier, naming the field.
    return new ApiError(422, "validation_failed", "A value is too large or nested too deeply to be stored.", {
      details: [{ path: "", message: "Is too large or nested too deeply." }],
      cause: error,
    });
  }
  if (state === "40001" || state === "40P01" || state === "55P03") {
    return new ApiError(503, "transaction_conflict", "Another change got in the way of this one; try again.", {
      headers: { "Retry-After": "1" },
      cause: error,
    });
  }
  if (state === "57014") {
    return new ApiError(503, "statement_timeout", "The database took too long to answer; try again or ask for less.", {
      cause: error,
    });
  }
  if (state.startsWith("08") || unavailableSqlStates.has(state)) return databaseUnavailable(error);
  return new ApiError(500, "internal_error", generic.internal, { cause: error });
}

/**
 * Runs `work` and answers its database errors as for a route that hides existence: a refusal is
 * a 404 like a missing row (see SqlErrorOptions.hideExistence). Other errors pass unchanged.
 */
export async function hidingExistence<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw apiErrorFromSql(error, { hideExistence: true }) ?? error;
  }
}

/** The JSON object our SQL put in an error's DETAIL (agent_id, field, ...), or {} when it is not one. */
export function structuredDetail(detail: string | undefined): Record<string, unknown> {
  if (!detail?.startsWith("{")) return {};
  try {
    const value: unknown = JSON.parse(detail);
    return value && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

function databaseUnavailable(cause: unknown): ApiError {
  return new ApiError(503, "database_unavailable", "The database is not answering right now; try again shortly.", {
    headers: { "Retry-After": "5" },
    cause,
  });
}

// The columns of a key violation's detail: `Key (tenant_id, slug)=(…) already exists.` → tenant_id, slug.
// Only the names are kept: the values are not repeated back. Postgres leaves the detail out when
// the table has RLS and the role does not bypass it (so values cannot leak), i.e. for nearly every
// user request; then only the constraint name tells which rule it was.
function keyColumns(detail: string | undefined): string[] {
  const columns = detail?.match(/^Key \(([^)]*)\)=/)?.[1];
  return columns ? columns.split(",").map((column) => column.trim()).filter(Boolean) : [];
}

function dataErrorDetail(error: PostgresError): IssueDetail & { constraint?: string } {
  const constraint = error.constraint_name ? { constraint: error.constraint_name } : {};
  switch (error.code) {
    case "23502":
      return { path: error.column_name ?? "", message: "Is required.", ...constraint };
    case "23514":
      return {
        path: error.column_name ?? "",
        message: `Breaks the rule ${error.constraint_name ?? "of this table"}.`,
        ...constraint,
      };
    case "23503": {
      const path = keyColumns(error.detail).join(",");
      const stillReferenced = /^update or delete on table/.test(error.message);
      return {
        path,
        message: stillReferenced
          ? "Is still referred to by other records."
          : "Refers to something that does not exist.",
        ...constraint,
      };
    }
    case "22001":
    case "22P02":
    case "22003":
    case "22007":
    case "22008":
      // Postgres's own wording about the value's type (`value too long for type character varying(20)`,
      // `invalid input syntax for type uuid: "x"`): about the caller's input, nothing internal.
      return { path: error.column_name ?? "", message: error.message, ...constraint };
    case "22021":
    case "22P05":
      return {
        path: error.column_name ?? "",
        message: "Contains a character that cannot be stored (a NUL character or an unpaired surrogate).",
        ...constraint,
      };
    default:
      return { path: error.column_name ?? "", message: "Is not an allowed value.", ...constraint };
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
