// Credentials for other tools, in the browser at a phone's width: an owner makes an analyst's SQL
// login in /settings/analytics — the password and connection string shown once really connect and
// read the company's analytics, and stop connecting once revoked — and an MCP token in
// /settings/mcp — the token and client configuration shown once really open the MCP server, the
// list then says when it was last used, and a revoked token is refused. An analyst of the company
// is told, on both pages, why they cannot.
import { mkdirSync } from "node:fs";
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember } from "../../src/tests/database";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";

let chromium: LaunchedBrowser;
const contexts: BrowserContext[] = [];
let owner: Page;
let tenantId = "";
const screenshots = process.env.SCREENSHOT_DIR;

async function screenshot(page: Page, name: string) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}/${name}-390.png`, fullPage: true });
}

async function phone(): Promise<Page> {
  const { context, page } = await newPage(chromium.browser, 390);
  contexts.push(context);
  return page;
}

/** What one of the "shown once" blocks says. */
async function shown(page: Page, testid: string): Promise<string> {
  return ((await page.getByTestId(testid).textContent()) ?? "").trim();
}

/** The MCP server's answer to an `initialize` sent with this token. */
async function initializeMcp(endpoint: string, token: string): Promise<number> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "renum-browser-test", version: "1.0.0" } },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

/** One tools/call on the MCP server (stateless: no session to open first); the HTTP status. */
async function callMcpTool(endpoint: string, token: string, name: string): Promise<number> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: {} } }),
  });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  chromium = await launchChromium();
  owner = await phone();
  await signUp(owner, "Olívia Dados");
  await createCompany(owner, `Métricas ${Date.now().toString(36)}`);
  tenantId = (await owner.context().cookies()).find((cookie) => cookie.name === "renum-tenant")!.value;
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await chromium?.close();
});

describe("SQL logins for analysts", () => {
  let connectionString = "";
  let login = "";

  it("are made from the settings, with a password and connection string that connect and read the company's analytics", async () => {
    await open(owner, "/settings");
    await owner.getByRole("link", { name: "Acesso SQL" }).click();
    await owner.waitForURL("**/settings/analytics");
    expect(await owner.getByTestId("sql-logins-empty").isVisible()).toBe(true);

    await owner.getByLabel("Conexões ao mesmo tempo").fill("2");
    await owner.getByLabel("Tempo máximo por consulta (segundos)").fill("15");
    await owner.getByRole("button", { name: "Criar login" }).click();
    await owner.getByTestId("created-sql-login").waitFor();
    login = await shown(owner, "sql-login-user");
    const password = await shown(owner, "sql-login-password");
    connectionString = await shown(owner, "sql-login-url");
    expect(login).toMatch(/^renum_analyst_[0-9a-f]{12}$/);
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(connectionString).toContain(`${login}:${password}@`);
    expect(await shown(owner, "sql-login-psql")).toContain(`psql "${connectionString}"`);
    expect(await owner.getByTestId("sql-login").textContent()).toContain("até 2 conexões · consultas de até 15 s");
    await screenshot(owner, "sql-login-created");
    expect(await horizontalOverflow(owner)).toBe(0);

    const analyst = postgres(connectionString, { max: 1, prepare: false, onnotice: () => {} });
    try {
      const views = await analyst`select view_name from freshness order by view_name`;
      expect(views.length).toBeGreaterThan(0);
      const [settings] = await analyst`select current_setting('statement_timeout') as timeout, current_setting('transaction_read_only') as read_only`;
      expect(settings).toEqual({ timeout: "15s", read_only: "on" });
    } finally {
      await analyst.end();
    }

    await open(owner, "/settings/analytics");
    expect(await owner.getByTestId("created-sql-login").count()).toBe(0);
    expect(await owner.getByText(password).count()).toBe(0);
  });

  it("stop connecting once revoked", async () => {
    await owner.getByRole("button", { name: "Revogar" }).click();
    const dialog = owner.getByRole("alertdialog");
    expect(await dialog.textContent()).toContain(login);
    await dialog.getByRole("button", { name: "Revogar" }).click();
    await owner.getByTestId("sql-logins-empty").waitFor();
    const analyst = postgres(connectionString, { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 10 });
    try {
      await expect(analyst`select 1`).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    } finally {
      await analyst.end();
    }
  });
});

describe("MCP tokens", () => {
  let endpoint = "";
  let token = "";

  it("are made from the settings, with the token and a client configuration that open the MCP server", async () => {
    await open(owner, "/settings");
    await owner.getByRole("link", { name: "MCP" }).click();
    await owner.waitForURL("**/settings/mcp");
    expect(await owner.getByTestId("mcp-tokens-empty").isVisible()).toBe(true);

    await owner.getByLabel("Nome", { exact: true }).fill("Claude da Olívia");
    await owner.getByLabel("Escopo").selectOption("read");
    await owner.getByLabel("Validade").selectOption("30");
    await owner.getByRole("button", { name: "Criar token" }).click();
    await owner.getByTestId("created-mcp-token").waitFor();
    token = await shown(owner, "mcp-token-value");
    endpoint = await shown(owner, "mcp-endpoint");
    expect(token).toMatch(/^rnm_mcp_[0-9a-f]{64}$/);
    expect(endpoint).toMatch(/\/functions\/v1\/mcp$/);
    const config = JSON.parse(await shown(owner, "mcp-client-config"));
    expect(config).toEqual({ mcpServers: { renum: { type: "http", url: endpoint, headers: { Authorization: `Bearer ${token}` } } } });
    expect(await shown(owner, "mcp-command-line")).toContain(`--header "Authorization: Bearer ${token}"`);
    const row = owner.getByTestId("mcp-token");
    expect(await row.textContent()).toContain("Só leitura");
    expect(await row.textContent()).toContain("último uso: nunca");
    await screenshot(owner, "mcp-token-created");
    expect(await horizontalOverflow(owner)).toBe(0);

    expect(await initializeMcp(endpoint, config.mcpServers.renum.headers.Authorization.slice("Bearer ".length))).toBe(200);
    await open(owner, "/settings/mcp");
    expect(await owner.getByTestId("created-mcp-token").count()).toBe(0);
    expect(await owner.getByTestId("mcp-token").textContent()).not.toContain("último uso: nunca");
    expect(await owner.getByTestId("mcp-calls-empty").isVisible()).toBe(true);

    // What the token did is listed for the owner: the tool, the token, who, the result.
    expect(await callMcpTool(endpoint, token, "list_tables")).toBe(200);
    await open(owner, "/settings/mcp");
    const call = owner.getByTestId("mcp-call");
    expect(await call.count()).toBe(1);
    expect(await call.getByTestId("mcp-call-name").textContent()).toBe("list_tables");
    expect(await call.textContent()).toContain("Claude da Olívia");
    expect(await call.textContent()).toContain("Olívia Dados");
    expect(await call.getByTestId("mcp-call-outcome").textContent()).toContain("Respondida");
    await owner.getByTestId("mcp-calls-filter").getByRole("link", { name: "Erro" }).click();
    await owner.getByTestId("mcp-calls-empty").waitFor();
    expect(await horizontalOverflow(owner)).toBe(0);
  });

  it("are refused by the MCP server once revoked", async () => {
    await owner.getByRole("button", { name: "Revogar" }).click();
    await owner.getByRole("alertdialog").getByRole("button", { name: "Revogar" }).click();
    await expect.poll(() => owner.getByTestId("mcp-token").getAttribute("data-state")).toBe("revoked");
    expect(await owner.getByRole("button", { name: "Revogar" }).count()).toBe(0);
    expect(await initializeMcp(endpoint, token)).toBe(401);
  });
});

describe("an analyst of the company", () => {
  it("is told on both pages why they cannot make credentials", async () => {
    const analyst = await phone();
    const { email } = await signUp(analyst, "Caio Analista");
    await addMember(tenantId, email, "analyst");
    await open(analyst, "/settings/analytics");
    expect(await analyst.getByTestId("sql-logins-forbidden").textContent()).toContain("Seu papel nesta empresa é Analista");
    expect(await analyst.getByTestId("create-sql-login").count()).toBe(0);
    await open(analyst, "/settings/mcp");
    expect(await analyst.getByTestId("mcp-tokens-forbidden").textContent()).toContain("Só proprietários e administradores");
    expect(await analyst.getByTestId("create-mcp-token").count()).toBe(0);
    expect(await horizontalOverflow(analyst)).toBe(0);
  });
});
