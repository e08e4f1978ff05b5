// The web app's client of the `api` function (`${FUNCTIONS_URL}/api/v1/...`), for load functions
// and form actions only: it sends the signed-in user's access token and the current company
// (X-Tenant-Id), checks every answer against the API's own zod schemas, and turns the API's one
// error shape into an ApiFailure, which pageError and formFailure turn into what SvelteKit shows.
import { error, fail, redirect, type ActionFailure, type Cookies } from "@sveltejs/kit";
import type { z } from "zod";
import { errorResponse } from "$schemas/common.ts";
import { tenantPage, type Tenant } from "$schemas/tenants.ts";
import { appCookieOptions } from "./cookies";
import type { FormFailure } from "$lib/form-failure";
import { supabaseConfig } from "./config";

export type { FormFailure };

/** The parts of a RequestEvent the client reads (a load's or an action's event). */
export interface ApiEvent {
  locals: App.Locals;
  cookies: Cookies;
  fetch: typeof fetch;
  url: URL;
}

/** An answer of the API in its error shape (or the API not answering, as 503 `api_unreachable`). */
export class ApiFailure extends Error {
  override readonly name = "ApiFailure";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The database rule the answer names: the first `details[].constraint` (a conflict's unique rule). */
  reason(): string | undefined {
    if (!Array.isArray(this.details)) return undefined;
    const named = (this.details as unknown[]).find((detail) =>
      !!detail && typeof detail === "object" && typeof (detail as { constraint?: unknown }).constraint === "string"
    ) as { constraint: string } | undefined;
    return named?.constraint;
  }

  /** The API's `details[].path` → its message: the form fields a validation failure names. */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    if (!Array.isArray(this.details)) return fields;
    for (const detail of this.details as unknown[]) {
      if (!detail || typeof detail !== "object") continue;
      const { path, message } = detail as { path?: unknown; message?: unknown };
      if (typeof path !== "string" || path === "" || typeof message !== "string") continue;
      // One column may be named "tenant_id,slug": each gets the message.
      for (const name of path.split(",")) fields[name.trim()] ??= message;
    }
    return fields;
  }

  /** The API's `details[].path` → the rule's code (`constraint`), for the fields a database rule refused. */
  fieldRules(): Record<string, string> {
    const rules: Record<string, string> = {};
    if (!Array.isArray(this.details)) return rules;
    for (const detail of this.details as unknown[]) {
      if (!detail || typeof detail !== "object") continue;
      const { path, constraint } = detail as { path?: unknown; constraint?: unknown };
      if (typeof path !== "string" || path === "" || typeof constraint !== "string") continue;
      for (const name of path.split(",")) rules[name.trim()] ??= constraint;
    }
    return rules;
  }
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface Api {
  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>>;
  /** `accept`: statuses besides 2xx whose body is `schema` rather than the error shape (a key test's 502, 504). */
  post<S extends z.ZodType>(path: string, schema: S, body?: unknown, query?: Query, accept?: number[]): Promise<z.output<S>>;
  patch<S extends z.ZodType>(path: string, schema: S, body: unknown, query?: Query): Promise<z.output<S>>;
  put<S extends z.ZodType>(path: string, schema: S, body: unknown, query?: Query): Promise<z.output<S>>;
  delete(path: string, query?: Query): Promise<void>;
  /** A body that is not JSON (a CSV upload), sent as it is with its content type; the answer is JSON. */
  postText<S extends z.ZodType>(path: string, schema: S, text: string, contentType: string): Promise<z.output<S>>;
  /** An answer that is not JSON (a CSV export), as the API sent it; failures are ApiFailures as usual. */
  download(path: string, accept: string, query?: Query): Promise<Response>;
}

export const tenantCookie = "renum-tenant";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The company id kept in the cookie, when it looks like one. */
export function tenantFromCookie(cookies: Cookies): string | null {
  const value = cookies.get(tenantCookie);
  return value && uuidPattern.test(value) ? value.toLowerCase() : null;
}

export function rememberTenant(event: ApiEvent, tenantId: string): void {
  event.locals.tenantId = tenantId;
  event.cookies.set(tenantCookie, tenantId, appCookieOptions(event.url));
}

function forgetTenant(event: ApiEvent): void {
  event.locals.tenantId = null;
  event.cookies.delete(tenantCookie, { path: "/" });
}

// Endpoints that are not about one company: they never need X-Tenant-Id to be resolved first.
const personalEndpoints = /^\/(tenants|invitations|me|tools|providers|admin|api-keys)(\/|$)/;

export function createApi(event: ApiEvent): Api {
  const { functionsUrl, clientKey } = supabaseConfig();

  async function send(
    method: string,
    path: string,
    body: unknown,
    query: Query | undefined,
    accept: number[] = [],
    retried = false,
    /** `body` is text of this type, sent as it is (else JSON). */
    textType?: string,
    acceptType = "application/json",
  ): Promise<Response> {
    const token = event.locals.session?.access_token;
    if (!token) redirect(303, signInPath(event.url));
    const needsTenant = !personalEndpoints.test(path);
    // The remembered company is trusted (the API checks membership and answers tenant_not_found);
    // without one, the user's first company is chosen and remembered.
    const tenantId = event.locals.tenantId ?? (needsTenant ? ((await currentTenants(event)).current?.id ?? null) : null);
    if (needsTenant && !tenantId) redirect(303, "/tenants/new");

    const headers: Record<string, string> = { authorization: `Bearer ${token}`, apikey: clientKey, accept: acceptType };
    if (tenantId) headers["x-tenant-id"] = tenantId;
    if (body !== undefined) headers["content-type"] = textType ?? "application/json";

    let response: Response;
    try {
      response = await event.fetch(`${functionsUrl}/api/v1${path}${queryString(query)}`, {
        method,
        headers,
        body: body === undefined ? undefined : textType ? String(body) : JSON.stringify(body),
      });
    } catch (cause) {
      console.error(`api: ${method} ${path} did not answer`, cause);
      throw new ApiFailure(503, "api_unreachable", "The API is not answering right now; try again shortly.");
    }
    if (response.ok || accept.includes(response.status)) return response;

    const failure = await failureOf(response);
    if (failure.status === 401) redirect(303, signInPath(event.url));
    if (failure.code === "tenant_not_found" && needsTenant && !retried) {
      // The remembered company is no longer one of the user's: forget it and pick again.
      forgetTenant(event);
      tenantLists.delete(event.locals);
      return send(method, path, body, query, accept, true, textType, acceptType);
    }
    if (failure.code === "tenant_required") redirect(303, "/tenants/new");
    throw failure;
  }

  async function json<S extends z.ZodType>(response: Response, schema: S, what: string): Promise<z.output<S>> {
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (parsed.success) return parsed.data;
    console.error(`api: ${what} answered an unexpected shape`, parsed.error.issues.slice(0, 5));
    throw new ApiFailure(502, "unexpected_response", "The API answered something this page does not understand.");
  }

  return {
    async get(path, schema, query) {
      return json(await send("GET", path, undefined, query), schema, `GET ${path}`);
    },
    async post(path, schema, body, query, accept) {
      return json(await send("POST", path, body, query, accept), schema, `POST ${path}`);
    },
    async patch(path, schema, body, query) {
      return json(await send("PATCH", path, body, query), schema, `PATCH ${path}`);
    },
    async put(path, schema, body, query) {
      return json(await send("PUT", path, body, query), schema, `PUT ${path}`);
    },
    async delete(path, query) {
      await send("DELETE", path, undefined, query);
    },
    async postText(path, schema, text, contentType) {
      return json(await send("POST", path, text, undefined, [], false, contentType), schema, `POST ${path}`);
    },
    async download(path, accept, query) {
      return send("GET", path, undefined, query, [], false, undefined, accept);
    },
  };
}

export interface TenantChoice {
  /** Every company the user belongs to, with their role in it. */
  tenants: Tenant[];
  /** The one they work in: the remembered one, else the first; null when they have none. */
  current: Tenant | null;
}

// One GET /tenants per request, however many loads and API calls ask for it.
const tenantLists = new WeakMap<App.Locals, Promise<TenantChoice>>();

/** The user's companies and the current one, remembering it in the cookie when it changed. */
export function currentTenants(event: ApiEvent): Promise<TenantChoice> {
  let choice = tenantLists.get(event.locals);
  if (!choice) {
    choice = createApi(event)
      .get("/tenants", tenantPage, { limit: 100 })
      .then((page) => {
        const current = page.items.find((tenant) => tenant.id === event.locals.tenantId) ?? page.items[0] ?? null;
        if (current && current.id !== event.locals.tenantId) rememberTenant(event, current.id);
        if (!current && event.locals.tenantId) forgetTenant(event);
        return { tenants: page.items, current };
      });
    tenantLists.set(event.locals, choice);
    choice.catch(() => tenantLists.delete(event.locals));
  }
  return choice;
}

/** After the user joined or created a company: work in it from now on. */
export function switchTenant(event: ApiEvent, tenantId: string): void {
  tenantLists.delete(event.locals);
  rememberTenant(event, tenantId);
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function failureOf(response: Response): Promise<ApiFailure> {
  const parsed = errorResponse.safeParse(await response.json().catch(() => undefined));
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiFailure(response.status, code, message, details);
  }
  return new ApiFailure(response.status, response.status >= 500 ? "internal_error" : "bad_request", response.statusText || "The request failed.");
}

export function signInPath(url: URL): string {
  const back = url.pathname + url.search;
  return back === "/" || back.startsWith("/login") ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`;
}

// ─── what pages and forms do with a failure ─────────────────────────────────────────────────────

/** In a load: the API's failure becomes the page's error (404 stays 404, and so on). */
export function pageError(cause: unknown): never {
  if (cause instanceof ApiFailure) {
    error(cause.status as Parameters<typeof error>[0], { message: cause.message, code: cause.code });
  }
  throw cause;
}

/** In an action: the API's failure becomes `fail(status, { message, code, fields, values })`. */
export function formFailure(
  cause: unknown,
  values: Record<string, string> = {},
  form?: string,
): ActionFailure<FormFailure> {
  if (cause instanceof ApiFailure) {
    return fail(cause.status, { message: cause.message, code: cause.code, reason: cause.reason(), fields: cause.fieldErrors(), fieldRules: cause.fieldRules(), values, form });
  }
  throw cause;
}
