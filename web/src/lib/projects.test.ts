import { describe, expect, it } from "vitest";
import { answerType, createProjectBody, launchSelection, projectType, type Project } from "$schemas/projects.ts";
import {
  answerText,
  answerTypes,
  distributionBars,
  formFieldOf,
  interviewActions,
  launchSelectionBody,
  projectBody,
  projectFieldErrors,
  projectFormValues,
  projectTypes,
  questionDrafts,
  wordBars,
} from "./projects";

const project = {
  id: "5f0b0c9e-4d6b-4d7a-9a53-1b0f7d1b2c3d",
  tenant_id: "0b0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
  name: "Pós-venda",
  description: null,
  type: "survey",
  status: "draft",
  inbox_id: "9a1af142-c37f-4752-a7e9-b35b1d8d41fb",
  responder_team_id: null,
  questions: [
    { id: "score", text: "De 1 a 5?", answer_type: "scale_1_5", required: true },
    { id: "channel", text: "Como nos conheceu?", answer_type: "one_of", options: ["Instagram", "Google"], required: false, follow_up: { ask: "Qual post?", when: "Instagram" } },
  ],
  invitation_text: "Olá!",
  reminder_text: null,
  time_zone: "America/Sao_Paulo",
  sending_hours: { mon: [["09:00", "18:00"]] },
  send_rate_per_minute: 30,
  timeout_hours: 72,
  reminder_after_hours: null,
  launched_at: null,
  completed_at: null,
  created_by: null,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
} as Project;

/** The form's fields for the project, questions included, as the browser would send them. */
function sentFields(): Record<string, string> {
  const values = projectFormValues(project);
  const drafts = questionDrafts(project.questions);
  values.question_count = String(drafts.length);
  drafts.forEach((draft, index) => {
    values[`q${index}_id`] = draft.id;
    values[`q${index}_text`] = draft.text;
    values[`q${index}_type`] = draft.answer_type;
    values[`q${index}_options`] = draft.options;
    if (draft.required) values[`q${index}_required`] = "on";
    if (draft.follow_up) values[`q${index}_follow_up`] = JSON.stringify(draft.follow_up);
  });
  return values;
}

describe("the project form", () => {
  it("offers the schema's answer types and project types, in order", () => {
    expect(answerTypes).toEqual(answerType.options);
    expect(projectTypes).toEqual(projectType.options);
  });

  it("writes a project into fields and reads them back into the same script and settings, which the API takes", () => {
    const body = projectBody(sentFields());
    expect(body).toEqual({
      name: "Pós-venda",
      description: null,
      type: "survey",
      inbox_id: project.inbox_id,
      responder_team_id: null,
      invitation_text: "Olá!",
      reminder_text: null,
      invitation_template: null,
      reminder_template: null,
      time_zone: "America/Sao_Paulo",
      sending_hours: { mon: [["09:00", "18:00"]] },
      send_rate_per_minute: 30,
      timeout_hours: 72,
      reminder_after_hours: null,
      questions: project.questions,
    });
    expect(createProjectBody.safeParse(body).success).toBe(true);
  });

  it("leaves the script out when the form did not show it (a launched project), and sends no hours as any time", () => {
    const values = projectFormValues({ ...project, sending_hours: null });
    const body = projectBody(values);
    expect(body).not.toHaveProperty("questions");
    expect(body.sending_hours).toBeNull();
  });

  it("sends the invitation template chosen, with what fills its variables, and shows it again", () => {
    const withTemplate = { ...project, invitation_template: { name: "boas_vindas", language: "pt_BR", parameters: ["contact_name" as const, "project_name" as const] } };
    const values = projectFormValues(withTemplate);
    expect([values.invitation_template, values.invitation_template_parameters]).toEqual(["boas_vindas|pt_BR", "contact_name,project_name"]);
    const body = projectBody(values);
    expect(body.invitation_template).toEqual(withTemplate.invitation_template);
    expect(createProjectBody.safeParse(body).success).toBe(true);
    expect(projectBody({ ...values, invitation_template_parameters: "" }).invitation_template).toEqual({ name: "boas_vindas", language: "pt_BR", parameters: [] });
    expect(projectBody({ ...values, invitation_template: "" }).invitation_template).toBeNull();
  });

  it("sends the reminder template chosen on its own, none meaning the invitation's", () => {
    const values = projectFormValues({ ...project, reminder_template: { name: "lembrete", language: "pt_BR", parameters: ["contact_name" as const] } });
    expect([values.reminder_template, values.reminder_template_parameters]).toEqual(["lembrete|pt_BR", "contact_name"]);
    const body = projectBody(values);
    expect(body.reminder_template).toEqual({ name: "lembrete", language: "pt_BR", parameters: ["contact_name"] });
    expect(body.invitation_template).toBeNull();
    expect(createProjectBody.safeParse(body).success).toBe(true);
    expect(projectBody({ ...values, reminder_template: "" }).reminder_template).toBeNull();
    expect(projectFormValues(project).reminder_template).toBe("");
  });

  it("passes text that is not a number on for the API to name", () => {
    expect(projectBody({ ...projectFormValues(project), send_rate_per_minute: "muitos" }).send_rate_per_minute).toBe("muitos");
  });

  it("puts the API's error paths next to the form's fields", () => {
    expect(formFieldOf("questions.1.options")).toBe("q1_options");
    expect(formFieldOf("questions.0.answer_type")).toBe("q0_type");
    expect(formFieldOf("sending_hours.mon.0.1")).toBe("hours_mon");
    expect(formFieldOf("name")).toBe("name");
    expect(projectFieldErrors({ "questions.2.id": "Use 1-40 characters of a-z, 0-9 and _." })).toEqual({ q2_id: "Use 1-40 characters of a-z, 0-9 and _." });
  });
});

describe("launching", () => {
  it("sends only the criteria given, tags trimmed and lower-cased, which the API takes", () => {
    const body = launchSelectionBody({ tags_any: " VIP, sp ,", tags_all: "", phone_prefix: "+5511", name_contains: "", all: "" });
    expect(body).toEqual({ tags_any: ["vip", "sp"], phone_prefix: "+5511" });
    expect(launchSelection.safeParse(body).success).toBe(true);
    expect(launchSelectionBody({ all: "on" })).toEqual({ all: true });
  });
});

describe("the report and the interviews", () => {
  const words = { yes: "Sim", no: "Não" };

  it("draws options in the script's order with zeros, yes before no, and 1 to 5", () => {
    expect(distributionBars({ answer_type: "one_of", distribution: { Google: 2, Outro: 1 } }, ["Instagram", "Google"], words)).toEqual([
      { label: "Instagram", value: 0 },
      { label: "Google", value: 2 },
      { label: "Outro", value: 1 },
    ]);
    expect(distributionBars({ answer_type: "yes_no", distribution: { false: 3 } }, [], words)).toEqual([{ label: "Sim", value: 0 }, { label: "Não", value: 3 }]);
    expect(distributionBars({ answer_type: "scale_1_5", distribution: { "5": 1 } }, [], words).map((bar) => bar.value)).toEqual([0, 0, 0, 0, 1]);
  });

  it("draws a free-text question's words in the report's order, none when it has no words", () => {
    expect(wordBars({ words: [{ word: "ótimo", count: 3 }, { word: "preço", count: 2 }] })).toEqual([
      { label: "ótimo", value: 3 },
      { label: "preço", value: 2 },
    ]);
    expect(wordBars({})).toEqual([]);
  });

  it("offers cancelling and resending only where the database allows them", () => {
    expect(interviewActions("pending")).toEqual({ cancel: true, resend: false });
    expect(interviewActions("invited")).toEqual({ cancel: true, resend: true });
    expect(interviewActions("expired")).toEqual({ cancel: false, resend: true });
    expect(interviewActions("completed")).toEqual({ cancel: false, resend: false });
  });

  it("writes answers for people", () => {
    const number = (value: number) => value.toLocaleString("pt-BR");
    expect(answerText(true, "yes_no", words, number)).toBe("Sim");
    expect(answerText(1234.5, "number", words, number)).toBe("1.234,5");
    expect(answerText("2026-12-01", "date", words, number)).toBe("2026-12-01");
    expect(answerText(null, "free_text", words, number)).toBe("");
  });
});
