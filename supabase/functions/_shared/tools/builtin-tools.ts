// The built-in tools the executor runs itself. Tools of public.tools not listed here are offered to
// no model: a step never advertises a tool that cannot run — except those in `unavailableTools`,
// which are offered and answer a clear tool error, so an agent configured with them learns why they
// did nothing.
import { ToolFailure } from "./registry.ts";
import { type InterviewAnswerResult, recordInterviewAnswer } from "./record-interview-answer.ts";
import { type QualificationAnswer, requestQualification } from "./request-qualification.ts";
import { queryData } from "./query-data.ts";
import { knowledgeSearch } from "./knowledge-search.ts";
import { httpRequest } from "./http-request.ts";
import { whatsappSend, type WhatsappSendResult } from "./whatsapp-send.ts";
import type { QueryAnswer } from "../read-only-query.ts";

/** What a built-in may do in the database on behalf of the running step (absent outside a step). */
export interface StepActions {
  /** Files a qualification request for the contact of the conversation the step's run answers. */
  requestQualification: (evidence: Record<string, unknown>, summary: string | null) => Promise<QualificationAnswer>;
  /** Records the contact's answer in the interview the step's conversation runs (checked in SQL). */
  recordInterviewAnswer: (questionId: string, answer: string) => Promise<InterviewAnswerResult>;
  /** Runs one read-only statement as the run's starter in the run's company (throws QueryRefused, a ToolFailure). */
  queryData: (statement: string) => Promise<QueryAnswer>;
  /** Searches the step's agent's knowledge bases; null when the agent has none. */
  searchKnowledge: (query: string, topK: number) => Promise<FoundPassage[] | null>;
  /** The hosts the run's company allows http_request to call. */
  httpRequestHosts: () => Promise<string[]>;
  /** Queues a WhatsApp text to an existing contact of the run's company (the rules are SQL's). */
  sendWhatsapp: (to: string, text: string) => Promise<WhatsappSendResult>;
}

/** A passage as the knowledge_search tool answers it. */
export interface FoundPassage {
  document_title: string;
  heading_path: string[];
  version: number;
  content: string;
  score: number;
}

export interface BuiltinContext {
  now: () => Date;
  step?: StepActions;
  /** Ends the tool's work: the step stopped or the tool's time ran out. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The egress fetch (tests pass their own allow-list through the loop's options). */
  fetch?: typeof fetch;
}

type BuiltinTool = (args: Record<string, unknown>, context: BuiltinContext) => Promise<string> | string;

export const builtinTools: Record<string, BuiltinTool> = {
  current_time: (args, context) => {
    const now = context.now();
    const timezone = typeof args.timezone === "string" && args.timezone !== "" ? args.timezone : "UTC";
    let local: string;
    try {
      local = new Intl.DateTimeFormat("en-CA", {
        timeZone: timezone,
        dateStyle: "short",
        timeStyle: "medium",
        hourCycle: "h23",
      }).format(now);
    } catch {
      throw new ToolFailure(`"${timezone}" is not a time zone (use an IANA name such as America/Sao_Paulo)`);
    }
    return JSON.stringify({ utc: now.toISOString(), timezone, local });
  },
  request_qualification: requestQualification,
  record_interview_answer: recordInterviewAnswer,
  query_data: queryData,
  knowledge_search: knowledgeSearch,
  http_request: httpRequest,
  whatsapp_send: whatsappSend,
};

/** Built-ins that exist in the registry but do not run in this version, with the reason the model reads. */
export const unavailableTools: Record<string, string> = {
  web_search: "web_search is not available on this platform",
  calculator: "calculator is not available on this platform",
};
