// An interview in a WhatsApp conversation, as the instructions of the agent that conducts it. The
// database says which interview the step's conversation runs (private.step_interview_context), read
// live each turn; the agent gets the script, what is answered so far and the question to ask next
// after its own system prompt, and stores each answer with the record_interview_answer tool.

/** One question of the script as projects.questions holds it. */
export interface InterviewQuestion {
  id: string;
  text: string;
  answer_type: "free_text" | "number" | "yes_no" | "one_of" | "date" | "scale_1_5";
  options?: string[];
  required?: boolean;
  follow_up?: { ask: string; when?: string };
}

export interface InterviewContext {
  interview_id: string;
  project: string;
  status: "invited" | "in_progress";
  questions: InterviewQuestion[];
  answers: Record<string, { value: unknown; skipped?: boolean }>;
  next_question: InterviewQuestion | null;
}

const answerTypeWords: Record<InterviewQuestion["answer_type"], string> = {
  free_text: "free text",
  number: "a number",
  yes_no: "yes or no",
  one_of: "one of the options",
  date: "a date",
  scale_1_5: "a whole number from 1 to 5",
};

function describe(question: InterviewQuestion): string {
  const options = question.answer_type === "one_of" && question.options ? ` (${question.options.join(" | ")})` : "";
  const optional = question.required === false ? ", optional" : "";
  const followUp = question.follow_up ? `; follow up: "${question.follow_up.ask}"${question.follow_up.when ? ` when ${question.follow_up.when}` : ""}` : "";
  return `- [${question.id}] ${question.text} — ${answerTypeWords[question.answer_type]}${options}${optional}${followUp}`;
}

/** The system prompt with the interview's script, the answers so far and what to do next. */
export function withInterviewScript(systemPrompt: string, interview: InterviewContext): string {
  const answered = interview.questions
    .filter((question) => question.id in interview.answers)
    .map((question) => {
      const answer = interview.answers[question.id];
      return `- [${question.id}] ${answer.skipped ? "(skipped)" : JSON.stringify(answer.value)}`;
    });
  const next = interview.next_question
    ? `Ask next, one question at a time: [${interview.next_question.id}] ${interview.next_question.text}`
    : "Every question has an answer: thank the contact.";
  const section = [
    `You are conducting the interview "${interview.project}" with this contact on WhatsApp.`,
    "When the contact answers a question, call record_interview_answer with the question's id and the answer. " +
    "If the tool says the answer does not fit, ask again politely, saying what kind of answer is expected. " +
    "Never invent an answer the contact did not give.",
    `Script:\n${interview.questions.map(describe).join("\n")}`,
    answered.length > 0 ? `Answered so far:\n${answered.join("\n")}` : "Nothing answered yet.",
    next,
  ].join("\n\n");
  return [systemPrompt.trim(), section].filter((part) => part !== "").join("\n\n");
}
