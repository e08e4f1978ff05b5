// /analytics in the browser (#15): a company's runs, usage, contacts and conversations written as
// the engine and the inbox would write them, the views refreshed as the scheduler refreshes them
// (analytics.refresh of every scheduled view), then each chart is read — tokens and cost per day,
// cost per agent, the funnel, response times, team performance — with the seeded numbers, and each
// chart's CSV downloaded and compared row by row with what the chart shows (the funnel also by ISO
// week); then the inbox filter: one inbox chosen, the funnel and response times (and their CSVs,
// named after the inbox) show only that inbox while the other charts stay the company's. An owner
// at desktop and phone widths in Portuguese, an analyst in English; a company with no data gets the
// empty state and no downloads.
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
let chromium: LaunchedBrowser;
let owner: ApiPerson;
const suffix = Date.now().toString().slice(-6);
/** `YYYY-MM-DD` of `back` UTC days ago: the runs are on days already over, inside the default 30 days. */
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await sql.end();
});

/**
 * The company's data: team Vendas ran twice — 3 days ago 4 s, 200 + 100 tokens, US$ 0.03 (Planejador
 * 0.018, Redator 0.012); yesterday 2 s, 100 + 50 tokens, US$ 0.01 (Planejador 0.006, Redator 0.004).
 * Funnel today: 4 new contacts (Ana, Bia, Caio, Davi), 3 conversations (Ana and Bia on Atendimento,
 * Davi on Vendas SP; Caio has none, so he counts under no inbox), Ana and Bia qualified, Ana a
 * customer, Caio lost, Davi's conversation handed to a person. Yesterday on Atendimento, Ana waited
 * 20 s for the bot (first response), then 10 s; on Vendas SP, Davi waited 5 s for the bot.
 */
async function seed(tenantId: string, inboxId: string, salesInboxId: string): Promise<void> {
  const [team] = await sql<{ id: string }[]>`insert into public.teams (tenant_id, name) values (${tenantId}, 'Vendas') returning id`;
  const agents = await sql<{ id: string; name: string }[]>`
    insert into public.agents (tenant_id, name, model, status) values (${tenantId}, 'Planejador', 'demo-large', 'active'), (${tenantId}, 'Redator', 'demo-small', 'active')
    returning id, name`;
  const agent = (name: string) => agents.find((row) => row.name === name)!.id;
  const runs = [
    { back: 3, seconds: 4, input: 200, output: 100, cost: 0.03, steps: [["Planejador", 120, 60, 0.018], ["Redator", 80, 40, 0.012]] as const },
    { back: 1, seconds: 2, input: 100, output: 50, cost: 0.01, steps: [["Planejador", 60, 30, 0.006], ["Redator", 40, 20, 0.004]] as const },
  ];
  for (const run of runs) {
    const started = `${day(run.back)}T10:00:00Z`;
    const [execution] = await sql<{ id: string }[]>`
      insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, input_tokens, output_tokens,
                                     cost_usd, created_at, started_at, finished_at, deadline_at)
      values (${tenantId}, ${team.id}, 'completed', 'sequential', ${`run ${run.back}`}, '{"timeout_seconds": 60}', ${run.input}, ${run.output},
              ${run.cost}, ${started}, ${started}, ${started}::timestamptz + make_interval(secs => ${run.seconds}), ${started}::timestamptz + interval '1 hour')
      returning id`;
    for (const [position, [name, input, output, cost]] of run.steps.entries()) {
      const [step] = await sql<{ id: string }[]>`
        insert into public.execution_steps (execution_id, tenant_id, agent_id, agent_version, agent_definition, role, position, input_spec,
                                            conditions, overrides, status, attempt_count, latency_ms, input_tokens, output_tokens, cost_usd, created_at)
        values (${execution.id}, ${tenantId}, ${agent(name)}, 1, '{}', 'member', ${position + 1}, '{}', '[]', '{}', 'succeeded', 1, 900,
                ${input}, ${output}, ${cost}, ${started})
        returning id`;
      await sql`
        insert into public.usage_ledger (tenant_id, execution_id, step_id, agent_id, provider, model, input_tokens, output_tokens,
                                         input_usd_per_million, output_usd_per_million, cost_usd, recorded_at)
        values (${tenantId}, ${execution.id}, ${step.id}, ${agent(name)}, 'demo', 'demo-small', ${input}, ${output}, 1, 1, ${cost},
                ${started}::timestamptz + interval '1 second')`;
    }
  }
  const ids = new Map<string, string>();
  for (const [n, name] of ["Ana", "Bia", "Caio", "Davi"].entries()) {
    const [row] = await sql<{ id: string }[]>`
      insert into public.contacts (tenant_id, phone, name) values (${tenantId}, ${`+55319${suffix.slice(0, 4)}000${n}`}, ${name}) returning id`;
    ids.set(name, row.id);
  }
  const contact = (name: string) => ids.get(name)!;
  const conversations = await sql<{ id: string; contact_id: string }[]>`
    insert into public.conversations (tenant_id, inbox_id, contact_id)
    values (${tenantId}, ${inboxId}, ${contact("Ana")}), (${tenantId}, ${inboxId}, ${contact("Bia")}) returning id, contact_id`;
  await sql`select private.move_contact_stage(${contact("Ana")}, 'qualified', 'rule')`;
  await sql`select private.move_contact_stage(${contact("Ana")}, 'customer', 'rule')`;
  await sql`select private.move_contact_stage(${contact("Bia")}, 'qualified', 'rule')`;
  await sql`select private.move_contact_stage(${contact("Caio")}, 'lost', 'rule')`;
  const ana = conversations.find((row) => row.contact_id === contact("Ana"))!.id;
  const said = [[1, "in", "user", "10:00:00"], [2, "out", "assistant", "10:00:20"], [3, "in", "user", "10:01:00"], [4, "out", "assistant", "10:01:10"]] as const;
  for (const [index, direction, role, at] of said) {
    await sql`
      insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, created_at)
      values (${tenantId}, ${inboxId}, ${ana}, ${contact("Ana")}, ${index}, ${direction}, ${role}, ${direction === "in" ? "received" : "sent"},
              ${`${day(1)}T${at}Z`})`;
  }
  const [davi] = await sql<{ id: string }[]>`
    insert into public.conversations (tenant_id, inbox_id, contact_id) values (${tenantId}, ${salesInboxId}, ${contact("Davi")}) returning id`;
  for (const [index, direction, role, at] of [[1, "in", "user", "09:00:00"], [2, "out", "assistant", "09:00:05"]] as const) {
    await sql`
      insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, created_at)
      values (${tenantId}, ${salesInboxId}, ${davi.id}, ${contact("Davi")}, ${index}, ${direction}, ${role},
              ${direction === "in" ? "received" : "sent"}, ${`${day(1)}T${at}Z`})`;
  }
  // A person takes Davi's conversation over in the inbox: it leaves the bot.
  await sql`update public.conversations set assignee = 'unassigned' where id = ${davi.id}`;
  await sql`select analytics.refresh(view_name) from analytics.refresh_schedule`;
}

/** The number in a formatted value ("US$ 0,0300", "$0.0300", "19 s", "100%"), read the way `language` writes it. */
function shown(text: string, language: "pt-BR" | "en"): number {
  const digits = /-?[\d.,]+/.exec(text.replace(/\u00a0/g, " "))?.[0] ?? "";
  const plain = language === "pt-BR" ? digits.replace(/\./g, "").replace(",", ".") : digits.replace(/,/g, "");
  return Number(plain) / (text.includes("%") ? 100 : 1);
}

/** A chart's CSV, its file named after the chart, the inbox it is filtered to (`inbox`) and the range. */
async function csvOf(page: Page, testid: string, inbox: string | null = null): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testid).click()]);
  const named = `analytics-${testid.slice(4)}${inbox === null ? "" : `-${inbox}`}`;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${named}-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const text = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "");
  return text.trimEnd().split("\r\n").map((line) => line.split(","));
}

/** A day chart's bars from their tooltips ("2026-12-05: 300"), as [day, shown text]. */
async function dayBars(page: Page, testid: string): Promise<[string, string][]> {
  const titles = await page.getByTestId(testid).locator("rect title").allTextContents();
  return titles.map((title) => [title.slice(0, 10), title.slice(12)]);
}

/** A RankedBars chart's rows as [label, shown text]. */
async function rankedBars(page: Page, testid: string): Promise<[string, string][]> {
  return page.getByTestId(testid).locator("li").evaluateAll((items) =>
    items.map((item) => [(item.children[0].textContent ?? "").trim(), (item.children[2].textContent ?? "").trim()] as [string, string]));
}

async function tableRows(page: Page, testid: string): Promise<string[][]> {
  return page.getByTestId(testid).locator("tbody tr").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("td")].map((cell) => (cell.textContent ?? "").trim())));
}

/** Every chart shows the seeded numbers, and each CSV has the chart's rows. */
async function checkCharts(page: Page, language: "pt-BR" | "en"): Promise<void> {
  const tokens = await dayBars(page, "chart-tokens");
  expect(tokens).toHaveLength(30);
  expect(tokens.filter(([, value]) => shown(value, language) > 0).map(([label, value]) => [label, shown(value, language)])).toEqual([[day(3), 300], [day(1), 150]]);
  expect(shown((await page.getByTestId("chart-tokens-total").textContent()) ?? "", language)).toBe(450);
  const tokensCsv = await csvOf(page, "csv-tokens");
  expect(tokensCsv[0]).toEqual(["day", "tokens"]);
  expect(tokensCsv.slice(1).map(([label, value]) => [label, Number(value)])).toEqual(tokens.map(([label, value]) => [label, shown(value, language)]));

  const cost = await dayBars(page, "chart-cost");
  expect(cost.filter(([, value]) => shown(value, language) > 0).map(([label, value]) => [label, shown(value, language)])).toEqual([[day(3), 0.03], [day(1), 0.01]]);
  const costCsv = await csvOf(page, "csv-cost");
  expect(costCsv[0]).toEqual(["day", "cost_usd"]);
  expect(costCsv.slice(1).map(([label, value]) => [label, Number(value)])).toEqual(cost.map(([label, value]) => [label, shown(value, language)]));

  const agents = await rankedBars(page, "chart-agents");
  expect(agents.map(([label, value]) => [label, shown(value, language)])).toEqual([["Planejador", 0.024], ["Redator", 0.016]]);
  const agentsCsv = await csvOf(page, "csv-agents");
  expect(agentsCsv).toEqual([["agent", "cost_usd"], ["Planejador", "0.024"], ["Redator", "0.016"]]);

  // New contacts, conversations, answered by the bot, handed to a person, qualified, customers, lost, reopened.
  await checkFunnel(page, language, [4, 3, 2, 1, 2, 1, 1, 0]);
  const responses = await tableRows(page, "response-times");
  expect(responses.map((row) => [row[0], ...row.slice(2).map((value) => shown(value, language))])).toEqual([
    ["Atendimento", 2, 19, 20],
    ["Vendas SP", 1, 5, 5],
  ]);
  expect(await csvOf(page, "csv-response-times")).toEqual([
    ["inbox", "responder", "replies", "reply_p90_ms", "first_response_p90_ms"],
    ["Atendimento", "bot", "2", "19000", "20000"],
    ["Vendas SP", "bot", "1", "5000", "5000"],
  ]);

  const teams = await tableRows(page, "team-performance");
  expect(teams).toHaveLength(1);
  expect(teams[0][0]).toBe("Vendas");
  const teamNumbers = teams[0].slice(1).map((value) => shown(value, language));
  expect(teamNumbers).toEqual([2, 1, 4, 450, 0.04, 0.02, 0, 0]);
  const teamsCsv = await csvOf(page, "csv-teams");
  expect(teamsCsv[0]).toEqual(["team", "runs", "success_rate", "worst_p95_ms", "tokens", "cost_usd", "cost_per_run_usd", "retries", "timeouts"]);
  expect(teamsCsv.slice(1)).toEqual([["Vendas", "2", "1", "4000", "450", "0.04", "0.02", "0", "0"]]);
}

/** `YYYY-MM-DD` of the Monday (UTC) of the ISO week of the day `back` UTC days ago. */
const mondayOf = (back: number) => day(back + ((new Date(Date.now() - back * 86_400_000).getUTCDay() + 6) % 7));

/**
 * The funnel's bars, in stage order, its table by ISO week (each week's Monday; the weeks add up to
 * the bars) and both CSVs with the same rows (files named after `inbox` when filtered).
 */
async function checkFunnel(page: Page, language: "pt-BR" | "en", stages: number[], inbox: string | null = null): Promise<void> {
  const funnel = await rankedBars(page, "chart-funnel");
  expect(funnel.map(([, value]) => shown(value, language))).toEqual(stages);
  const funnelCsv = await csvOf(page, "csv-funnel", inbox);
  expect(funnelCsv[0]).toEqual(["stage", "count"]);
  expect(funnelCsv.slice(1)).toEqual(funnel.map(([label, value]) => [label, String(shown(value, language))]));

  const weeks = (await tableRows(page, "funnel-weeks")).map(([week, ...counts]) => [week, ...counts.map((count) => shown(count, language))]);
  expect(weeks.every(([week]) => new Date(`${week}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  expect(stages.map((_, stage) => weeks.reduce((sum, week) => sum + Number(week[stage + 1]), 0))).toEqual(stages);
  const weeksCsv = await csvOf(page, "csv-funnel-weeks", inbox);
  expect(weeksCsv[0]).toEqual(["week", "new_contacts", "conversations_started", "answered_by_bot", "handed_to_person", "qualified", "customers", "lost", "reopened"]);
  expect(weeksCsv.slice(1)).toEqual(weeks.map((week) => week.map(String)));
  if (inbox === null) {
    // The bot's answers were yesterday, everything else today: one week, or two when today is a Monday.
    expect(weeks).toEqual(mondayOf(0) === mondayOf(1)
      ? [[mondayOf(0), 4, 3, 2, 1, 2, 1, 1, 0]]
      : [[mondayOf(1), 0, 0, 2, 0, 0, 0, 0, 0], [mondayOf(0), 4, 3, 0, 1, 2, 1, 1, 0]]);
  }
}

/**
 * Chooses one inbox in the filter, then all again: with Vendas SP, the funnel counts only Davi (who
 * came in through it) and its response times only its row, while tokens stay the company's; with
 * Atendimento, Ana and Bia (Caio, with no conversation, is under no inbox).
 */
async function checkInboxFilter(page: Page, language: "pt-BR" | "en"): Promise<void> {
  const choose = async (inbox: string) => {
    const [chosen] = await page.getByTestId("analytics-inbox").selectOption({ label: inbox });
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("inbox") === chosen),
      page.getByTestId("analytics-range").getByRole("button").click(),
    ]);
    await expect.poll(() => page.getByTestId("analytics-inbox-scope").textContent()).toContain(inbox);
    // The filtered page loaded afresh, as a shared link opens it. Kept on the same document,
    // headless Chrome stopped saving this page's downloads after the third one following the
    // filter (the link's trusted click arrived, nothing was saved) on some runs and not others.
    await open(page, new URL(page.url()).pathname + new URL(page.url()).search);
    await expect.poll(() => page.getByTestId("analytics-inbox-scope").textContent()).toContain(inbox);
  };
  await choose("Vendas SP");
  await checkFunnel(page, language, [1, 1, 1, 1, 0, 0, 0, 0], "vendas-sp");
  expect((await tableRows(page, "response-times")).map((row) => [row[0], ...row.slice(2).map((value) => shown(value, language))]))
    .toEqual([["Vendas SP", 1, 5, 5]]);
  expect(await csvOf(page, "csv-response-times", "vendas-sp")).toEqual([
    ["inbox", "responder", "replies", "reply_p90_ms", "first_response_p90_ms"],
    ["Vendas SP", "bot", "1", "5000", "5000"],
  ]);
  expect(shown((await page.getByTestId("chart-tokens-total").textContent()) ?? "", language)).toBe(450);
  expect(await csvOf(page, "csv-tokens")).toHaveLength(31);

  await choose("Atendimento");
  await checkFunnel(page, language, [2, 2, 1, 0, 2, 1, 0, 0], "atendimento");
  expect((await tableRows(page, "response-times")).map((row) => row[0])).toEqual(["Atendimento"]);

  await page.getByTestId("analytics-inbox").selectOption({ value: "" });
  await Promise.all([page.waitForURL((url) => url.searchParams.get("inbox") === ""), page.getByTestId("analytics-range").getByRole("button").click()]);
  expect(await page.getByTestId("analytics-inbox-scope").count()).toBe(0);
  await checkFunnel(page, language, [4, 3, 2, 1, 2, 1, 1, 0]);
}

describe("a company with runs, contacts and replies", () => {
  it("an owner reads every chart with the seeded numbers and downloads each chart's CSV, at phone and desktop widths", async () => {
    const { context, page } = await newPage(chromium.browser, 1280);
    const account = await signUp(page, "Olga Números");
    await createCompany(page, "Números da Olga");
    owner = await apiSession(account.email, account.password);
    const inbox = await callApi(owner, "POST", "/inboxes", {
      provider: "evolution",
      display_name: "Atendimento",
      provider_ids: { evolution_instance_name: `browser-analytics-${suffix}`, evolution_base_url: "https://evolution.example.com" },
      secrets: { api_key: `browser-key-${crypto.randomUUID()}` },
    });
    const salesInbox = await callApi(owner, "POST", "/inboxes", {
      provider: "evolution",
      display_name: "Vendas SP",
      provider_ids: { evolution_instance_name: `browser-analytics-sales-${suffix}`, evolution_base_url: "https://evolution.example.com" },
      secrets: { api_key: `browser-key-${crypto.randomUUID()}` },
    });
    await seed(owner.tenantId, inbox.inbox.id, salesInbox.inbox.id);

    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/analytics");
      await page.getByRole("heading", { level: 1, name: "Análises" }).waitFor();
      expect(await page.getByTestId("analytics-data-as-of").textContent()).toContain("Dados de");
      await checkCharts(page, "pt-BR");
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await checkInboxFilter(page, "pt-BR");
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    }
    await context.close();
  });

  it("an analyst reads the same charts and CSVs in English, at desktop and phone widths", async () => {
    const { context, page } = await newPage(chromium.browser, 1280);
    const account = await signUp(page, "Arnaldo Analista");
    await sql`
      insert into public.memberships (tenant_id, user_id, role)
      select ${owner.tenantId}, u.id, 'analyst'::public.member_role from auth.users u where u.email = ${account.email}`;
    await open(page, "/analytics");
    await page.getByRole("button", { name: "English" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Analytics" }).waitFor();
    await expect.poll(() => page.getByTestId("csv-tokens").textContent()).toBe("Download CSV");
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/analytics");
      await checkCharts(page, "en");
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await checkInboxFilter(page, "en");
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    }
    await context.close();
  });
});

describe("a company with nothing yet", () => {
  it("shows the empty state and offers no downloads, in both languages", async () => {
    const { context, page } = await newPage(chromium.browser, 390);
    await signUp(page, "Nina Nova");
    await createCompany(page, "Empresa Nova da Nina");
    await open(page, "/analytics");
    await page.getByText("Nada neste período").waitFor();
    expect(await page.locator("[data-testid^='chart-'], [data-testid^='csv-']").count()).toBe(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.getByText("Nothing in this range").count()).toBe(1);
    expect(await page.locator("[data-testid^='chart-'], [data-testid^='csv-']").count()).toBe(0);
    await context.close();
  });
});
