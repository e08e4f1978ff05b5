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
 * Whether Renum can send the template: approved by Meta, and its body's numbered values are all it
 * takes (no header or button value, no named variable: see message_templates.parameters_beyond_body).
 */
export function isSendableTemplate(template: { status: string; parameters_beyond_body: string[] }): boolean {
  return template.status === "approved" && template.parameters_beyond_body.length === 0;
}

/** A template's choice in a form: "<name>|<language>" (names and language codes have no "|"). */
export function templateKey(template: { name: string; language: string }): string {
  return `${template.name}|${template.language}`;
}
