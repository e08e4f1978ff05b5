// The built-in tool whatsapp_send: an agent writes to one of its company's contacts on WhatsApp —
// a follow-up to a lead, a confirmation to a customer. The database decides who may be written to
// and from which number (private.send_whatsapp_for_step): existing contacts only, never blocked or
// opted-out ones, never into a conversation a person holds, Meta's 24-hour window respected, and a
// retried step never sends the same message twice. A refusal is the tool's answer for the model.
import type { BuiltinContext } from "./builtin-tools.ts";
import { ToolFailure } from "./registry.ts";

/** What sending answered. */
export interface WhatsappSendResult {
  status: "queued" | "already_sent";
  message_id: string;
  conversation_id: string;
  contact_name: string | null;
  phone: string;
  /** What an earlier attempt of the step sent, when status is already_sent. */
  text?: string;
}

const whatItMeans: Record<WhatsappSendResult["status"], string> = {
  queued: "The message is queued for delivery on WhatsApp.",
  already_sent: "An earlier attempt of this step already sent this message (text): it was not sent again.",
};

export async function whatsappSend(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step) throw new ToolFailure("whatsapp_send works only in a run");
  const to = String(args.to ?? "").trim();
  const text = typeof args.text === "string" ? args.text : "";
  if (text.trim() === "") throw new ToolFailure("say what to send: text is empty");
  const result = await context.step.sendWhatsapp(to, text);
  return JSON.stringify({ ...result, meaning: whatItMeans[result.status] });
}
