/**
 * The `template.components` of a Meta template send (Cloud API, POST /<phone number id>/messages
 * with type "template"), from the values public.reply_with_template stored in metadata.template:
 *
 *   {type:"header", parameters:[{type:"text", text}]}                       a text header's {{1}}
 *   {type:"header", parameters:[{type:"image"|"video", <type>:{link}}]}     header media by public link
 *   {type:"header", parameters:[{type:"document", document:{link, filename?}}]}
 *   {type:"body", parameters:[{type:"text", text}, ...]}                     the body's {{1}}, {{2}} ...
 *   {type:"button", sub_type:"url", index:"<n>", parameters:[{type:"text", text}]}      a link's end
 *   {type:"button", sub_type:"copy_code", index:"<n>", parameters:[{type:"coupon_code", coupon_code}]}
 *
 * in that order, each only when it has values (a template without any sends no components).
 */

/** A header's value: the text for its {{1}}, or the media's public https link. */
export type TemplateHeaderValue =
  | { format: "text"; text: string }
  | { format: "image" | "video"; link: string }
  | { format: "document"; link: string; filename?: string };

/** A button's value by its position among the template's buttons: a URL's end or the code to copy. */
export interface TemplateButtonValue {
  index: number;
  type: "url" | "copy_code";
  value: string;
}

/** A Meta message template to send: its name, language, body parameters ({{1}}, {{2}}, ...) and header and button values. */
export interface TemplateToSend {
  name: string;
  language: string;
  parameters: string[];
  header?: TemplateHeaderValue | null;
  buttons?: TemplateButtonValue[];
}

export function metaTemplateComponents(template: TemplateToSend): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const header = template.header;
  if (header) components.push({ type: "header", parameters: [headerParameter(header)] });
  if (template.parameters.length > 0) {
    components.push({ type: "body", parameters: template.parameters.map((text) => ({ type: "text", text })) });
  }
  for (const button of [...(template.buttons ?? [])].sort((a, b) => a.index - b.index)) {
    components.push({
      type: "button",
      sub_type: button.type,
      index: String(button.index),
      parameters: [button.type === "url" ? { type: "text", text: button.value } : { type: "coupon_code", coupon_code: button.value }],
    });
  }
  return components;
}

function headerParameter(header: TemplateHeaderValue): Record<string, unknown> {
  switch (header.format) {
    case "text":
      return { type: "text", text: header.text };
    case "document":
      return { type: "document", document: { link: header.link, ...(header.filename ? { filename: header.filename } : {}) } };
    default:
      return { type: header.format, [header.format]: { link: header.link } };
  }
}

/** The stored metadata.template's header and buttons, read defensively (null / [] for anything else). */
export function readTemplateValues(stored: { header?: unknown; buttons?: unknown }): Pick<TemplateToSend, "header" | "buttons"> {
  return { header: readHeader(stored.header), buttons: readButtons(stored.buttons) };
}

function readHeader(raw: unknown): TemplateHeaderValue | null {
  if (!raw || typeof raw !== "object") return null;
  const header = raw as { format?: unknown; text?: unknown; link?: unknown; filename?: unknown };
  if (header.format === "text" && typeof header.text === "string") return { format: "text", text: header.text };
  if ((header.format === "image" || header.format === "video") && typeof header.link === "string") return { format: header.format, link: header.link };
  if (header.format === "document" && typeof header.link === "string") {
    return { format: "document", link: header.link, ...(typeof header.filename === "string" ? { filename: header.filename } : {}) };
  }
  return null;
}

function readButtons(raw: unknown): TemplateButtonValue[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const button = item as { index?: unknown; type?: unknown; value?: unknown } | null;
    if (!button || !Number.isInteger(button.index) || (button.type !== "url" && button.type !== "copy_code") || typeof button.value !== "string") return [];
    return [{ index: button.index as number, type: button.type, value: button.value }];
  });
}
