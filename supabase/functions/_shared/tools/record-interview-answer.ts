// The built-in tool record_interview_answer: the agent conducting an interview in a WhatsApp
// conversation stores what the contact answered to one question of the script. The database checks
// the answer against the question's type (private.record_interview_answer_for_step); an answer that
// does not fit comes back as a tool error saying what is expected, so the model asks again.
import type { BuiltinContext } from "./builtin-tools.ts";
import { ToolFailure } from "./registry.ts";

/** What recording the answer answered. */
export interface InterviewAnswerResult {
  interview_id: string;
  status: "in_progress" | "completed";
  answers: Record<string, unknown>;
  next_question: Record<string, unknown> | null;
}

export async function recordInterviewAnswer(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step) throw new ToolFailure("record_interview_answer works only in a run that answers a WhatsApp conversation");
  const questionId = String(args.question_id);
  const answer = typeof args.answer === "string" ? args.answer : "";
  const result = await context.step.recordInterviewAnswer(questionId, answer);
  const meaning = result.status === "completed"
    ? "Every required question is answered: thank the contact and close the interview."
    : "Saved. Ask next_question (one question at a time).";
  return JSON.stringify({ status: result.status, next_question: result.next_question, meaning });
}
