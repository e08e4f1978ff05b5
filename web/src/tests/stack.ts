// For the server tests (`*.server.test.ts`): requests as SvelteKit would hand them to hooks, loads
// and actions, against the running stack (its URLs and keys in the environment, from
// scripts/test/run-all.ts), through the real handles of hooks.server.ts: a real Supabase session in cookies,
// real calls to the `api` function. Nothing of ours is mocked.
import type { Cookies, RequestEvent } from "@sveltejs/kit";
import type { Handle } from "@sveltejs/kit";
import { authGuard, language, supabase } from "$lib/server/hooks";

type CookieOptions = Parameters<Cookies["set"]>[2];

/** A browser's cookie jar for one person, kept across requests. */
export class CookieJar implements Cookies {
  readonly values = new Map<string, string>();

  get(name: string): string | undefined {
    return this.values.get(name);
  }
  getAll(): { name: string; value: string }[] {
    return [...this.values].map(([name, value]) => ({ name, value }));
  }
  set(name: string, value: string, options: CookieOptions): void {
    if (options.maxAge === 0 || value === "") this.values.delete(name);
    else this.values.set(name, value);
  }
  delete(name: string): void {
    this.values.delete(name);
  }
  serialize(name: string, value: string): string {
    return `${name}=${value}`;
  }
}

export interface TestRequest {
  path?: string;
  method?: "GET" | "POST";
  form?: Record<string, string | string[]>;
  params?: Record<string, string>;
  /** The browser's address as the server sees it (event.getClientAddress()). */
  clientAddress?: string;
}

const origin = "http://127.0.0.1:5173";

/**
 * A RequestEvent after hooks.server.ts ran on it (language, Supabase client and session check,
 * auth guard): what a load or an action receives. Throws the guard's redirect like SvelteKit would.
 */
export async function requestEvent(jar: CookieJar, { path = "/", method = "GET", form, params = {}, clientAddress = "127.0.0.1" }: TestRequest = {}) {
  const url = new URL(path, origin);
  let body: FormData | undefined;
  if (form) {
    body = new FormData();
    for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
  }
  const event = {
    url,
    params,
    route: { id: null },
    request: new Request(url, { method, body }),
    cookies: jar,
    fetch,
    locals: {} as App.Locals,
    setHeaders: () => {},
    getClientAddress: () => clientAddress,
    platform: undefined,
    isDataRequest: false,
    isSubRequest: false,
    isRemoteRequest: false,
    tracing: { enabled: false, root: undefined, current: undefined },
  } as unknown as RequestEvent & { params: Record<string, string> };
  // The handles of hooks.server.ts in its order (SvelteKit's `sequence` needs its request store).
  const chain = [language, supabase, authGuard].reduceRight<(event: RequestEvent) => Promise<Response>>(
    (next, handle: Handle) => async (current) => handle({ event: current, resolve: (resolved) => next(resolved) }),
    async () => new Response("ok"),
  );
  await chain(event);
  return event;
}

/** A person with an account and a session, and the cookie jar of their browser. */
export interface Person {
  email: string;
  password: string;
  jar: CookieJar;
}

let people = 0;

/** Signs a new person up through the login page's action, as the browser would. */
export async function signUp(label: string): Promise<Person> {
  const { actions } = await import("../routes/(public)/login/+page.server");
  const email = `web-${label}-${Date.now()}-${++people}@example.test`;
  const password = "senha-segura-1";
  const jar = new CookieJar();
  const event = await requestEvent(jar, { path: "/login", method: "POST", form: { email, password, full_name: `Pessoa ${label}` } });
  await expectRedirect(() => actions.signup(event as never));
  return { email, password, jar };
}

/** Runs `work` and returns where it redirected to; fails when it does not redirect. */
export async function expectRedirect(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (thrown) {
    const redirect = thrown as { status?: number; location?: string };
    if (typeof redirect.location === "string" && redirect.status && redirect.status >= 300 && redirect.status < 400) return redirect.location;
    throw thrown;
  }
  throw new Error("expected a redirect, got an answer");
}

/** Runs `work` and returns the HTTP error it threw (error(404, ...)); fails otherwise. */
export async function expectHttpError(work: () => unknown): Promise<{ status: number; body: App.Error }> {
  try {
    await work();
  } catch (thrown) {
    const failure = thrown as { status?: number; body?: App.Error };
    if (typeof failure.status === "number" && failure.body) return { status: failure.status, body: failure.body };
    throw thrown;
  }
  throw new Error("expected an HTTP error, got an answer");
}
