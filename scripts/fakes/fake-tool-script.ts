// How the fake OpenAI and Anthropic servers decide to ask for tool calls, the same way for both:
// the conversation's first user message scripts them, one round per line.
//   @tool <name> <JSON arguments>   in the next round, call <name> with these arguments
//   @loop <name> <JSON arguments>   call it in every round from here on (to test the loop's bound)
//   @say <text>                     the model writes this before the next line's call (a model
//                                   often says what it is about to do)
// A line naming a tool the request does not offer is skipped, as a model would not call it. Once
// the script is done the fake answers its usual reply followed by one line per tool result
// (`tool result: <content>`), so a test sees what the tools said reach the model.

export interface ScriptedCall {
  name: string;
  /** The arguments as the model writes them (OpenAI sends this text; Anthropic its parsed object). */
  arguments: string;
  /** What the model writes in that round before calling ("" when the script says nothing). */
  text: string;
}

const scriptLine = /^@(tool|loop|say)\s+(\S+)\s*(.*)$/gm;

/** The call to ask for after `roundsDone` rounds, or null when the model should answer now. */
export function nextScriptedCall(input: string, roundsDone: number, offered: ReadonlySet<string>): ScriptedCall | null {
  const lines: (ScriptedCall & { loop: boolean })[] = [];
  let said: string[] = [];
  for (const [, kind, first, rest] of input.matchAll(scriptLine)) {
    if (kind === "say") {
      said.push(`${first} ${rest}`.trim());
      continue;
    }
    if (/^[A-Za-z0-9_-]{1,64}$/.test(first) && offered.has(first)) {
      lines.push({ loop: kind === "loop", name: first, arguments: rest.trim() === "" ? "{}" : rest.trim(), text: said.join("\n") });
    }
    said = [];
  }
  if (roundsDone < lines.length) return { name: lines[roundsDone].name, arguments: lines[roundsDone].arguments, text: lines[roundsDone].text };
  const loop = [...lines].reverse().find((line) => line.loop);
  return loop ? { name: loop.name, arguments: loop.arguments, text: loop.text } : null;
}

/** The final answer: the fake's reply, then what each tool answered. */
export function replyWithToolResults(reply: string, results: string[]): string {
  return results.length === 0 ? reply : [reply, ...results.map((result) => `tool result: ${result}`)].join("\n");
}
