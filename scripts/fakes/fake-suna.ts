// A fake Suna (Kortix) backend: agent runs started with a multipart POST, streamed as Suna streams
// them (one JSON object per `data:` line, assistant text in messages of type "assistant", a final
// {"type":"status","status":...}), stoppable, with FastAPI's {"detail": ...} error bodies.
import { randomUUID } from "node:crypto";
import {
  type Behaviour,
  type Exchange,
  fakeReply,
  type FakeOptions,
  type FakeServer,
  isStatusBehaviour,
  presentedKey,
  retryHeaders,
  startFakeServer,
  streamPieces,
} from "./fake-http.ts";

export type SunaRunStatus = "running" | "completed" | "failed" | "stopped" | "error";

/**
 * The behaviours of fake-http (taken by POST /api/agent/start; `slow`, `cut-stream` and
 * `malformed` act on the run's stream), plus a run that ends with the given status, optionally
 * without streaming any assistant text (the reply is then only in the thread's messages).
 */
export type SunaBehaviour = Behaviour | { runStatus: Exclude<SunaRunStatus, "running">; streamText?: boolean };

export interface FakeSunaRun {
  id: string;
  threadId: string;
  projectId: string;
  /** The multipart fields of the start request. */
  fields: Record<string, string>;
  reply: string;
  status: SunaRunStatus;
  behaviour: SunaBehaviour;
  /** True once POST /api/agent-run/{id}/stop was called. */
  stopRequested: boolean;
}

export interface FakeSuna extends FakeServer<SunaBehaviour> {
  runs: FakeSunaRun[];
}

/** The reply of a run to `prompt`. */
export function fakeSunaReply(prompt: string): string {
  return fakeReply("fake-suna", prompt);
}

export async function startFakeSuna(options: FakeOptions = {}): Promise<FakeSuna> {
  const runs: FakeSunaRun[] = [];
  const stopWaiters = new Map<string, () => void>();
  const find = (id: string) => runs.find((run) => run.id === id);

  const server = await startFakeServer<SunaBehaviour>(async (exchange, next) => {
    const { record } = exchange;
    if (options.apiKey !== undefined && presentedKey(exchange.request) !== options.apiKey) {
      return exchange.json(401, { detail: "No valid authentication credentials found" }, { "www-authenticate": "Bearer" });
    }
    let match: RegExpMatchArray | null;
    if (record.method === "POST" && record.path === "/api/agent/start") {
      const behaviour = next();
      if (isStatusBehaviour(behaviour)) {
        return exchange.json(behaviour.status, behaviour.body ?? errorBodyFor(behaviour.status), retryHeaders(behaviour));
      }
      const fields = (record.body ?? {}) as Record<string, string>;
      if (!fields.thread_id && !fields.prompt?.trim()) {
        return exchange.json(400, { detail: "prompt required when creating new thread" });
      }
      const run: FakeSunaRun = {
        id: randomUUID(),
        threadId: fields.thread_id ?? randomUUID(),
        projectId: randomUUID(),
        fields,
        reply: fakeSunaReply(fields.prompt ?? ""),
        status: "running",
        behaviour,
        stopRequested: false,
      };
      runs.push(run);
      return exchange.json(200, { thread_id: run.threadId, agent_run_id: run.id, project_id: run.projectId, sandbox_id: null, status: "running" });
    }
    if (record.method === "GET" && (match = record.path.match(/^\/api\/agent-run\/([^/]+)\/stream$/))) {
      const run = find(match[1]);
      if (!run) return exchange.json(404, { detail: "Worker run not found" });
      return await streamRun(exchange, run, stopWaiters);
    }
    if (record.method === "POST" && (match = record.path.match(/^\/api\/agent-runs?\/([^/]+)\/stop$/))) {
      const run = find(match[1]);
      if (!run) return exchange.json(404, { detail: "Worker run not found" });
      run.stopRequested = true;
      if (run.status === "running") run.status = "stopped";
      stopWaiters.get(run.id)?.();
      return exchange.json(200, { status: "stopped" });
    }
    if (record.method === "GET" && (match = record.path.match(/^\/api\/agent-run\/([^/]+)$/))) {
      const run = find(match[1]);
      if (!run) return exchange.json(404, { detail: "Agent run not found" });
      return exchange.json(200, { id: run.id, threadId: run.threadId, status: run.status, startedAt: null, completedAt: null, error: null });
    }
    if (record.method === "GET" && (match = record.path.match(/^\/api\/threads\/([^/]+)\/messages$/))) {
      const threadRuns = runs.filter((run) => run.threadId === match![1]);
      if (threadRuns.length === 0) return exchange.json(404, { detail: "Thread not found" });
      return exchange.json(200, { messages: threadRuns.flatMap(threadMessages) });
    }
    return exchange.json(404, { detail: "Not Found" });
  }, options);

  return { ...server, runs };
}

async function streamRun(exchange: Exchange, run: FakeSunaRun, stopWaiters: Map<string, () => void>): Promise<void> {
  let sequence = 0;
  let eventId = 0;
  const send = (message: Record<string, unknown>) =>
    exchange.write(`data: ${JSON.stringify({ ...message, _event_id: `${Date.now()}-${eventId++}` })}\n\n`);
  const now = () => new Date().toISOString();
  const threadRunId = randomUUID();
  const metadata = (extra: Record<string, unknown> = {}) => JSON.stringify({ thread_run_id: threadRunId, ...extra });
  const statusMessage = (content: Record<string, unknown>) => ({
    message_id: null, thread_id: run.threadId, type: "status", is_llm_message: false,
    content: JSON.stringify(content), metadata: metadata(), created_at: now(), updated_at: now(),
  });
  const piece = (text: string) => ({
    sequence: sequence++, message_id: null, thread_id: run.threadId, type: "assistant", is_llm_message: true,
    content: JSON.stringify({ role: "assistant", content: text }), metadata: metadata({ stream_status: "chunk" }),
    created_at: now(), updated_at: now(),
  });
  const behaviour = run.behaviour;

  exchange.openStream({ "x-accel-buffering": "no", "access-control-allow-origin": "*" });
  if (run.status !== "running") {
    // A run already over: Suna replays nothing new and says it completed.
    await send({ type: "status", status: "completed" });
    return exchange.end();
  }
  await send(statusMessage({ status_type: "thread_run_start", thread_run_id: threadRunId }));
  if (behaviour === "malformed") {
    await exchange.write(`data: {"type": "assistant", "content": \n\n`);
    return exchange.end();
  }
  if (behaviour === "slow") {
    // Works forever: ends only when stopped, or when the client goes away.
    const stopped = new Promise<void>((resolve) => stopWaiters.set(run.id, resolve));
    await Promise.race([stopped, exchange.record.closed]);
    stopWaiters.delete(run.id);
    if (run.stopRequested) {
      await send({ type: "status", status: "stopped", message: "Agent run stopped by user" });
      exchange.end();
    }
    return;
  }
  if (!(await exchange.latency())) return;
  await send({ type: "llm_response_start", llm_response_id: randomUUID(), thread_run_id: threadRunId });
  const streamText = typeof behaviour === "object" && "runStatus" in behaviour ? behaviour.streamText !== false : true;
  const pieces = streamText ? streamPieces(run.reply) : [];
  for (const [index, text] of pieces.entries()) {
    if (behaviour === "cut-stream" && index === Math.max(1, Math.floor(pieces.length / 2))) return await exchange.cut();
    await send(piece(text));
  }
  if (behaviour === "cut-stream") return await exchange.cut();
  const endStatus = typeof behaviour === "object" && "runStatus" in behaviour ? behaviour.runStatus : "completed";
  if (endStatus === "completed" && streamText) {
    await send({
      message_id: randomUUID(), thread_id: run.threadId, type: "assistant", is_llm_message: true,
      content: JSON.stringify({ role: "assistant", content: run.reply }), metadata: metadata({ stream_status: "complete" }),
      created_at: now(), updated_at: now(),
    });
  }
  await send(statusMessage({ status_type: "finish", finish_reason: endStatus === "completed" ? "stop" : "error" }));
  await send({ type: "llm_response_end", thread_run_id: threadRunId });
  run.status = endStatus;
  const messages: Record<string, string> = {
    completed: "Worker run completed successfully",
    failed: "Worker run failed: the model provider returned an error",
    stopped: "Agent run stopped by user",
    error: "Worker timeout",
  };
  await send({ type: "status", status: endStatus, message: messages[endStatus] });
  exchange.end();
}

function threadMessages(run: FakeSunaRun): Record<string, unknown>[] {
  const at = new Date().toISOString();
  const message = (type: string, content: string) => ({
    message_id: randomUUID(), thread_id: run.threadId, type, is_llm_message: true,
    content: JSON.stringify({ role: type, content }), metadata: "{}", created_at: at, updated_at: at,
  });
  const messages = [message("user", run.fields.prompt ?? "")];
  if (run.status === "completed") messages.push(message("assistant", run.reply));
  return messages;
}

// FastAPI's bodies, as Suna raises them.
function errorBodyFor(status: number): unknown {
  switch (status) {
    case 401:
      return { detail: "No valid authentication credentials found" };
    case 402:
      return {
        detail: {
          message: "Maximum of 1 concurrent runs. You have 1 running.",
          running_thread_ids: [],
          running_count: 1,
          limit: 1,
          error_code: "AGENT_RUN_LIMIT_EXCEEDED",
        },
      };
    case 403:
      return { detail: "Not authorized to access this thread" };
    case 404:
      return { detail: "Agent not found or access denied" };
    case 429:
      return { detail: "Too many requests" };
    default:
      return { detail: status >= 500 ? "Failed to start agent" : `HTTP ${status}` };
  }
}
