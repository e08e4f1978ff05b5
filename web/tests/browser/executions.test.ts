// Watching a team work, in the browser: a run of demo agents started through the API, followed on
// /executions/<id> as each agent goes from waiting to working to done without a reload, then its
// result and cost; a slow run reloaded mid-way (the monitor resumes, every event once) and stopped
// with the Stop button, which asks first and sends one stop however often it is pressed; and
// someone of another company who opens the run's address sees not-found.
import { mkdirSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, runTeam as runTeamAs, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;
const screenshots = process.env.SCREENSHOT_DIR;
let slowRun = "";

/** A run of a new team of demo agents, one after another, each answering after its latency. */
const runTeam = (name: string, latencies: number[]) => runTeamAs(owner, name, latencies);

async function screenshot(name: string, width: number) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: `${screenshots}/${name}-${width}.png`, fullPage: true });
}

// Intl puts a no-break space between the currency sign and the amount.
const plain = (text: string | null) => (text ?? "").replace(/\u00a0|\u202f/g, " ");
const amount = (text: string) => Number(text.replace(/[^\d,]/g, "").replace(",", "."));
const cards = () => page.getByTestId("agent-status-card");
const card = (index: number, status: string) => cards().nth(index).and(page.locator(`[data-status="${status}"]`));

async function timelineSeqs(): Promise<number[]> {
  return (await page.getByTestId("timeline-event").evaluateAll((items) => items.map((item) => Number(item.getAttribute("data-seq")))));
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Helena Prado");
  await createCompany(page, "Confeitaria Aurora");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("the live monitor", () => {
  it("shows each agent go from waiting to working to done, live, then the result and its cost", async () => {
    const id = await runTeam("Equipe Doce", [1500, 1500, 1500]);
    await open(page, `/executions/${id}`);
    // A mark that a reload or a navigation would wipe: everything below happens on this one page.
    await page.evaluate(() => ((window as unknown as { monitorMark: string }).monitorMark = "same page"));
    expect(await cards().count()).toBe(3);
    expect(["pending", "ready"]).toContain(await cards().nth(2).getAttribute("data-status"));

    // The first agent's tokens and cost arrive with its result, while the others still work.
    await card(0, "succeeded").waitFor();
    expect(amount(plain(await cards().nth(0).getByTestId("agent-cost").textContent()))).toBeGreaterThan(0);
    expect(Number(await cards().nth(0).getByTestId("agent-tokens").textContent())).toBeGreaterThan(0);
    await card(2, "running").waitFor();
    expect(await cards().nth(0).getByTestId("agent-output").textContent()).toContain("Equipe Doce 1 respondeu");
    await card(2, "succeeded").waitFor();
    await page.locator('[data-testid="execution-status"] [data-status="completed"]').waitFor();

    expect(await page.evaluate(() => (window as unknown as { monitorMark?: string }).monitorMark)).toBe("same page");
    expect(await page.getByTestId("progress-text").textContent()).toContain("3 de 3 agentes");
    expect(await page.getByTestId("result-summary").textContent()).toContain("Equipe Doce 3 respondeu");
    // Money as Brazilians write it: US$ with a decimal comma; the run's total is the agents' sum.
    const total = plain(await page.getByTestId("total-cost").textContent());
    expect(total).toMatch(/^US\$ \d+,\d+$/);
    expect(amount(total)).toBeGreaterThan(0);
    expect(plain(await page.getByTestId("run-cost").textContent())).toBe(total);
    // An ended run offers no Stop: there is nothing left to stop.
    expect(await page.getByRole("button", { name: "Parar execução" }).count()).toBe(0);
    const seqs = await timelineSeqs();
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));

    await screenshot("execution-finished", 1280);
    await screenshot("execution-finished", 360);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });

    await open(page, "/executions");
    expect(await page.getByTestId("execution-row").first().textContent()).toContain("Equipe Doce");
    expect(await page.getByTestId("execution-row").first().textContent()).toContain("Concluída");
  });

  it("resumes after a reload mid-run with every event once, and stops the run with the Stop button", async () => {
    slowRun = await runTeam("Equipe Lenta", [20_000, 1000]);
    await open(page, `/executions/${slowRun}`);
    await card(0, "running").waitFor();
    await page.locator('[data-connection="live"]').waitFor();
    await screenshot("execution-running", 1280);
    await screenshot("execution-running", 360);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.reload();
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    await page.locator('[data-connection="live"]').waitFor();
    expect(await cards().nth(0).getAttribute("data-status")).toBe("running");
    // The elapsed time keeps ticking from when the agent started, not from the reload.
    const elapsed = await cards().nth(0).getByTestId("agent-elapsed").textContent();
    await expect.poll(() => cards().nth(0).getByTestId("agent-elapsed").textContent(), { timeout: 5000 }).not.toBe(elapsed);

    // Stop asks first; cancelling the question leaves the run going.
    const stops: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/stop")) stops.push(request.url());
    });
    await page.getByRole("button", { name: "Parar execução" }).click();
    const question = page.getByRole("alertdialog", { name: "Parar esta execução?" });
    await question.waitFor();
    await question.getByRole("button", { name: "Cancelar" }).click();
    await question.waitFor({ state: "detached" });
    expect(stops).toEqual([]);
    expect(await cards().nth(0).getAttribute("data-status")).toBe("running");

    // Confirmed with a double click: one stop is sent.
    await page.getByRole("button", { name: "Parar execução" }).click();
    await question.getByRole("button", { name: "Sim, parar" }).dblclick();
    await page.locator('[data-testid="execution-status"] [data-status="cancelled"]').waitFor();
    await page.getByText("Execução interrompida.").waitFor();
    expect(stops).toHaveLength(1);
    await card(0, "cancelled").waitFor();
    await card(1, "cancelled").waitFor();
    // An ended run offers no Stop: there is nothing left to stop.
    expect(await page.getByRole("button", { name: "Parar execução" }).count()).toBe(0);
    const seqs = await timelineSeqs();
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    const status = await callApi(owner, "GET", `/executions/${slowRun}/status`);
    expect(status.status).toBe("cancelled");
    expect(seqs.length).toBe(status.last_event_seq);
  });

  it("is not found for someone of another company", async () => {
    const other = await newPage(chromium.browser);
    try {
      const previous = page;
      page = other.page;
      await signUp(page, "Otávio Reis");
      await createCompany(page, "Padaria Vizinha");
      await open(page, `/executions/${slowRun}`);
      expect(await page.getByText("Página não encontrada").isVisible()).toBe(true);
      expect(await page.content()).not.toContain("Equipe Lenta");
      page = previous;
    } finally {
      await other.context.close();
    }
  });
});
