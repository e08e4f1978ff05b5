// The agent conducting an interview reads the script, what is answered and the question to ask
// next after its own instructions.
import { describe, expect, it } from "vitest";
import { type InterviewContext, withInterviewScript } from "./interview-context.ts";

const interview: InterviewContext = {
  interview_id: "6f0c9a4e-0000-4000-8000-000000000001",
  project: "Pesquisa de satisfação",
  status: "in_progress",
  questions: [
    { id: "nps", text: "De 1 a 5, quanto recomendaria?", answer_type: "scale_1_5" },
    { id: "plan", text: "Qual plano usa?", answer_type: "one_of", options: ["Básico", "Pro"] },
    { id: "why", text: "Por quê?", answer_type: "free_text", required: false, follow_up: { ask: "Pode dar um exemplo?", when: "vague" } },
  ],
  answers: { nps: { value: 4 } },
  next_question: { id: "plan", text: "Qual plano usa?", answer_type: "one_of", options: ["Básico", "Pro"] },
};

describe("withInterviewScript", () => {
  it("adds the script, the answers so far and the next question after the agent's prompt", () => {
    const prompt = withInterviewScript("Você é cordial.", interview);
    expect(prompt.startsWith("Você é cordial.\n\nYou are conducting the interview \"Pesquisa de satisfação\"")).toBe(true);
    expect(prompt).toContain("- [plan] Qual plano usa? — one of the options (Básico | Pro)");
    expect(prompt).toContain("- [why] Por quê? — free text, optional; follow up: \"Pode dar um exemplo?\" when vague");
    expect(prompt).toContain("Answered so far:\n- [nps] 4");
    expect(prompt).toContain("Ask next, one question at a time: [plan] Qual plano usa?");
    expect(prompt).toContain("record_interview_answer");
  });

  it("says when nothing is answered yet and when every question has an answer", () => {
    expect(withInterviewScript("", { ...interview, answers: {} })).toContain("Nothing answered yet.");
    const done = withInterviewScript("", { ...interview, answers: { nps: { value: 4 }, plan: { value: "Pro" }, why: { value: null, skipped: true } }, next_question: null });
    expect(done).toContain("- [why] (skipped)");
    expect(done).toContain("Every question has an answer: thank the contact.");
    expect(done.startsWith("You are conducting")).toBe(true);
  });
});
