// A WhatsApp conversation as chat messages for the provider. A reply run (private.start_turn)
// carries the conversation's last messages in variables.conversation.transcript; a step that
// answers the conversation itself (its input is the run's prompt) gets them as role-tagged turns
// instead of one flattened text: the earlier exchange as `history`, the contact's latest
// messages (those after the company last spoke) as the `input` to answer.
import type { ChatTurn } from "../_shared/providers/index.ts";

/** One message of the transcript as the database writes it. */
export interface TranscriptEntry {
  role: "user" | "assistant";
  content: string;
}

/**
 * The call's history and input from a transcript, or null when the transcript ends with the
 * company speaking (nothing of the contact's to answer: the step keeps its text input).
 * Consecutive messages of one side are joined into one turn (providers such as Anthropic want
 * the sides to alternate), and a history that opens with the company is trimmed to open with the
 * contact.
 */
export function chatFromTranscript(transcript: TranscriptEntry[]): { history: ChatTurn[]; input: string } | null {
  const turns: ChatTurn[] = [];
  for (const entry of transcript) {
    const role = entry.role === "user" ? "user" : "assistant";
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content = `${last.content}\n${entry.content}`;
    else turns.push({ role, content: entry.content });
  }
  const latest = turns.pop();
  if (!latest || latest.role !== "user") return null;
  while (turns.length > 0 && turns[0].role !== "user") turns.shift();
  return { history: turns, input: latest.content };
}
