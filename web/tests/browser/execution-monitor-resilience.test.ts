// The live monitor when things get hard, in the browser: the network lost mid-run (all of the
// browser's traffic goes through a cable the test pulls out, see ./network-cable) while the run goes
// on, then back, with every event once and in order; a run whose log is far longer than one page,
// read back to its first event; and a run started from the team's form that finishes while the
// person is elsewhere in the app, which a toast with a link tells them.
import { mkdirSync } from "node:fs";
import postgres from "postgres";
import type { BrowserContext, Page, WebSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, open, webUrl, type LaunchedBrowser } from "./browser";
import { networkCable, type NetworkCable } from "./network-cable";
import { createCompany, signUp } from "./people";
import { apiSession, callApi, createTeam, runTeam, stackEnv, waitUntil, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let cable: NetworkCable;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;

const cards = () => page.getByTestId("agent-status-card");
const plain = (text: string | null) => (text ?? "").replace(/\u00a0|\u202f/g, " ");

async function timelineSeqs(): Promise<number[]> {
  return page.getByTestId("timeline-event").evaluateAll((items) => items.map((item) => Number(item.getAttribute("data-seq"))));
}

const oneToN = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

async function statusOf(id: string) {
  return callApi(owner, "GET", `/executions/${id}/status`);
}

/** Lines the run's runtime writes to its log, through the function the engine appends every event with. */
async function writeLogLines(id: string, count: number): Promise<void> {
  const sql = postgres(stackEnv("DB_URL"), { max: 1 });
  try {
    await sql`select private.append_execution_event(${id}::uuid, 'log', jsonb_build_object('message', 'linha ' || g)) from generate_series(1, ${count}::int) g`;
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  chromium = await launchChromium();
  cable = await networkCable();
  context = await chromium.browser.newContext({ baseURL: webUrl(), viewport: { width: 1280, height: 900 }, locale: "pt-BR", proxy: { server: cable.server } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  const account = await signUp(page, "Rita Campos");
  await createCompany(page, "Doceria Serena");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await cable?.close();
});

describe("the live monitor when the network is lost mid-run", () => {
  it("says it is offline, and when the network is back shows every event that passed, once and in order, and the final cost", async () => {
    const id = await runTeam(owner, "Equipe Itinerante", [1500, 1500, 1500, 6000, 500]);
    const realtimeSockets: WebSocket[] = [];
    // A socket that Realtime has answered on is open; one still connecting (a reconnect under load)
    // is not, and Chromium may report nothing for it until it gives up.
    const answered = new Set<WebSocket>();
    page.on("websocket", (socket) => {
      if (!socket.url().includes("/realtime/v1/websocket")) return;
      realtimeSockets.push(socket);
      socket.on("framereceived", () => answered.add(socket));
    });
    await open(page, `/executions/${id}`);
    await page.locator('[data-connection="live"]').waitFor();
    await cards().nth(1).and(page.locator('[data-status="running"]')).waitFor();

    // The cable first, the browser's offline mode once the drop is seen: Chromium's offline mode
    // holds back whatever a WebSocket reads after it is switched on, the connection's end included,
    // so a frame arriving between the two (a streamed delta, say) left the dead socket "open" until
    // the network came back. With offline set 1.5 s before the cut that happened every time.
    cable.cut();
    const socketsAtCut = realtimeSockets.filter((socket) => answered.has(socket) && !socket.isClosed());
    let seenOffline: number[] = [];
    try {
      // The Realtime connection really dropped (Chromium's offline mode alone would have kept it
      // open). Chromium reports the close some time after the cable is cut, later on a busy machine.
      expect(socketsAtCut.length).toBeGreaterThan(0);
      const states = () => realtimeSockets.map((socket) => `${socketsAtCut.includes(socket) ? "open at the cut" : "other"}: ${socket.isClosed() ? "closed" : "not closed"}`).join(", ");
      await expect
        .poll(() => socketsAtCut.every((socket) => socket.isClosed()), { timeout: 15_000 })
        .toBe(true)
        .catch((error: Error) => {
          throw new Error(`${error.message} (Realtime sockets: ${states()})`);
        });
      await context.setOffline(true);
      await page.locator('[data-connection="offline"]').waitFor();
      expect(await page.getByTestId("connection").textContent()).toContain("Sem conexão");
      if (process.env.SCREENSHOT_DIR) mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
      if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/execution-offline-1280.png` });
      // The run goes on in the database meanwhile; none of it can reach the page.
      await waitUntil("the third agent to finish while the browser is offline", async () => (await statusOf(id)).agents[2].status === "succeeded");
      expect(await cards().nth(2).getAttribute("data-status")).not.toBe("succeeded");
      seenOffline = await timelineSeqs();
    } finally {
      // Whatever happened above, the tests after this one need the network.
      cable.plugIn();
      await context.setOffline(false);
    }
    await cards().nth(2).and(page.locator('[data-status="succeeded"]')).waitFor();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="execution-status"] [data-status="completed"]').waitFor({ timeout: 30_000 });

    // realtime-js opened a new connection by itself and the channel was joined again on it.
    expect(realtimeSockets.length).toBeGreaterThan(socketsAtCut.length);
    expect(realtimeSockets.at(-1)?.isClosed()).toBe(false);
    const final = await statusOf(id);
    expect(final.status).toBe("completed");
    const seqs = await timelineSeqs();
    expect(seqs.length).toBeGreaterThan(seenOffline.length);
    expect(seqs).toEqual(oneToN(final.last_event_seq));
    for (let index = 0; index < 5; index++) expect(await cards().nth(index).getAttribute("data-status")).toBe("succeeded");
    expect(plain(await page.getByTestId("run-cost").textContent())).toBe(plain(await page.getByTestId("total-cost").textContent()));
    expect(plain(await page.getByTestId("run-tokens").textContent())).toBe(new Intl.NumberFormat("pt-BR").format(final.input_tokens + final.output_tokens));
    expect(await page.getByTestId("result-summary").textContent()).toContain("Equipe Itinerante 5 respondeu");
  });
});

describe("the live monitor of a long run", () => {
  it("starts with the newest events, reads earlier ones on request back to the first, and keeps following", async () => {
    const id = await runTeam(owner, "Equipe Verbosa", [0, 60_000]);
    await waitUntil("the second agent to run", async () => (await statusOf(id)).agents[1].status === "running");
    await writeLogLines(id, 1300);
    try {
      await open(page, `/executions/${id}`);
      const last = (await statusOf(id)).last_event_seq as number;
      expect(last).toBeGreaterThan(1300);
      expect(await timelineSeqs()).toEqual(oneToN(200).map((seq) => last - 200 + seq));
      // The first agent answered long before the events shown: its answer is on its card all the same.
      expect(await cards().nth(0).getByTestId("agent-output").textContent()).toContain("Equipe Verbosa 1 respondeu");

      const showEarlier = page.getByTestId("show-earlier");
      expect(await showEarlier.textContent()).toContain(`faltam ${new Intl.NumberFormat("pt-BR").format(last - 200)}`);
      for (let shown = 200; shown < last; shown = Math.min(last, shown + 200)) {
        await showEarlier.click();
        await expect.poll(() => page.getByTestId("timeline-event").count()).toBe(Math.min(last, shown + 200));
      }
      expect(await showEarlier.count()).toBe(0);
      expect(await timelineSeqs()).toEqual(oneToN(last));

      // Still live: lines written now arrive at the end, each once.
      await page.locator('[data-connection="live"]').waitFor();
      await writeLogLines(id, 5);
      await expect.poll(() => page.getByTestId("timeline-event").count()).toBe(last + 5);
      expect(await timelineSeqs()).toEqual(oneToN(last + 5));
      expect(await page.getByTestId("timeline-event").last().textContent()).toContain("Registro: linha 5");
    } finally {
      await callApi(owner, "POST", `/executions/${id}/stop`);
    }
  });
});

describe("a run started here that finishes while the person is elsewhere", () => {
  it("is told by a toast with a link to the run", async () => {
    const team = await createTeam(owner, "Equipe Discreta", [3000]);
    await open(page, `/teams/${team}/execute`);
    await page.getByLabel("Pedido inicial").fill("Feche o caixa do dia");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    const runPath = new URL(page.url()).pathname;
    await page.getByRole("link", { name: "Agentes", exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === "/agents");

    const toast = page.getByTestId("run-finished-toast");
    await toast.waitFor({ timeout: 30_000 });
    expect(await toast.textContent()).toContain("A execução de Equipe Discreta terminou.");
    await toast.getByRole("link", { name: "Ver execução" }).click();
    await page.waitForURL((url) => url.pathname === runPath);
    await page.locator('[data-testid="execution-status"] [data-status="completed"]').waitFor();
  });

  it("is not told about a run that finishes on its own monitor", async () => {
    const team = await createTeam(owner, "Equipe Presente", [1000]);
    await open(page, `/teams/${team}/execute`);
    await page.getByLabel("Pedido inicial").fill("Confira o estoque");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="execution-status"] [data-status="completed"]').waitFor({ timeout: 30_000 });
    // Its end was seen here: the run leaves the list, and leaving the page afterwards brings no toast about it.
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem("renum-started-runs"))).toBeNull();
    await page.getByRole("link", { name: "Agentes", exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === "/agents");
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.getByTestId("run-finished-toast").count()).toBe(0);
  });
});
