// Runs for the browser flows, made through the API as the person (their access token and company)
// rather than through the pages those flows are not about: demo agents, a team, a run of it.
export interface ApiPerson {
  token: string;
  tenantId: string;
}

/** The key a client app uses on the stack: its publishable key on asymmetric keys, else the anon key. */
export function clientKey(): string {
  return process.env.PUBLISHABLE_KEY || stackEnv("ANON_KEY");
}

export function stackEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser suite with the stack's environment`);
  return value.replace(/\/+$/, "");
}

/** The person's access token (a password sign-in against the stack's Auth) and their company. */
export async function apiSession(email: string, password: string): Promise<ApiPerson> {
  const response = await fetch(`${stackEnv("API_URL")}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: clientKey(), "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  const tenants = await callApi({ token, tenantId: "" }, "GET", "/tenants");
  return { token, tenantId: (tenants.items as { id: string }[])[0].id };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callApi(who: ApiPerson, method: string, path: string, body?: unknown): Promise<any> {
  const functions = process.env.FUNCTIONS_URL ?? `${stackEnv("API_URL")}/functions/v1`;
  const response = await fetch(`${functions.replace(/\/+$/, "")}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${who.token}`,
      apikey: clientKey(),
      ...(who.tenantId ? { "x-tenant-id": who.tenantId } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** A team of demo agents, one after another, each answering after its latency. */
export async function createTeam(who: ApiPerson, name: string, latencies: number[]): Promise<string> {
  const agents = [];
  for (const [index, latency] of latencies.entries()) {
    const agent = await callApi(who, "POST", "/agents", {
      name: `${name} ${index + 1}`,
      provider: "demo",
      model: "demo-small",
      status: "active",
      config: { latency_ms: latency, reply: "{agent} respondeu: {input}" },
    });
    agents.push({ agent_id: agent.id, role: "member", execution_order: index + 1 });
  }
  const team = await callApi(who, "POST", "/teams", {
    name,
    workflow_type: "sequential",
    config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
    agents,
  });
  return team.id as string;
}

/** A run of a new team of demo agents (see createTeam). */
export async function runTeam(who: ApiPerson, name: string, latencies: number[]): Promise<string> {
  const team = await createTeam(who, name, latencies);
  const started = await callApi(who, "POST", `/teams/${team}/execute`, { initial_prompt: "Planeje a semana da confeitaria" });
  return started.execution_id as string;
}

/** Waits for `check` to hold, asking every 200 ms. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
