// What a contact reads when a Meta message template is sent: its body with each {{n}} replaced by
// the n-th parameter, as the database renders it (private.render_template_body). A parameter not
// filled yet shows its placeholder, so the preview says what is still missing.
const placeholder = /\{\{\s*([0-9]{1,3})\s*\}\}/g;

export function renderTemplate(body: string | null, parameters: string[]): string {
  return (body ?? "").replace(placeholder, (whole, number: string) => {
    const value = parameters[Number(number) - 1];
    return value !== undefined && value.trim() !== "" ? value : whole;
  });
}

/**
 * Whether a person can send the template: approved by Meta, and needing nothing Renum cannot send
 * (named variables, carousels, ...: message_templates.parameters_unsendable). Header and button
 * values the person gives (values_to_give) are fine.
 */
export function isSendableTemplate(template: { status: string; parameters_unsendable: string[] }): boolean {
  return template.status === "approved" && template.parameters_unsendable.length === 0;
}

/**
 * Whether an automatic send (the window template, an interview's invitation) can use the template:
 * nobody gives values there, so its body's numbered values must be all it takes
 * (message_templates.parameters_beyond_body empty).
 */
export function isAutomaticallySendableTemplate(template: { status: string; parameters_beyond_body: string[] }): boolean {
  return template.status === "approved" && template.parameters_beyond_body.length === 0;
}

/** What a template's header takes from the person: the text with its {{1}}, or the kind of media. */
export type HeaderToGive = { format: "text"; text: string } | { format: "image" | "video" | "document" } | null;

/**
 * The text the contact reads, as the database stores it (public.reply_with_template): a text
 * header with its value on the first line, then the body. Media is not text: it shows apart.
 */
export function renderTemplateText(bodyText: string | null, parameters: string[], header: HeaderToGive, headerValue: string): string {
  const body = renderTemplate(bodyText, parameters).trim();
  if (header?.format !== "text") return body;
  const headerLine = renderTemplate(header.text, [headerValue]).trim();
  return body === "" ? headerLine : `${headerLine}\n${body}`;
}

/** A template's choice in a form: "<name>|<language>" (names and language codes have no "|"). */
export function templateKey(template: { name: string; language: string }): string {
  return `${template.name}|${template.language}`;
}
