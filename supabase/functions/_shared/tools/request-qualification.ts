// The built-in tool request_qualification: the agent answering a WhatsApp conversation asks for its
// contact to be qualified as a sales lead, with the evidence it gathered. The database files the
// request for the conversation's contact (private.request_qualification_for_step) and the company's
// rules approve or reject it at once, or a person decides later; the model hears which, and why.
import type { BuiltinContext } from "./builtin-tools.ts";
import { ToolFailure } from "./registry.ts";

/** What filing the request answered. */
export interface QualificationAnswer {
  request_id: string;
  status: "pending" | "approved" | "rejected";
  reason: string | null;
}

const whatItMeans: Record<QualificationAnswer["status"], string> = {
  approved: "The contact is now a qualified lead.",
  rejected: "The request was rejected by the company's rules; the contact stays a lead.",
  pending: "A person in the company will decide; the contact stays a lead until then.",
};

export async function requestQualification(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step) throw new ToolFailure("request_qualification works only in a run that answers a WhatsApp conversation");
  const evidence = args.evidence as Record<string, unknown>;
  const summary = typeof args.summary === "string" ? args.summary : null;
  const answer = await context.step.requestQualification(evidence, summary);
  return JSON.stringify({ ...answer, meaning: whatItMeans[answer.status] });
}
