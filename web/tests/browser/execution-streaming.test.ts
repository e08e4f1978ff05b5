// Watching an agent write, in the browser: the running agent's card fills with its text while the
// step runs (the executor's `step_text` broadcasts on the run's private channel), each time the whole
// text so far and never twice; a reload mid-step shows the text again from the next broadcast, not
// duplicated; and when the step ends the card shows its answer instead. In Portuguese on a laptop
// and in English on a phone. The demo provider writes its reply word by word over its latency.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, webUrl, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let owner: ApiPerson;
let page: Page;

// About 40 words over 8 s: a word every ~200 ms.
const reply = Array.from({ length: 40 }, (_, index) => `palavra${index + 1}`).join(" ");

/** A one-agent team whose demo agent writes `reply` over `latencyMs`; answers the run's id. */
async function runWriter(who: ApiPerson, name: string, latencyMs: number, tools: string[] = [], prompt = "Escreva devagar"): Promise<string> {
  const agent = await callApi(who, "POST", "/agents", { name: `${name} escritor`, provider: "demo", model: "demo-small", status: "active", tools, config: { latency_ms: latencyMs, reply } });
  const team = await callApi(who, "POST", "/teams", {
    name,
    workflow_type: "sequential",
    config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
    agents: [{ agent_id: agent.id, role: "member", execution_order: 1 }],
  });
  const started = await callApi(who, "POST", `/teams/${team.id}/execute`, { initial_prompt: prompt });
  return started.execution_id as string;
}

const card = (on: Page) => on.getByTestId("agent-status-card").first();
const writing = (on: Page) => on.getByTestId("agent-writing").first();

/** The card's text as it is written, read until `count` different texts were seen (or the step ended). */
async function textsWhileWriting(on: Page, count: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + 30_000;
  while (seen.length < count && Date.now() < deadline) {
    if ((await card(on).getAttribute("data-status")) !== "running") break;
    const text = (await writing(on).textContent({ timeout: 1_000 }).catch(() => null))?.trim();
    if (text && text !== seen.at(-1)) seen.push(text);
    await on.waitForTimeout(50);
  }
  return seen;
}

/** Each text a start of the reply (nothing written twice), and each longer than the one before. */
function expectGrowingPrefixes(texts: string[]): void {
  for (const [index, text] of texts.entries()) {
    expect(reply.startsWith(text), `"${text}" is how the reply starts`).toBe(true);
    if (index > 0) expect(text.length).toBeGreaterThan(texts[index - 1].length);
  }
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ page } = await newPage(chromium.browser));
  const account = await signUp(page, "Lia Moura");
  await createCompany(page, "Gráfica Veloz");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await page?.context().close();
  await chromium?.close();
});

describe("the running agent's card", () => {
  it("fills with the text as it is written, shows it again after a reload without repeating it, then shows the answer", async () => {
    const id = await runWriter(owner, "Equipe Redação", 8_000);
    await open(page, `/executions/${id}`);
    await card(page).and(page.locator('[data-status="running"]')).waitFor();

    const before = await textsWhileWriting(page, 3);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expectGrowingPrefixes(before);
    expect(await card(page).getByText("Escrevendo…").isVisible()).toBe(true);
    expect(await card(page).getAttribute("data-status")).toBe("running");

    // Reloaded mid-step: the next broadcast brings everything so far, once.
    await page.reload();
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    const after = await textsWhileWriting(page, 2);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expectGrowingPrefixes(after);
    expect(after[0].length).toBeGreaterThan(before.at(-1)!.length);

    // The step ends: its answer takes the place of what was being written.
    await card(page).and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId("agent-output").first().textContent()).toBe(reply);
    expect(await page.getByTestId("agent-writing").count()).toBe(0);
  });

  it("streams an agent that used a tool first: the text after the tool call fills the card, then the answer with the tool's result", async () => {
    const id = await runWriter(owner, "Equipe Relógio", 6_000, ["current_time"], 'Que horas são?\n@tool current_time {"timezone":"America/Sao_Paulo"}');
    await open(page, `/executions/${id}`);
    await card(page).and(page.locator('[data-status="running"]')).waitFor();
    const texts = await textsWhileWriting(page, 3);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const [index, text] of texts.entries()) if (index > 0) expect(text.length).toBeGreaterThanOrEqual(texts[index - 1].length);
    await card(page).and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    const answer = await page.getByTestId("agent-output").first().textContent();
    expect(answer).toContain("current_time -> ");
    expect(answer).toContain("America/Sao_Paulo");
    expect(await page.getByTestId("agent-writing").count()).toBe(0);
  });

  it("says so in English on a phone, within the screen's width", async () => {
    const context = await chromium.browser.newContext({ baseURL: webUrl(), viewport: { width: 390, height: 780 }, locale: "en" });
    context.setDefaultTimeout(15_000);
    await context.addCookies([{ name: "renum-locale", value: "en", url: webUrl() }]);
    // The session of the same person, carried over from the laptop.
    await context.addCookies(await page.context().cookies());
    const phone = await context.newPage();
    try {
      const id = await runWriter(owner, "Equipe Telefone", 6_000);
      await open(phone, `/executions/${id}`);
      expect(await phone.locator("html").getAttribute("lang")).toBe("en");
      await card(phone).and(phone.locator('[data-status="running"]')).waitFor();
      const texts = await textsWhileWriting(phone, 2);
      expect(texts.length).toBeGreaterThanOrEqual(2);
      expectGrowingPrefixes(texts);
      expect(await card(phone).getByText("Writing…").isVisible()).toBe(true);
      expect(await horizontalOverflow(phone)).toBe(0);
      await card(phone).and(phone.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
      await expect.poll(() => phone.getByTestId("agent-output").first().textContent()).toBe(reply);
    } finally {
      await context.close();
    }
  });
});
