import type { Sql } from "../_shared/db.ts";
import { type EmbeddingPlace, queryEmbedding, type SearchedBase } from "../_shared/embeddings/knowledge-base-embedder.ts";
import { withServiceTransaction } from "../_shared/user-transaction.ts";
import type { TranscriptEntry } from "./conversation-chat.ts";
import type { InterviewContext } from "./interview-context.ts";
import { type Citation, type KnowledgePassage, searchAgentKnowledge } from "./knowledge-context.ts";
import type { ToolCallRecord } from "./tool-loop.ts";
import type { StepActions } from "../_shared/tools/builtin-tools.ts";
import type { QualificationAnswer } from "../_shared/tools/request-qualification.ts";
import type { InterviewAnswerResult } from "../_shared/tools/record-interview-answer.ts";
import type { WhatsappSendResult } from "../_shared/tools/whatsapp-send.ts";
import { type ToolDefinition, ToolFailure } from "../_shared/tools/registry.ts";
import type { AccessTokenClaims } from "../_shared/jwt.ts";
import { runQuery } from "../_shared/read-only-query.ts";
import { agentQueryLimits } from "../_shared/tools/query-data.ts";

/** What the provider call needs besides the step itself: the company's agent settings and the key to use. */
export interface StepCallContext {
  tenant_name: string;
  agents_endpoint_url: string | null;
  agents_timeout_ms: number;
  rag_enabled: boolean;
  rag_top_k: number;
  /** The key the database chose for the call's destination (private.provider_key_for_step), if any. */
  provider_key_id: string | null;
  /** Its service: openai and anthropic keys go only to the platform's address for their provider. */
  provider_key_service: string | null;
  /** The origin a custom-endpoint key was stored for; the call must go there. */
  provider_key_origin: string | null;
  /** When no key fits the destination: the service and origin of the run's key that exists for another address. */
  unusable_key_service: string | null;
  unusable_key_origin: string | null;
}

/** A step as private.claim_steps hands it to a worker, with its call context. */
export interface ClaimedStep extends StepCallContext {
  step_id: string;
  execution_id: string;
  tenant_id: string;
  agent_id: string;
  attempt: number;
  resolved_input: string | null;
  agent_definition: {
    name: string;
    type: string;
    provider: "openai-compatible" | "anthropic" | "suna" | "agent-api" | "demo";
    model: string;
    system_prompt: string;
    temperature: number;
    max_tokens: number;
    config: Record<string, unknown>;
    tools: string[];
  };
  overrides: { max_tokens?: number; temperature?: number; tools?: string[] };
  team_config: { max_tokens: number | null; temperature: number | null; timeout_seconds: number };
  deadline_at: string | null;
  lease_expires_at: string;
}

export interface StepResult {
  output: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  model: string;
}

// Failures that say nothing about the call itself, which was rolled back or never arrived: the
// database not answering right now (a restart, a failover, a dropped connection: postgres.js
// connection codes, socket errors, SQLSTATE class 08, 57P01-57P03), or a transaction that lost a
// deadlock or a serialization conflict (40P01, 40001).
const transientCodes = new Set([
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "57P01", "57P02", "57P03", "40P01", "40001",
]);

/** True when the same call may succeed if made again (see transientCodes). */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (transientCodes.has(code) || code.startsWith("08"))) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === "ConnectionRefused" || name === "ConnectionReset" || name === "BrokenPipe";
}

// A call to the engine's SQL takes milliseconds; one that has not answered in this long is stuck.
const callTimeoutMs = 10_000;

class DatabaseCallTimeout extends Error {
  readonly code = "CONNECT_TIMEOUT";
}

/**
 * The engine's side of the database: every call runs as the service role through the SQL engine
 * functions (the engine and executor migrations), which own the state machine. Every call is
 * bounded: after a database restart postgres.js can wait forever on a connection the restart left
 * half-open (porsager/postgres#1193), so a call that does not answer in 10 s fails as transient
 * (the engine tries again) and, when `reconnect` is given, the pool is replaced by a fresh one.
 */
export class EngineStore {
  private sql: Sql;

  constructor(
    sql: Sql,
    private readonly reconnect?: () => Sql,
    private readonly embeddings: EmbeddingPlace = { openAiBaseUrl: "https://api.openai.com" },
  ) {
    this.sql = sql;
  }

  private async call<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const sql = this.sql;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DatabaseCallTimeout(`the database did not answer within ${callTimeoutMs / 1000} s`)), callTimeoutMs);
    });
    try {
      return await Promise.race([work(sql), stuck]);
    } catch (error) {
      if (error instanceof DatabaseCallTimeout && this.reconnect && this.sql === sql) {
        this.sql = this.reconnect();
        // Not awaited: ending a pool whose server went away can itself hang (porsager/postgres#1097).
        sql.end({ timeout: 0 }).catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  claimSteps(worker: string, maxSteps: number, leaseSeconds: number): Promise<ClaimedStep[]> {
    return this.call((sql) => withServiceTransaction(sql, async (tx) => [
      ...(await tx<ClaimedStep[]>`select * from private.claim_steps(${worker}, ${maxSteps}, ${leaseSeconds})`),
    ]));
  }

  async renewLease(step: ClaimedStep, worker: string, leaseSeconds: number): Promise<boolean> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ renewed: boolean }[]>`select private.renew_step_lease(${step.step_id}, ${worker}, ${step.attempt}, ${leaseSeconds}) as renewed`));
    return row.renewed;
  }

  async completeStep(step: ClaimedStep, worker: string, result: StepResult): Promise<boolean> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ recorded: boolean }[]>`
        select private.complete_step(${step.step_id}, ${worker}, ${step.attempt}, ${result.output},
          ${result.inputTokens}, ${result.outputTokens}, ${result.latencyMs}, ${result.model}) as recorded`));
    return row.recorded;
  }

  async failStep(step: ClaimedStep, worker: string, message: string, retryable: boolean, retryAfterMs: number): Promise<boolean> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ recorded: boolean }[]>`
        select private.fail_step(${step.step_id}, ${worker}, ${step.attempt}, ${message}, ${retryable}, ${Math.round(retryAfterMs)}) as recorded`));
    return row.recorded;
  }

  /** The tools the step may call (private.step_tools), company tools with their headers. */
  async stepTools(step: ClaimedStep): Promise<ToolDefinition[]> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ tools: ToolDefinition[] }[]>`select private.step_tools(${step.step_id}) as tools`));
    return row.tools;
  }

  /**
   * Appends a tool_call event for the step; false when the lease is no longer this worker's. The
   * entry goes as tx.json: a JSON.stringify'd text sent to a jsonb parameter is stored as one JSON
   * string (the driver serialises it again), and the event would carry no fields.
   */
  async recordToolCall(step: ClaimedStep, worker: string, entry: ToolCallRecord): Promise<boolean> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ recorded: boolean }[]>`
        select private.record_tool_call(${step.step_id}, ${worker}, ${step.attempt}, ${tx.json(entry as never)}) as recorded`));
    return row.recorded;
  }

  /** What the step's built-in tools may do in the database, as this worker's lease allows. */
  stepActions(step: ClaimedStep, worker: string): StepActions {
    return {
      requestQualification: async (evidence, summary) => {
        const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
          tx<{ answer: QualificationAnswer | null }[]>`
            select private.request_qualification_for_step(${step.step_id}, ${worker}, ${step.attempt},
                                                          ${tx.json(evidence as never)}, ${summary}) as answer`))
          .catch((error: unknown) => {
            throw asToolFailure(error);
          });
        if (!row.answer) throw new ToolFailure("the step is no longer this worker's: nothing was filed");
        return row.answer;
      },
      queryData: async (statement) => {
        const [run] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
          tx<{ starter: string | null; member: boolean }[]>`
            select e.created_by as starter,
                   exists (select 1 from public.memberships m where m.tenant_id = e.tenant_id and m.user_id = e.created_by) as member
            from public.executions e where e.id = ${step.execution_id}`));
        if (!run?.starter) {
          throw new ToolFailure("query_data reads as the person who started the run, and nobody started this one (a conversation's turn or a schedule): there is nobody to read as");
        }
        if (!run.member) throw new ToolFailure("query_data reads as the person who started the run, who is no longer in the company");
        const claims: AccessTokenClaims = { sub: run.starter, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 };
        return await this.call((sql) => runQuery(sql, claims, statement, step.tenant_id, agentQueryLimits));
      },
      searchKnowledge: (query, topK) => searchAgentKnowledge(this, step, query, topK),
      httpRequestHosts: async () => {
        const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
          tx<{ hosts: string[] }[]>`select t.http_request_hosts as hosts from public.tenants t where t.id = ${step.tenant_id}`));
        return row?.hosts ?? [];
      },
      sendWhatsapp: async (to, text) => {
        const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
          tx<{ result: WhatsappSendResult | null }[]>`
            select private.send_whatsapp_for_step(${step.step_id}, ${worker}, ${step.attempt}, ${to}, ${text}) as result`))
          .catch((error: unknown) => {
            throw asToolFailure(error);
          });
        if (!row.result) throw new ToolFailure("the step is no longer this worker's: nothing was sent");
        return row.result;
      },
      recordInterviewAnswer: async (questionId, answer) => {
        const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
          tx<{ result: InterviewAnswerResult | null }[]>`
            select private.record_interview_answer_for_step(${step.step_id}, ${worker}, ${step.attempt},
                                                            ${questionId}, ${answer}) as result`))
          .catch((error: unknown) => {
            throw asToolFailure(error);
          });
        if (!row.result) throw new ToolFailure("the step is no longer this worker's: nothing was recorded");
        return row.result;
      },
    };
  }

  /** The step's agent's knowledge bases with their embedders, and who started the run (whose use of a base's key it is). */
  async stepKnowledgeBases(step: ClaimedStep): Promise<{ ids: string[]; bases: SearchedBase[]; startedBy: string | null }> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ bases: SearchedBase[]; started_by: string | null }[]>`
        select coalesce((select jsonb_agg(jsonb_build_object('id', kb.id, 'embedder', kb.embedder, 'embedding_model', kb.embedding_model,
                                                             'embedding_key_id', kb.embedding_key_id))
                         from public.knowledge_bases kb where kb.id = any (private.step_knowledge_bases(${step.step_id}))), '[]') as bases,
               (select e.created_by from public.executions e where e.id = ${step.execution_id}) as started_by`));
    return { ids: row.bases.map((base) => base.id), bases: row.bases, startedBy: row.started_by };
  }

  /** The query's vector by the bases' embedder (their company key for an OpenAI-compatible one); null: by words alone. */
  queryEmbedding(step: ClaimedStep, bases: { bases: SearchedBase[]; startedBy: string | null }, query: string): Promise<string | null> {
    return this.call((sql) =>
      queryEmbedding(sql, bases.bases, query, { purpose: `search for execution ${step.execution_id} step ${step.step_id}`, causedBy: bases.startedBy }, this.embeddings, (entry) =>
        console.log(JSON.stringify({ ...entry, step_id: step.step_id })))
    );
  }

  /** Hybrid search for the step (public.search_knowledge), counting the use for the step's agent. */
  searchKnowledge(step: ClaimedStep, baseIds: string[], query: string, embedding: string | null, topK: number, minScore: number): Promise<KnowledgePassage[]> {
    return this.call((sql) => withServiceTransaction(sql, async (tx) => [
      ...(await tx<KnowledgePassage[]>`
        select chunk_id, document_id, document_title, version, heading_path, content, score
        from public.search_knowledge(${query}, ${embedding}::extensions.vector, ${baseIds}::uuid[], ${topK}, ${minScore},
                                     0.5, null, null, ${step.agent_id})`),
    ]));
  }

  /** Records the passages the step's model was given; false when the lease is no longer this worker's. */
  async recordCitations(step: ClaimedStep, worker: string, citations: Citation[]): Promise<boolean> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ recorded: boolean }[]>`
        select private.record_step_citations(${step.step_id}, ${worker}, ${step.attempt}, ${tx.json(citations as never)}) as recorded`));
    return row.recorded;
  }

  /**
   * The conversation a reply step answers (private.step_conversation_transcript; null for any other
   * step) and the interview it runs, if any (private.step_interview_context), in one round trip.
   */
  async conversationContext(step: ClaimedStep): Promise<{ transcript: TranscriptEntry[] | null; interview: InterviewContext | null }> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ transcript: TranscriptEntry[] | null; interview: InterviewContext | null }[]>`
        select private.step_conversation_transcript(${step.step_id}) as transcript,
               private.step_interview_context(${step.step_id}) as interview`));
    return { transcript: row.transcript, interview: row.interview };
  }

  async reap(): Promise<number> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) => tx<{ touched: number }[]>`select private.reap_executions() as touched`));
    return row.touched;
  }

  async nextAttemptAt(): Promise<Date | null> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) => tx<{ at: Date | null }[]>`select private.next_step_attempt_at() as at`));
    return row.at;
  }

  /**
   * The plaintext of the key the database chose for the step: only here, only as the service role,
   * only that key, and audited in the name of the run's starter.
   */
  async decryptKey(step: ClaimedStep & { provider_key_id: string }): Promise<string> {
    const [row] = await this.call((sql) => withServiceTransaction(sql, (tx) =>
      tx<{ key: string }[]>`select private.decrypt_provider_key_for_step(${step.step_id}, ${step.provider_key_id}) as key`));
    return row.key;
  }
}

/**
 * A refusal our SQL raised with a stable code (the contact is not a lead, a request already waits,
 * the run answers no conversation) is the tool's answer for the model; anything else stays an error.
 */
function asToolFailure(error: unknown): unknown {
  const raised = error as { constraint_name?: unknown; routine?: unknown; message?: unknown } | null;
  if (raised && typeof raised.constraint_name === "string" && raised.constraint_name !== "" && raised.routine === "exec_stmt_raise") {
    return new ToolFailure(String(raised.message));
  }
  return error;
}
