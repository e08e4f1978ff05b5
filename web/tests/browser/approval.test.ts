// Approval steps in the browser (#18): the wizard marks an agent's work as needing approval (who,
// how long, then what) and keeps it when the team is edited; in the run monitor the step waiting
// shows its output with Approve, Edit and approve and Reject (with a reason), live for everyone
// watching at phone and desktop widths; a decision someone else took meanwhile is said in words
// (409); a finished run shows how it was decided; the dashboard and /executions show what waits
// for me. Screenshots of the wizard, the monitor with an approval waiting and the dashboard are
// saved as artifacts.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, waitUntil, type ApiPerson } from "./runs";

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
// The browser suite's screenshot folder (run-all sets it); by hand, one beside the tests.
const artifacts = join(process.env.SCREENSHOT_DIR ?? join(process.cwd(), "test-artifacts"), "approval");
let chromium: LaunchedBrowser;
let ownerContext: BrowserContext;
let ownerPage: Page;
let reviewerContext: BrowserContext;
let reviewerPage: Page;
let owner: ApiPerson;
let reviewer: ApiPerson;
let reviewerId = "";
let writerId = "";
let teamId = "";

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  const ownerAccount = await signUp(ownerPage, "Helena Prado");
  await createCompany(ownerPage, "Editora Prado");
  owner = await apiSession(ownerAccount.email, ownerAccount.password);
  ({ context: reviewerContext, page: reviewerPage } = await newPage(chromium.browser, 390));
  const reviewerAccount = await signUp(reviewerPage, "Rui Revisor");
  const [row] = await sql<{ id: string }[]>`
    insert into public.memberships (tenant_id, user_id, role)
    select ${owner.tenantId}, u.id, 'member' from auth.users u where u.email = ${reviewerAccount.email}
    returning user_id as id`;
  reviewerId = row.id;
  reviewer = await apiSession(reviewerAccount.email, reviewerAccount.password);

  // The writer's work waits for Rui (or an owner) for an hour, then is rejected; the editor reads it.
  const agent = (name: string, latency: number) =>
    callApi(owner, "POST", "/agents", { name, provider: "demo", model: "demo-small", status: "active", system_prompt: "Escreva com cuidado.", config: { latency_ms: latency, reply: "{agent} escreveu: {input}" } });
  const writer = await agent("Redator", 2500);
  const editor = await agent("Editor", 0);
  writerId = writer.id;
  const team = await callApi(owner, "POST", "/teams", {
    name: "Equipe Editorial",
    workflow_type: "sequential",
    config: { timeout_seconds: 600, max_parallel_agents: 5, continue_on_error: false },
    agents: [
      { agent_id: writer.id, role: "member", execution_order: 1, config: { approval: { approvers: [reviewerId], timeout_seconds: 3600, on_timeout: "reject" } } },
      { agent_id: editor.id, role: "member", execution_order: 2, input: { source: "agent_result", agent_id: writer.id } },
    ],
  });
  teamId = team.id;
});

afterAll(async () => {
  await ownerContext?.close();
  await reviewerContext?.close();
  await chromium?.close();
  await sql.end();
});

const card = (page: Page, name: string) => page.getByTestId("agent-status-card").and(page.getByLabel(name, { exact: true }));

async function startRun(prompt: string): Promise<string> {
  const started = await callApi(owner, "POST", `/teams/${teamId}/execute`, { initial_prompt: prompt });
  return started.execution_id as string;
}

async function statusOf(run: string): Promise<string> {
  return (await callApi(owner, "GET", `/executions/${run}/status`)).status as string;
}

async function stepOf(run: string, agentId: string): Promise<string> {
  const status = await callApi(owner, "GET", `/executions/${run}/status`);
  return (status.agents as { step_id: string; agent_id: string }[]).find((agent) => agent.agent_id === agentId)!.step_id;
}

describe("the team wizard", () => {
  it("shows an agent's approval (who, time limit, then what) at phone and desktop widths and keeps it, changed, when the team is saved", async () => {
    for (const width of [390, 1280]) {
      await ownerPage.setViewportSize({ width, height: 900 });
      await open(ownerPage, `/teams/${teamId}/edit`);
      await ownerPage.getByRole("button", { name: /Configuração/ }).first().click();
      const settings = ownerPage.getByTestId("approval-settings").first();
      expect(await settings.getByRole("checkbox", { name: /O trabalho de Redator precisa de aprovação/ }).isChecked()).toBe(true);
      expect(await settings.getByRole("checkbox", { name: "Rui Revisor" }).isChecked()).toBe(true);
      expect(await settings.getByLabel("Prazo", { exact: true }).inputValue()).toBe("1");
      expect(await settings.getByLabel("Unidade", { exact: true }).inputValue()).toBe("hours");
      expect(await settings.getByLabel("Quando o prazo acabar").inputValue()).toBe("reject");
      // The editor's work needs nobody.
      expect(await ownerPage.getByTestId("approval-settings").nth(1).getByRole("checkbox").first().isChecked()).toBe(false);
      expect(await horizontalOverflow(ownerPage), `wizard at ${width}px`).toBeLessThanOrEqual(0);
      if (width === 1280) await ownerPage.screenshot({ path: join(artifacts, "wizard-approval.png"), fullPage: true });
    }
    const settings = ownerPage.getByTestId("approval-settings").first();
    await settings.getByLabel("Prazo", { exact: true }).fill("2");
    await settings.getByLabel("Unidade", { exact: true }).selectOption("days");
    await settings.getByLabel("Quando o prazo acabar").selectOption("keep_waiting");
    await ownerPage.getByRole("button", { name: /Revisão/ }).first().click();
    await ownerPage.getByRole("button", { name: "Salvar equipe" }).click();
    await ownerPage.waitForURL(`**/teams/${teamId}`);
    const team = await callApi(owner, "GET", `/teams/${teamId}`);
    const writer = (team.agents as { agent_id: string; config: Record<string, unknown> }[]).find((member) => member.agent_id === writerId)!;
    expect(writer.config.approval).toEqual({ approvers: [reviewerId], timeout_seconds: 172_800, on_timeout: "keep_waiting" });
    // Back as it was for the runs below.
    await callApi(owner, "PUT", `/teams/${teamId}`, {
      name: team.name,
      description: team.description,
      is_active: team.is_active,
      workflow_type: team.workflow_type,
      config: team.config,
      agents: (team.agents as Record<string, unknown>[]).map((member) => ({
        agent_id: member.agent_id,
        role: member.role,
        execution_order: member.execution_order,
        input: member.input,
        conditions: member.conditions,
        config: member.agent_id === writerId ? { approval: { approvers: [reviewerId], timeout_seconds: 3600, on_timeout: "reject" } } : member.config,
      })),
    });
  });
});

describe("a step waiting for approval", () => {
  let run = "";

  it("appears live with its output and the decisions for the named approver (phone) and the owner (desktop)", async () => {
    await ownerPage.setViewportSize({ width: 1280, height: 900 });
    run = await startRun("Escreva o release do livro novo");
    await open(ownerPage, `/executions/${run}`);
    await open(reviewerPage, `/executions/${run}`);
    // Opened while the writer works: the approval arrives over Realtime, with no reload.
    for (const page of [ownerPage, reviewerPage]) {
      const panel = card(page, "Redator").getByTestId("approval-panel");
      await panel.waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="approval-panel"][data-can-decide="true"]').waitFor({ timeout: 10_000 });
      expect(await panel.getByTestId("approval-output").textContent()).toContain("Redator escreveu: Escreva o release do livro novo");
      expect(await panel.innerText()).toContain("A decisão é sua");
      expect(await panel.getByTestId("approval-due").innerText()).toContain("depois disso o trabalho é rejeitado");
      for (const action of ["Aprovar", "Editar e aprovar", "Rejeitar"]) expect(await panel.getByRole("button", { name: action, exact: true }).count(), action).toBe(1);
      expect(await page.getByTestId("execution-status").innerText()).toBe("Aguardando aprovação");
      expect(await horizontalOverflow(page), `monitor at ${page.viewportSize()?.width}px`).toBeLessThanOrEqual(0);
    }
    await ownerPage.screenshot({ path: join(artifacts, "monitor-approval-waiting.png"), fullPage: true });
    await reviewerPage.screenshot({ path: join(artifacts, "monitor-approval-waiting-phone.png"), fullPage: true });
  });

  it("shows on the dashboard and in /executions as waiting for me", async () => {
    for (const page of [ownerPage, reviewerPage]) {
      await open(page, "/");
      const awaiting = page.getByTestId("awaiting-approval");
      expect(await awaiting.getByRole("heading").innerText()).toBe("1 execução aguarda sua aprovação");
      expect(await awaiting.getByRole("link", { name: "Equipe Editorial" }).getAttribute("href")).toBe(`/executions/${run}`);
    }
    await ownerPage.screenshot({ path: join(artifacts, "dashboard-approval.png"), fullPage: true });
    await open(reviewerPage, "/executions");
    await reviewerPage.getByLabel("Aguardando minha aprovação").check();
    await reviewerPage.getByRole("button", { name: "Filtrar" }).click();
    await reviewerPage.waitForURL(/awaiting=me/);
    expect(await reviewerPage.locator(`a[href="/executions/${run}"]`).count()).toBeGreaterThan(0);
    const listed = (await callApi(reviewer, "GET", "/executions?awaiting=me")).items as { id: string }[];
    expect(listed.map((item) => item.id)).toEqual([run]);
  });

  it("is edited and approved by the approver; every watcher sees the decision and the next agent gets the approved text", async () => {
    await open(ownerPage, `/executions/${run}`);
    await open(reviewerPage, `/executions/${run}`);
    const panel = card(reviewerPage, "Redator").getByTestId("approval-panel");
    await panel.getByRole("button", { name: "Editar e aprovar" }).click();
    await panel.getByLabel("O texto que os próximos agentes recebem").fill("Release aprovado pelo revisor");
    await panel.getByRole("button", { name: "Aprovar este texto" }).click();
    for (const page of [reviewerPage, ownerPage]) {
      const decision = card(page, "Redator").getByTestId("approval-decision");
      await decision.waitFor({ timeout: 30_000 });
      expect(await decision.getAttribute("data-decision")).toBe("approved");
      expect(await decision.innerText()).toContain(page === reviewerPage ? "Aprovado com edições por você" : "Aprovado com edições por quem aprova");
      await page.getByTestId("execution-status").getByText("Concluída").waitFor({ timeout: 30_000 });
      await card(page, "Editor").getByTestId("agent-output").getByText("Editor escreveu: Release aprovado pelo revisor").waitFor({ timeout: 10_000 });
    }
    expect(await statusOf(run)).toBe("completed");
  });

  it("shows a finished run's decision without anything to decide, at phone and desktop widths", async () => {
    for (const width of [390, 1280]) {
      await ownerPage.setViewportSize({ width, height: 900 });
      await open(ownerPage, `/executions/${run}`);
      expect(await ownerPage.getByTestId("approval-panel").count()).toBe(0);
      expect(await card(ownerPage, "Redator").getByTestId("approval-decision").innerText()).toContain("Aprovado com edições");
      expect(await card(ownerPage, "Redator").getByTestId("agent-output").innerText()).toBe("Release aprovado pelo revisor");
      expect(await ownerPage.getByRole("button", { name: "Parar execução" }).count()).toBe(0);
      expect(await horizontalOverflow(ownerPage), `finished run at ${width}px`).toBeLessThanOrEqual(0);
    }
    await ownerPage.setViewportSize({ width: 1280, height: 900 });
  });
});

describe("a rejection", () => {
  it("needs a reason, fails the run (the team stops on errors) and reads in words for every watcher", async () => {
    const run = await startRun("Escreva a orelha do livro");
    await waitUntil("the writer to wait", async () => (await statusOf(run)) === "waiting_approval");
    await open(ownerPage, `/executions/${run}`);
    await open(reviewerPage, `/executions/${run}`);
    const panel = card(ownerPage, "Redator").getByTestId("approval-panel");
    await panel.getByRole("button", { name: "Rejeitar", exact: true }).click();
    await panel.getByLabel("Por que você está rejeitando?").fill("Faltou o preço do livro");
    await panel.getByRole("button", { name: "Rejeitar o trabalho" }).click();
    for (const page of [ownerPage, reviewerPage]) {
      await page.getByTestId("execution-status").getByText("Falhou").waitFor({ timeout: 30_000 });
      const writer = card(page, "Redator");
      await writer.getByText("Rejeitado por quem aprova: Faltou o preço do livro").waitFor({ timeout: 10_000 });
      expect(await writer.getByTestId("approval-decision").getAttribute("data-decision")).toBe("rejected");
      expect(await page.getByRole("alert").filter({ hasText: "Redator" }).first().innerText()).toContain("Faltou o preço do livro");
    }
  });
});

describe("a decision someone else took meanwhile", () => {
  it("answers in words (409) and then shows what was decided", async () => {
    const run = await startRun("Escreva a sinopse");
    await waitUntil("the writer to wait", async () => (await statusOf(run)) === "waiting_approval");
    // This page hears nothing live (its Realtime socket goes nowhere), as a tab left open elsewhere.
    const stale = await reviewerContext.newPage();
    await stale.setViewportSize({ width: 390, height: 900 });
    await stale.routeWebSocket(/\/realtime\//, () => {});
    await open(stale, `/executions/${run}`);
    const panel = card(stale, "Redator").getByTestId("approval-panel");
    await panel.getByRole("button", { name: "Aprovar", exact: true }).waitFor();
    await callApi(owner, "POST", `/executions/${run}/steps/${await stepOf(run, writerId)}/approve`);
    await panel.getByRole("button", { name: "Aprovar", exact: true }).click();
    const problem = card(stale, "Redator").getByTestId("approval-problem");
    await problem.waitFor();
    expect(await problem.innerText()).toBe("Este trabalho não espera mais aprovação: alguém já decidiu, ou a execução terminou.");
    // The page read the run again: the owner's approval, and nothing left to decide.
    await card(stale, "Redator").getByTestId("approval-decision").waitFor();
    expect(await card(stale, "Redator").getByTestId("approval-decision").innerText()).toContain("Aprovado por quem aprova");
    await stale.close();
  });
});
