// What an agent of a team receives: its input's placeholders ({{initial_prompt}}, {{agent:<id>}},
// {{variables.name}}, {{context.key}}) and a preview of the text, rendered the way the engine does
// (private.resolve_step_input in supabase/migrations/20261122000710_engine.sql): a template
// fills in the sources it lists and leaves any other placeholder as written, except
// {{initial_prompt}}, which is always filled; without a template the sources are joined, each
// under a heading.
import type { CombinedSource, TeamAgentInput, WorkflowType } from "$schemas/teams.ts";

/** The placeholder a template writes for a source. */
export function placeholderOf(source: CombinedSource): string {
  switch (source.type) {
    case "initial_prompt":
      return "{{initial_prompt}}";
    case "agent_result":
      return `{{agent:${source.agent_id.toLowerCase()}}}`;
    case "context":
      return `{{context.${source.key}}}`;
    case "variable":
      return `{{variables.${source.name}}}`;
  }
}

const placeholderPattern =
  /\{\{(?:(initial_prompt)|agent:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|context\.([A-Za-z_][A-Za-z0-9_]{0,63})|variables\.([A-Za-z_][A-Za-z0-9_]{0,63}))\}\}/g;

function sourceOfMatch(match: RegExpMatchArray): CombinedSource {
  if (match[1]) return { type: "initial_prompt" };
  if (match[2]) return { type: "agent_result", agent_id: match[2] };
  if (match[3]) return { type: "context", key: match[3] };
  return { type: "variable", name: match[4] };
}

export function sameSource(a: CombinedSource, b: CombinedSource): boolean {
  return placeholderOf(a) === placeholderOf(b);
}

/** The sources a template names, once each, in order. */
export function templateSources(template: string): CombinedSource[] {
  const found: CombinedSource[] = [];
  for (const match of template.matchAll(placeholderPattern)) {
    const source = sourceOfMatch(match);
    if (!found.some((other) => sameSource(other, source))) found.push(source);
  }
  return found;
}

/** Placeholders of the template whose source the input does not list: they would arrive as written. */
export function unlistedSources(input: TeamAgentInput): CombinedSource[] {
  if (input.source !== "combined" || !input.template) return [];
  return templateSources(input.template).filter(
    (source) => source.type !== "initial_prompt" && !input.sources.some((listed) => sameSource(listed, source)),
  );
}

/** A piece of the preview: text as written, or the place where a source's text will go. */
export type PreviewPart = { text: string } | { source: CombinedSource | { type: "previous" } };

/**
 * What the agent at `position` (0-based) will receive, as parts: the words of the template or the
 * headings, and the sources that fill them. `headingOf` names a source under its heading (an
 * agent's name, a variable's name).
 */
export function previewOf(
  input: TeamAgentInput,
  position: number,
  workflowType: WorkflowType,
  headingOf: (source: CombinedSource) => string,
): PreviewPart[] {
  if (input.source === "initial_prompt") {
    // In a pipeline every agent but the first reads the previous one's result.
    return [{ source: workflowType === "pipeline" && position > 0 ? { type: "previous" } : { type: "initial_prompt" } }];
  }
  if (input.source === "agent_result") return [{ source: { type: "agent_result", agent_id: input.agent_id } }];
  if (input.template !== undefined && input.template !== "") {
    const parts: PreviewPart[] = [];
    let last = 0;
    for (const match of input.template.matchAll(placeholderPattern)) {
      const source = sourceOfMatch(match);
      const filled = source.type === "initial_prompt" || input.sources.some((listed) => sameSource(listed, source));
      if (!filled) continue;
      if (match.index > last) parts.push({ text: input.template.slice(last, match.index) });
      parts.push({ source });
      last = match.index + match[0].length;
    }
    if (last < input.template.length) parts.push({ text: input.template.slice(last) });
    return parts;
  }
  return input.sources.flatMap((source, index): PreviewPart[] => [
    ...(index > 0 ? [{ text: "\n\n" }] : []),
    ...(source.type === "initial_prompt" ? [] : [{ text: `## ${headingOf(source)}\n` }]),
    { source },
  ]);
}
