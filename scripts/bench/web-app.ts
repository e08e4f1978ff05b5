// The web app as a person feels it, measured in Chromium (Debian's, driven by playwright-core) on
// the built app served by adapter-node (scripts/stack/built-web-app.ts) in front of the bench stack:
//
//   click → first card "running"   on /teams/<id>/execute a click on "Iniciar execução", then the
//                                   form action, the redirect to /executions/<id>, its load and
//                                   render, until the first agent card says running; both moments
//                                   are performance.now() of the page (the navigation is
//                                   client-side, so it is one document and one clock); where the
//                                   time goes comes from the page's resource timing (the action's
//                                   redirect received, the monitor's data received)
//   DB event → card updated        each agent status event of the run (execution_events.created_at)
//                                   to the moment the card's data-status changed in the DOM (a
//                                   MutationObserver), for the events after the monitor was live
//   baseline                        the same events received by a plain realtime-js client in this
//                                   process, subscribed to the same private channel with the same
//                                   person's token: the raw transport; printed as card ÷ raw
//
// Clocks: the database's now(), this process and Chromium all read the same machine's wall clock
// (CLOCK_REALTIME). Each side's performance.now() is put on that clock by waiting for Date.now()
// to tick and taking performance.now() at that instant (sub-millisecond, unlike Date.now itself);
// the printout checks the database against this process (clock_timestamp() between two readings)
// and Chromium's offset against its performance.timeOrigin. created_at is the start of the
// transaction that wrote the event (Postgres' now()), so the card and the baseline both include
// the rest of that transaction.
//
// Then each main page opened directly in a fresh context and its JavaScript weighed
// (page-javascript.ts): a table, and the largest page against the target.
// Targets: p95 under 300 ms for both latencies; of JS gzipped, the largest page under 150 kB and
// the typical one (the median of the signed-in pages) under 100 kB (issue #18).
//   npx tsx scripts/bench/web-app.ts [--runs 20] [--agents 3] [--latency 1000] [--keep] [--instance bench]
import { RealtimeClient, type RealtimeChannel, type RealtimeClientOptions } from "@supabase/realtime-js";
import type { Browser, BrowserContext, Page } from "playwright-core";
import WebSocket from "ws";
import { launchChromium } from "../../web/tests/browser/browser.ts";
import { buildWebApp, requireFreeWebPort, serveWebApp } from "../stack/built-web-app.ts";
import { stackInstance, statusVariables } from "../stack/instances.ts";
import { type ApiUser, call, createTenant, expectStatus, signUp } from "../../tests/fixtures/index.ts";
import { line, ms, openBenchStack, option, pause, say, type Sql, summarize, type Summary, waitForRuns, warmExecutor } from "./engine-bench-support.ts";
import { kilobytes, type PageJavaScript, weighPage } from "./page-javascript.ts";

const runs = Number(option("--runs", "20"));
const agentCount = Number(option("--agents", "3"));
const agentLatencyMs = Number(option("--latency", "1000"));
const warmUpRuns = 2;
const targetP95Ms = 300;
const targetLargestPageGzipBytes = 150_000;
const targetTypicalPageGzipBytes = 100_000;

// ─── clocks ─────────────────────────────────────────────────────────────────────────────────────

/** What to add to performance.now() to get the wall clock, taken as Date.now() ticks over. */
function wallClockOffset(): number {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return now - performance.now();
}

const nodeOffset = wallClockOffset();
const wallNow = () => performance.now() + nodeOffset;

/** The database's clock minus this process's, from the fastest of 20 round trips (± half of it). */
async function databaseClockSkew(sql: Sql): Promise<{ skew: number; within: number }> {
  let best = { skew: 0, within: Infinity };
  for (let sample = 0; sample < 20; sample++) {
    const before = wallNow();
    const [{ at }] = await sql<{ at: number }[]>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as at`;
    const after = wallNow();
    if ((after - before) / 2 < best.within) best = { skew: at - (before + after) / 2, within: (after - before) / 2 };
  }
  return best;
}

// ─── what the page records ──────────────────────────────────────────────────────────────────────

// Plain JavaScript (a string, so no bundler helper leaks into the page): the click, every change
// of an agent card's status and the moment the monitor's channel went live, in performance.now().
const pageRecorder = `(() => {
  const record = { click: null, live: null, cards: [] };
  const last = [];
  document.addEventListener("click", () => { if (record.click === null) record.click = performance.now(); }, true);
  const look = () => {
    const at = performance.now();
    document.querySelectorAll('[data-testid="agent-status-card"]').forEach((card, index) => {
      const status = card.getAttribute("data-status");
      if (last[index] !== status) { last[index] = status; record.cards.push({ index, status, at }); }
    });
    if (record.live === null && document.querySelector('[data-connection="live"]')) record.live = at;
  };
  new MutationObserver(look).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status", "data-connection"] });
  window.__webAppBench = record;
})()`;

const pageClock = `(() => {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  const offset = now - performance.now();
  return { offset, timeOrigin: performance.timeOrigin };
})()`;

interface PageRecord {
  click: number | null;
  live: number | null;
  cards: { index: number; status: string; at: number }[];
}

// The requests the page made after the click, on the same clock (resource timing).
const pageRequests = `performance.getEntriesByType("resource").map((entry) => ({ url: entry.name, start: entry.startTime, end: entry.responseEnd }))`;

interface PageRequest {
  url: string;
  start: number;
  end: number;
}

// ─── the company, its team, the browser ─────────────────────────────────────────────────────────

interface Bench {
  sql: Sql;
  person: ApiUser;
  tenantId: string;
  teamId: string;
  agentIds: string[];
}

async function createTeamThroughApi(sql: Sql): Promise<Bench> {
  const person = await signUp("web-bench");
  const tenantId = await createTenant(person, "Bench Web");
  const agentIds: string[] = [];
  for (let index = 0; index < agentCount; index++) {
    const agent = await expectStatus(
      call(person, "POST", "/agents", {
        tenant: tenantId,
        body: {
          name: `Agente ${index + 1}`,
          provider: "demo",
          model: "demo-small",
          status: "active",
          config: { latency_ms: agentLatencyMs, reply: "{agent}: {input}", tokens_per_reply: 50 },
        },
      }),
      201,
    );
    agentIds.push(agent.id);
  }
  const team = await expectStatus(
    call(person, "POST", "/teams", {
      tenant: tenantId,
      body: {
        name: "Equipe do benchmark",
        workflow_type: "sequential",
        config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
        agents: agentIds.map((agent_id, index) => ({ agent_id, role: "member", execution_order: index + 1 })),
      },
    }),
    201,
  );
  return { sql, person, tenantId, teamId: team.id, agentIds };
}

async function signInInBrowser(page: Page, person: ApiUser): Promise<void> {
  await page.goto("/login");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.locator("#signin-email").fill(person.email);
  await page.locator("#signin-password").fill(person.password);
  await page.getByRole("button", { name: "Entrar" }).last().click();
  await page.waitForURL((url) => url.pathname === "/");
}

// ─── one run ────────────────────────────────────────────────────────────────────────────────────

interface RunNumbers {
  clickToRunning: number;
  clickToMonitor: number;
  /** Where the time to the first card goes: the form action answered (its redirect), the monitor's data answered. */
  clickToRedirect: number;
  clickToMonitorData: number;
  /** The first agent was already running when the monitor's snapshot was read (not a live update). */
  runningInSnapshot: boolean;
  cardLatencies: number[];
  rawLatencies: number[];
  cardAfterRaw: number[];
  /** Live events whose card status was never rendered (a newer status replaced it in the same frame). */
  unrendered: number;
  browserClockDrift: number;
}

/** The newest run of the team that is not one of `known`, as soon as its row is committed. */
async function newRunOf(bench: Bench, known: Set<string>): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await bench.sql<{ id: string }[]>`
      select id from public.executions where team_id = ${bench.teamId} order by created_at desc limit 1`;
    if (row && !known.has(row.id)) return row.id;
    await pause(5);
  }
  throw new Error("no run of the team appeared within 30 s of the click");
}

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve();
      else if (status !== "CLOSED") reject(new Error(`baseline channel: ${status} ${error?.message ?? ""}`));
    }, 30_000),
  );
}

async function oneRun(bench: Bench, page: Page, realtime: RealtimeClient, known: Set<string>, label: string): Promise<RunNumbers> {
  await page.goto(`/teams/${bench.teamId}/execute`);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.locator("#initial-prompt").fill(`Planeje a semana da confeitaria (${label})`);
  await page.evaluate(pageRecorder);

  await page.getByRole("button", { name: "Iniciar execução" }).click();
  const executionId = await newRunOf(bench, known);
  known.add(executionId);

  // The baseline: a plain realtime-js client on the same private channel, as the same person.
  const received = new Map<number, number>();
  const channel = realtime.channel(`execution:${executionId}`, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, ({ event, payload }) => {
    // The agents' text as they write it (step_text) is not an event of the log.
    if (event === "step_text") return;
    const at = wallNow();
    const seq = Number((payload as { seq?: unknown }).seq);
    if (!received.has(seq)) received.set(seq, at);
  });
  await subscribed(channel);
  const baselineLive = wallNow();

  const [finished] = await waitForRuns(bench.sql, [executionId], 120_000, 20);
  if (finished.status !== "completed") throw new Error(`run ${label} ended ${finished.status}`);
  await page.waitForFunction(
    `document.querySelectorAll('[data-testid="agent-status-card"][data-status="succeeded"]').length === ${agentCount}`,
    undefined,
    { timeout: 30_000 },
  );
  const [{ last_event_seq: lastSeq }] = await bench.sql<{ last_event_seq: number }[]>`
    select last_event_seq from public.executions where id = ${executionId}`;
  const deadline = Date.now() + 10_000;
  while (!received.has(Number(lastSeq)) && Date.now() < deadline) await pause(10);
  await realtime.removeChannel(channel);

  const record = (await page.evaluate("window.__webAppBench")) as PageRecord | undefined;
  if (!record || record.click === null) throw new Error(`run ${label}: the page's record is gone (the click caused a full page load?)`);
  const clock = (await page.evaluate(pageClock)) as { offset: number; timeOrigin: number };
  const requests = ((await page.evaluate(pageRequests)) as PageRequest[]).filter((request) => request.start >= record.click!);
  const answered = (part: string) => requests.find((request) => request.url.includes(part))?.end ?? Number.NaN;
  const running = record.cards.find((change) => change.status === "running");
  if (!running) throw new Error(`run ${label}: no card was ever seen running`);
  const firstCard = record.cards[0];
  const live = record.live;
  if (live === null) throw new Error(`run ${label}: the monitor never went live`);
  const pageLive = live + clock.offset;

  const events = await bench.sql<{ seq: number; position: number; status: string; created: number }[]>`
    select ev.seq::int as seq, s.position, ev.payload ->> 'status' as status,
           (extract(epoch from ev.created_at) * 1000)::float8 as created
    from public.execution_events ev
    join public.execution_steps s on s.id = ev.step_id
    where ev.execution_id = ${executionId} and ev.event = 'agent_status_update'
    order by ev.seq`;
  const numbers: RunNumbers = {
    clickToRunning: running.at - record.click,
    clickToMonitor: firstCard.at - record.click,
    clickToRedirect: answered(`/teams/${bench.teamId}/execute`) - record.click,
    clickToMonitorData: answered(`/executions/${executionId}/__data.json`) - record.click,
    runningInSnapshot: record.cards.filter((change) => change.index === running.index)[0] === running,
    cardLatencies: [],
    rawLatencies: [],
    cardAfterRaw: [],
    unrendered: 0,
    browserClockDrift: clock.timeOrigin - clock.offset,
  };
  for (const event of events) {
    // Only what both listeners could receive live: events after the page and the baseline joined.
    if (event.created <= pageLive || event.created <= baselineLive) continue;
    const rawAt = received.get(event.seq);
    const shown = record.cards.find((change) => change.index === event.position - 1 && change.status === event.status && change.at >= live);
    if (rawAt === undefined) throw new Error(`run ${label}: the baseline client never received event ${event.seq}`);
    if (!shown) {
      numbers.unrendered++;
      continue;
    }
    const cardAt = shown.at + clock.offset;
    numbers.cardLatencies.push(cardAt - event.created);
    numbers.rawLatencies.push(rawAt - event.created);
    numbers.cardAfterRaw.push(cardAt - rawAt);
  }
  return numbers;
}

// ─── pages and their JavaScript ─────────────────────────────────────────────────────────────────

type SignedInState = Awaited<ReturnType<BrowserContext["storageState"]>>;

async function weighMainPages(bench: Bench, browser: Browser, baseURL: string, storageState: SignedInState, executionId: string): Promise<PageJavaScript[]> {
  const signedIn = (label: string, path: string) => ({ label, path, storageState });
  const pages = [
    { label: "sign-in", path: "/login" },
    signedIn("dashboard", "/"),
    signedIn("agents", "/agents"),
    signedIn("new agent", "/agents/new"),
    signedIn("agent", `/agents/${bench.agentIds[0]}`),
    signedIn("teams", "/teams"),
    signedIn("new team (wizard)", "/teams/new"),
    signedIn("team", `/teams/${bench.teamId}`),
    signedIn("edit team", `/teams/${bench.teamId}/edit`),
    signedIn("run a team", `/teams/${bench.teamId}/execute`),
    signedIn("executions", "/executions"),
    signedIn("live monitor", `/executions/${executionId}`),
    signedIn("settings", "/settings"),
    signedIn("provider keys", "/settings/keys"),
    signedIn("company settings", "/settings/company"),
    signedIn("members", "/settings/members"),
    signedIn("invitations", "/invitations"),
    signedIn("new company", "/tenants/new"),
  ];
  const weighed: PageJavaScript[] = [];
  for (const page of pages) weighed.push(await weighPage(browser, baseURL, page));
  return weighed;
}

function ratio(part: Summary, whole: Summary): string {
  return `p50 ${(part.p50 / whole.p50).toFixed(2)}×, p95 ${(part.p95 / whole.p95).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const stack = await openBenchStack(2);
  const instance = stackInstance(stack.name);
  Object.assign(process.env, statusVariables(instance));
  await requireFreeWebPort(instance);
  say("building the web app (vite build)");
  const buildDir = await buildWebApp(instance);
  const web = await serveWebApp(instance, buildDir);
  say(`serving it on ${web.url}`);
  const chromium = await launchChromium();
  const realtime = new RealtimeClient(`${stack.apiUrl}/realtime/v1`, {
    params: { apikey: statusVariables(instance).PUBLISHABLE_KEY ?? statusVariables(instance).ANON_KEY },
    transport: WebSocket as unknown as RealtimeClientOptions["transport"],
  });
  try {
    await warmExecutor(stack);
    const bench = await createTeamThroughApi(stack.sql);
    await realtime.setAuth(bench.person.token);
    say(`a company with a sequential team of ${agentCount} demo agents (latency_ms ${agentLatencyMs}), made through the API`);

    const context = await chromium.browser.newContext({ baseURL: web.url, locale: "pt-BR", viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await signInInBrowser(page, bench.person);

    const known = new Set<string>();
    const measured: RunNumbers[] = [];
    say(`${warmUpRuns} warm-up runs, then ${runs} measured`);
    for (let run = 0; run < warmUpRuns + runs; run++) {
      const numbers = await oneRun(bench, page, realtime, known, `${run + 1}`);
      if (run >= warmUpRuns) measured.push(numbers);
    }
    const storageState = await context.storageState();
    await context.close();
    const clockSkew = await databaseClockSkew(stack.sql);

    say("weighing each main page's JavaScript (fresh context, first visit)");
    const pages = await weighMainPages(bench, chromium.browser, web.url, storageState, [...known].at(-1)!);

    const clickToRunning = summarize(measured.map((run) => run.clickToRunning));
    const clickToMonitor = summarize(measured.map((run) => run.clickToMonitor));
    const clickToRedirect = summarize(measured.map((run) => run.clickToRedirect));
    const clickToMonitorData = summarize(measured.map((run) => run.clickToMonitorData));
    const card = summarize(measured.flatMap((run) => run.cardLatencies));
    const raw = summarize(measured.flatMap((run) => run.rawLatencies));
    const cardAfterRaw = summarize(measured.flatMap((run) => run.cardAfterRaw));
    const inSnapshot = measured.filter((run) => run.runningInSnapshot).length;
    const unrendered = measured.reduce((sum, run) => sum + run.unrendered, 0);
    const drift = measured.map((run) => Math.abs(run.browserClockDrift));

    console.log(`\nthe live monitor in Chromium: ${runs} runs (after ${warmUpRuns} warm-up runs) of ${agentCount} sequential demo agents of ${agentLatencyMs} ms`);
    console.log(line("  click Run → first agent card \"running\"", clickToRunning));
    console.log(line("    click → the form action's redirect received", clickToRedirect));
    console.log(line("    click → the monitor's data received", clickToMonitorData));
    console.log(line("    click → monitor page shown", clickToMonitor));
    console.log(`    the first agent was already running in the monitor's first render in ${inSnapshot} of ${runs} runs`);
    console.log(line("  DB event → agent card updated", card));
    console.log(line("  baseline: DB event → realtime-js client in Node", raw));
    console.log(line("  the card after the baseline client (same event)", cardAfterRaw));
    console.log(`  card update ÷ raw realtime: ${ratio(card, raw)}`);
    if (unrendered > 0) console.log(`  ${unrendered} live status events were replaced by the next one before a render (not counted)`);
    console.log(
      `  clocks: database − this process ${ms(clockSkew.skew)} (± ${ms(clockSkew.within)}); Chromium's timeOrigin − its Date.now() tick up to ${ms(Math.max(...drift))}`,
    );
    for (const [label, summary] of [["click → running", clickToRunning], ["DB event → card", card]] as const) {
      console.log(`  target ${label} p95 < ${targetP95Ms} ms: ${summary.p95 < targetP95Ms ? "met" : "MISSED"} (${ms(summary.p95)})`);
    }

    console.log("\nJavaScript each page loads on a first visit (gzip -9), largest first");
    console.log(`  ${"page".padEnd(20)} ${"path".padEnd(50)} ${"files".padStart(5)} ${"raw".padStart(10)} ${"gzipped".padStart(10)}`);
    for (const weighed of [...pages].sort((a, b) => b.gzipBytes - a.gzipBytes)) {
      const redirected = weighed.landedOn === weighed.path ? "" : `  (landed on ${weighed.landedOn})`;
      console.log(
        `  ${weighed.label.padEnd(20)} ${weighed.path.padEnd(50)} ${String(weighed.files).padStart(5)} ${kilobytes(weighed.rawBytes).padStart(10)} ${kilobytes(weighed.gzipBytes).padStart(10)}${redirected}`,
      );
    }
    const largest = pages.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a));
    console.log(
      `  target largest page < ${kilobytes(targetLargestPageGzipBytes)} gzipped: ${largest.gzipBytes < targetLargestPageGzipBytes ? "met" : "MISSED"} (${largest.label}, ${kilobytes(largest.gzipBytes)})`,
    );
    const signedIn = pages.filter((weighed) => weighed.path !== "/login").map((weighed) => weighed.gzipBytes).sort((a, b) => a - b);
    const typical = signedIn.length % 2 === 1 ? signedIn[(signedIn.length - 1) / 2] : (signedIn[signedIn.length / 2 - 1] + signedIn[signedIn.length / 2]) / 2;
    console.log(
      `  target typical page (median of ${signedIn.length} signed-in) < ${kilobytes(targetTypicalPageGzipBytes)} gzipped: ${typical < targetTypicalPageGzipBytes ? "met" : "MISSED"} (${kilobytes(typical)})`,
    );
  } finally {
    realtime.disconnect();
    await chromium.close();
    await web.stop();
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
