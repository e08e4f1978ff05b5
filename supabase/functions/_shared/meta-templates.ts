import { egressFetch, isEgressError } from "./egress.ts";
import type { FetchLike } from "./providers/provider.ts";

/**
 * The message templates of a WhatsApp Business Account, read from Meta's Graph API page by page:
 *
 *   GET <graph>/<waba id>/message_templates?fields=name,language,status,category,components&limit=100[&after=<cursor>]
 *   Bearer access token → {data: [{name, language, status, category, components, id}],
 *                          paging: {cursors: {before, after}, next?}}
 *
 * The next page is asked with `after` on our own address (never by following `paging.next`, so the
 * token goes to the one configured Graph address); there is one while Meta gives `paging.next`.
 * Goes through egress.ts, no redirects. A refusal comes back as a code of ours (Meta's error text
 * may quote the token it was sent, so only its status and numeric codes are read).
 */
export interface SyncedTemplate {
  name: string;
  language: string;
  category: "marketing" | "utility" | "authentication";
  status: "approved" | "pending" | "rejected" | "paused" | "disabled";
  /** The BODY component's text with its {{n}} placeholders, or null. */
  body_text: string | null;
  components: unknown[];
}

export type TemplateSyncFailureCode =
  | "provider_credentials_invalid"
  | "provider_permission_denied"
  | "provider_account_not_found"
  | "rate_limited"
  | "provider_unavailable"
  | "provider_timeout"
  | "provider_unreachable"
  | "provider_address_not_allowed"
  | "provider_answer_unreadable"
  | "provider_too_many_templates";

export type TemplateSyncOutcome =
  | { ok: true; templates: SyncedTemplate[]; pages: number }
  | { ok: false; code: TemplateSyncFailureCode; httpStatus: number | null };

export interface TemplateSyncEndpoints {
  /** The Graph API with its version (WHATSAPP_GRAPH_URL). */
  whatsappGraph: string;
  /** Each page's request. */
  timeoutMs: number;
}

const pageSize = 100;
// 5,000 is what public.replace_message_templates takes; Meta allows far fewer per account.
const maxPages = 50;

export async function fetchMetaTemplates(
  wabaId: string,
  accessToken: string,
  endpoints: TemplateSyncEndpoints,
  fetchImpl: FetchLike = egressFetch({ timeoutMs: endpoints.timeoutMs, maxResponseBytes: 4 * 1024 * 1024 }),
): Promise<TemplateSyncOutcome> {
  const templates: SyncedTemplate[] = [];
  let after: string | null = null;
  for (let page = 1; page <= maxPages; page++) {
    const url = new URL(`${endpoints.whatsappGraph.replace(/\/+$/, "")}/${encodeURIComponent(wabaId)}/message_templates`);
    url.searchParams.set("fields", "name,language,status,category,components");
    url.searchParams.set("limit", String(pageSize));
    if (after) url.searchParams.set("after", after);
    const signal = AbortSignal.timeout(endpoints.timeoutMs);
    let status: number;
    let json: Record<string, unknown> | null;
    try {
      const response = await fetchImpl(url.toString(), {
        method: "GET",
        headers: { accept: "application/json", authorization: `Bearer ${accessToken}` },
        redirect: "manual",
        signal,
      });
      status = response.status;
      json = parseObject(await response.text());
    } catch (error) {
      if (isEgressError(error) && error.code !== "host_not_found") {
        return { ok: false, code: error.code === "response_too_large" ? "provider_answer_unreadable" : "provider_address_not_allowed", httpStatus: null };
      }
      const timedOut = signal.aborted || (error instanceof DOMException && ["TimeoutError", "AbortError"].includes(error.name));
      return { ok: false, code: timedOut ? "provider_timeout" : "provider_unreachable", httpStatus: null };
    }
    if (status < 200 || status >= 300) return { ok: false, code: refusalCode(status, json), httpStatus: status };
    if (!json || !Array.isArray(json.data)) return { ok: false, code: "provider_answer_unreadable", httpStatus: status };
    for (const item of json.data) {
      const template = readTemplate(item);
      if (template) templates.push(template);
    }
    const paging = (json.paging ?? {}) as Record<string, unknown>;
    const cursor = ((paging.cursors ?? {}) as Record<string, unknown>).after;
    if (typeof paging.next !== "string" || typeof cursor !== "string" || cursor === "") return { ok: true, templates, pages: page };
    after = cursor;
  }
  return { ok: false, code: "provider_too_many_templates", httpStatus: null };
}

// Meta's statuses folded to the ones that decide whether a template may be sent.
const statuses: Record<string, SyncedTemplate["status"]> = {
  APPROVED: "approved",
  PENDING: "pending",
  IN_APPEAL: "pending",
  REJECTED: "rejected",
  PAUSED: "paused",
  DISABLED: "disabled",
  LIMIT_EXCEEDED: "disabled",
  PENDING_DELETION: "disabled",
  DELETED: "disabled",
  ARCHIVED: "disabled",
};
const categories = new Set(["marketing", "utility", "authentication"]);

/** One template of Meta's list in our shape; null for one we cannot read (skipped, not fatal). */
function readTemplate(item: unknown): SyncedTemplate | null {
  if (!item || typeof item !== "object") return null;
  const raw = item as Record<string, unknown>;
  const name = typeof raw.name === "string" ? raw.name : "";
  const language = typeof raw.language === "string" ? raw.language : "";
  const status = statuses[String(raw.status ?? "").toUpperCase()];
  const category = String(raw.category ?? "").toLowerCase();
  if (!/^[a-z0-9_]{1,512}$/.test(name) || !/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(language) || !status || !categories.has(category)) return null;
  const given = Array.isArray(raw.components) ? raw.components : [];
  // What the table cannot hold (public.message_templates bounds components to 64 KiB) is not kept;
  // the body text is all a send needs.
  const components = JSON.stringify(given).length <= 60_000 ? given : [];
  const body = given.find((component) =>
    component && typeof component === "object" && String((component as Record<string, unknown>).type).toUpperCase() === "BODY"
  ) as Record<string, unknown> | undefined;
  const bodyText = typeof body?.text === "string" ? body.text.slice(0, 4096) : null;
  return { name, language, category: category as SyncedTemplate["category"], status, body_text: bodyText, components };
}

// Meta's error codes: 190 token expired or invalid; 10 and 200-299 permissions; 100 with subcode
// 33 an object that does not exist (the account id); 4, 80007, 130429 rate limits.
function refusalCode(status: number, json: Record<string, unknown> | null): TemplateSyncFailureCode {
  const error = (json?.error ?? {}) as Record<string, unknown>;
  const code = typeof error.code === "number" ? error.code : null;
  if (status === 429 || (code !== null && [4, 80007, 130429].includes(code))) return "rate_limited";
  if (status >= 500) return "provider_unavailable";
  if (code === 190 || status === 401) return "provider_credentials_invalid";
  if (code === 10 || (code !== null && code >= 200 && code <= 299) || status === 403) return "provider_permission_denied";
  if (code === 100) return "provider_account_not_found";
  return "provider_answer_unreadable";
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
