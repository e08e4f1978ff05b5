// A WhatsApp conversation reaches the provider as chat turns: the contact's latest messages are
// the input, what came before is the history, sides alternate and the history opens with the contact.
import { describe, expect, it } from "vitest";
import { conversation } from "../_shared/providers/index.ts";
import { chatFromTranscript, type TranscriptEntry } from "./conversation-chat.ts";

const user = (content: string): TranscriptEntry => ({ role: "user", content });
const company = (content: string): TranscriptEntry => ({ role: "assistant", content });

describe("chatFromTranscript", () => {
  it("answers the contact's latest messages with the earlier exchange as history", () => {
    const chat = chatFromTranscript([user("Oi"), company("Olá! Como posso ajudar?"), user("Quanto custa?")]);
    expect(chat).toEqual({
      history: [{ role: "user", content: "Oi" }, { role: "assistant", content: "Olá! Como posso ajudar?" }],
      input: "Quanto custa?",
    });
  });

  it("joins messages written in a row into one turn, so sides alternate", () => {
    const chat = chatFromTranscript([user("Oi"), user("tudo bem?"), company("Tudo!"), company("Em que posso ajudar?"), user("preço"), user("do anual")]);
    expect(chat).toEqual({
      history: [{ role: "user", content: "Oi\ntudo bem?" }, { role: "assistant", content: "Tudo!\nEm que posso ajudar?" }],
      input: "preço\ndo anual",
    });
  });

  it("opens the history with the contact when the company spoke first", () => {
    const chat = chatFromTranscript([company("Estamos fechados."), user("Oi"), company("Olá!"), user("Preço?")]);
    expect(chat?.history[0]).toEqual({ role: "user", content: "Oi" });
    expect(chat?.input).toBe("Preço?");
  });

  it("keeps the step's text input when the company spoke last or there is nothing", () => {
    expect(chatFromTranscript([user("Oi"), company("Olá!")])).toBeNull();
    expect(chatFromTranscript([])).toBeNull();
  });

  it("gives the providers role-tagged messages ending with the contact's turn", () => {
    const chat = chatFromTranscript([user("Oi"), company("Olá!"), user("Preço?")])!;
    const call = { provider: "demo" as const, model: "m", systemPrompt: "", temperature: 0, maxTokens: 10, config: {}, ...chat };
    expect(conversation(call).map((turn) => turn.role)).toEqual(["user", "assistant", "user"]);
  });
});
