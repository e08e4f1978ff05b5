// A live page left open past its access token's expiry, in the browser. The browser holds no
// Supabase Auth client: the root layout asks the server for a fresh session shortly before the
// token expires, and the tab's Realtime client hands the new token to the channels it joined. Here
// the person signs in while the stack's Auth issues short tokens (`jwt_expiry`, which the local
// Auth re-reads from supabase/config.toml), opens the monitor of a run waiting for their approval,
// and leaves it open until that token has expired — Realtime closes a channel whose token expired —
// then a new event of the run must still appear live, and approving from the page still works.
import { readFileSync, writeFileSync } from "node:fs";
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
import { apiSession, callApi, stackEnv, waitUntil, type ApiPerson } from "./runs";

/**
 * The short lifetime: over Auth's 90 s refresh margin (a session within it is refreshed by the
 * server's next request, before the page could join with it), with time left to open the page.
 */
const shortTokenSeconds = 110;
const configPath = new URL("../../../supabase/config.toml", import.meta.url);

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
let chromium: LaunchedBrowser;
let setupContext: BrowserContext;
let context: BrowserContext | undefined;
let owner: ApiPerson;
let account: { email: string; password: string };
let teamId = "";

/** The access token of the session in the context's Supabase cookie (chunked, base64url JSON). */
async function cookieToken(of: BrowserContext): Promise<{ token: string; iat: number; exp: number }> {
  const chunks = (await of.cookies())
    .filter((cookie) => /^sb-.+-auth-token(\.\d+)?$/.test(cookie.name))
    .sort((a, b) => Number(a.name.split(".")[1] ?? -1) - Number(b.name.split(".")[1] ?? -1));
  expect(chunks.length).toBeGreaterThan(0);
  const session = JSON.parse(Buffer.from(chunks.map((cookie) => cookie.value).join("").replace(/^base64-/, ""), "base64url").toString());
  const claims = JSON.parse(Buffer.from(session.access_token.split(".")[1], "base64url").toString());
  return { token: session.access_token, iat: claims.iat, exp: claims.exp };
}

/** Signs in through /login while Auth issues `seconds`-long access tokens, then puts the config back. */
async function signInWithShortTokens(page: Page, seconds: number): Promise<void> {
  const original = readFileSync(configPath, "utf8");
  const changed = original.replace(/^jwt_expiry = \d+$/m, `jwt_expiry = ${seconds}`);
  expect(changed).not.toBe(original);
  writeFileSync(configPath, changed);
  try {
    await open(page, "/login");
    await page.locator("#signin-email").fill(account.email);
    await page.locator("#signin-password").fill(account.password);
    await page.getByRole("button", { name: "Entrar" }).last().click();
    await page.waitForURL((url) => url.pathname === "/");
  } finally {
    writeFileSync(configPath, original);
  }
}

beforeAll(async () => {
  chromium = await launchChromium();
  let setupPage: Page;
  ({ context: setupContext, page: setupPage } = await newPage(chromium.browser));
  account = await signUp(setupPage, "Inês Vigia");
  await createCompany(setupPage, "Vigia Noturna");
  owner = await apiSession(account.email, account.password);
  const [me] = await sql<{ id: string }[]>`select id from auth.users where email = ${account.email}`;
  const agent = (name: string) =>
    callApi(owner, "POST", "/agents", { name, provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 0, reply: "{agent} escreveu: {input}" } });
  const writer = await agent("Redatora");
  const editor = await agent("Revisora");
  const team = await callApi(owner, "POST", "/teams", {
    name: "Equipe da Madrugada",
    workflow_type: "sequential",
    config: { timeout_seconds: 600, max_parallel_agents: 5, continue_on_error: false },
    agents: [
      { agent_id: writer.id, role: "member", execution_order: 1, config: { approval: { approvers: [me.id], timeout_seconds: 3600, on_timeout: "reject" } } },
      { agent_id: editor.id, role: "member", execution_order: 2 },
    ],
  });
  teamId = team.id;
});

afterAll(async () => {
  await context?.close();
  await setupContext?.close();
  await chromium?.close();
  await sql.end();
});

describe("a live page left open past its access token's expiry", () => {
  it("keeps receiving the run's events over Realtime and its actions still succeed", { timeout: 240_000 }, async () => {
    const run = (await callApi(owner, "POST", `/teams/${teamId}/execute`, { initial_prompt: "Vigie a loja" })).execution_id as string;

    let page: Page;
    ({ context, page } = await newPage(chromium.browser));
    await signInWithShortTokens(page, shortTokenSeconds);
    const first = await cookieToken(context);
    expect(first.exp - first.iat).toBe(shortTokenSeconds);

    await open(page, `/executions/${run}`);
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator('[data-testid="approval-panel"][data-can-decide="true"]').waitFor({ timeout: 30_000 });
    // Still the short token: the page joined the run's channel with it.
    expect((await cookieToken(context)).token).toBe(first.token);

    // Left open until that token has expired (the layout refreshes the session meanwhile).
    await waitUntil("the first access token to expire", async () => Date.now() / 1000 > first.exp + 3, (shortTokenSeconds + 30) * 1000);
    const refreshed = await cookieToken(context);
    expect(refreshed.token).not.toBe(first.token);
    expect(refreshed.exp).toBeGreaterThan(first.exp);

    // An event of the run now still arrives live (the monitor reads the log only when it joins).
    const [{ seq }] = await sql<{ seq: string }[]>`select private.append_execution_event(${run}::uuid, 'log', jsonb_build_object('message', 'ainda acordada')) as seq`;
    await page.locator(`[data-testid="timeline-event"][data-seq="${seq}"]`).waitFor();
    expect(await page.locator('[data-testid="connection"]').getAttribute("data-connection")).toBe("live");

    // And an action: approving from the page lets the run go on to its end, shown live.
    await page.getByTestId("approval-panel").getByRole("button", { name: "Aprovar", exact: true }).click();
    await waitUntil("the run to finish", async () => (await callApi(owner, "GET", `/executions/${run}/status`)).status === "completed");
    await expect.poll(() => page.getByTestId("agent-status-card").evaluateAll((cards) => cards.map((card) => card.getAttribute("data-status")))).toEqual(["succeeded", "succeeded"]);
  });
});
