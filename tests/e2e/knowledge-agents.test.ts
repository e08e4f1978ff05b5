// Agents that cite their sources, end to end: a document ingested into a base, an agent naming
// that base, a team run — the step's model gets the passages its input finds as numbered sources
// after its system prompt, the step records them as citations linking to the document, the use is
// counted for the agent; an agent without knowledge bases is called as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoReplyText } from "../../supabase/functions/_shared/providers/demo.ts";
import { type KnowledgePassage, withKnowledgeSources } from "../../supabase/functions/executor/knowledge-context.ts";
import {
  call,
  type Company,
  createTeam,
  expectStatus,
  newCompany,
  removeCompanies,
  runFinished,
  settledDocument,
  startRun,
  steps,
  type Sql,
  testDatabase,
} from "../fixtures/index.ts";

const policy = "# Férias\n\nCada colaborador tem trinta dias de férias por ano, divididos em até três períodos.\n\n# Reembolso\n\nDespesas de viagem são reembolsadas com nota fiscal.";

describe("agents with knowledge bases", () => {
  let sql: Sql;
  let company: Company;

  beforeAll(async () => {
    sql = testDatabase();
    company = await newCompany(sql, "knowledge-agents");
  });

  afterAll(async () => {
    await removeCompanies(sql, [company].filter(Boolean));
    await sql.end();
  });

  it("search before the call, give the passages as numbered sources, and record citations", async () => {
    const tenant = company.tenantId;
    const base = await expectStatus(call(company.owner, "POST", "/knowledge-bases", { tenant, body: { name: "Políticas" } }), 201);
    const document = await expectStatus(call(company.owner, "POST", "/documents", {
      tenant, body: { source: "text", knowledge_base_id: base.id, title: "Política de pessoas", text: policy },
    }), 201);
    expect(await settledDocument(sql, document.document.id, 1)).toMatchObject({ status: "ready", chunk_count: 2 });

    const systemPrompt = "Você responde dúvidas de RH.";
    const informed = await expectStatus(call(company.owner, "POST", "/agents", {
      tenant, body: { name: "RH", provider: "demo", model: "demo-small", status: "active", system_prompt: systemPrompt, config: { latency_ms: 0 }, knowledge_base_ids: [base.id] },
    }), 201);
    const plain = await expectStatus(call(company.owner, "POST", "/agents", {
      tenant, body: { name: "Revisor", provider: "demo", model: "demo-small", status: "active", system_prompt: systemPrompt, config: { latency_ms: 0 } },
    }), 201);
    const team = await createTeam(company, {
      name: "Atendimento", workflow_type: "parallel",
      agents: [{ agent_id: informed.id, execution_order: 1 }, { agent_id: plain.id, execution_order: 1 }],
    });
    const question = "Quantos dias de férias tenho por ano?";
    const run = await runFinished(sql, (await startRun(company, team, question)).id);
    expect(run.status, JSON.stringify((await steps(sql, run.id)).map((step) => step.error_message))).toBe("completed");

    const [withSources, without] = (await steps(sql, run.id)).sort((a, b) => (a.agent_id === informed.id ? -1 : b.agent_id === informed.id ? 1 : 0));
    expect(withSources.citations.length).toBeGreaterThanOrEqual(1);
    expect(withSources.citations[0]).toMatchObject({ n: 1, document_id: document.document.id, document_title: "Política de pessoas", version: 1, heading_path: ["Férias"] });
    expect(without.citations).toEqual([]);

    // The run's status (what the monitor and the result read) says the same, with the base to link to.
    const status = await expectStatus(call(company.owner, "GET", `/executions/${run.id}/status`, { tenant }), 200);
    const informedCard = status.agents.find((agent: { agent_id: string }) => agent.agent_id === informed.id);
    expect(informedCard.citations[0]).toEqual({
      n: 1, document_id: document.document.id, document_title: "Política de pessoas", knowledge_base_id: base.id, version: 1,
      heading_path: ["Férias"], score: expect.any(Number),
    });
    expect(informedCard.citations).toHaveLength(withSources.citations.length);
    expect(status.agents.find((agent: { agent_id: string }) => agent.agent_id === plain.id).citations).toEqual([]);

    // The model was called with exactly the system prompt plus the cited passages, in order.
    const passages: KnowledgePassage[] = [];
    for (const citation of withSources.citations) {
      const [chunk] = await sql<{ content: string }[]>`select content from public.document_chunks where id = ${citation.chunk_id}`;
      passages.push({ ...citation, content: chunk.content });
    }
    const demoCall = (prompt: string, agent: string) => ({
      provider: "demo" as const, model: "demo-small", systemPrompt: prompt, input: question, temperature: 0.7, maxTokens: 1000,
      config: { latency_ms: 0 }, agent: { id: "", name: agent, type: "assistant" },
    });
    expect(withSources.output).toBe(demoReplyText(demoCall(withKnowledgeSources(systemPrompt, passages), "RH")));
    expect(without.output).toBe(demoReplyText(demoCall(systemPrompt, "Revisor")));
    expect(withKnowledgeSources(systemPrompt, passages)).toContain("[1] Política de pessoas › Férias\nCada colaborador tem trinta dias");

    const usage = await sql<{ agent_id: string; use_count: number }[]>`
      select agent_id, use_count::int from public.document_usage_stats where chunk_id = ${withSources.citations[0].chunk_id}`;
    expect(usage).toEqual([{ agent_id: informed.id, use_count: 1 }]);
  });

  it("lets the agent search its own bases with its own words through the knowledge_search tool", async () => {
    const tenant = company.tenantId;
    const base = await expectStatus(call(company.owner, "POST", "/knowledge-bases", { tenant, body: { name: "Manual de viagens" } }), 201);
    const document = await expectStatus(call(company.owner, "POST", "/documents", {
      tenant, body: { source: "text", knowledge_base_id: base.id, title: "Viagens", text: policy },
    }), 201);
    expect(await settledDocument(sql, document.document.id, 1)).toMatchObject({ status: "ready" });
    const searcher = await expectStatus(call(company.owner, "POST", "/agents", {
      tenant, body: { name: "Pesquisador", provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 0 },
        knowledge_base_ids: [base.id], tools: ["knowledge_search"] },
    }), 201);
    const baseless = await expectStatus(call(company.owner, "POST", "/agents", {
      tenant, body: { name: "Sem base", provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 0 }, tools: ["knowledge_search"] },
    }), 201);
    const team = await createTeam(company, {
      name: "Pesquisa", workflow_type: "parallel",
      agents: [{ agent_id: searcher.id, execution_order: 1 }, { agent_id: baseless.id, execution_order: 1 }],
    });
    // The step's input says nothing of refunds: the passage comes from the tool's own query.
    const run = await runFinished(sql, (await startRun(company, team, 'Olá\n@tool knowledge_search {"query":"reembolso de despesas de viagem com nota fiscal","top_k":1}')).id);
    expect(run.status).toBe("completed");
    const all = await steps(sql, run.id);
    const found = all.find((step) => step.agent_id === searcher.id)!;
    expect(found.output).toContain("knowledge_search -> ");
    expect(found.output).toContain("Viagens › Reembolso");
    expect(found.output).toContain("Despesas de viagem são reembolsadas com nota fiscal.");
    expect(found.output).not.toContain("trinta dias");
    expect(all.find((step) => step.agent_id === baseless.id)!.output).toContain("this agent has no knowledge bases to search");
  });
});
