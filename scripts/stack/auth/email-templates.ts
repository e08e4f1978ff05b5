// The emails Supabase Auth sends, from its default templates or from the ones configured under
// `[auth.email.template.<kind>]` (subject and content_path). Templates are Go templates; the stand-in
// understands what they are used for in practice, `{{ .Name }}` substitutions, with the values
// HTML-escaped as Go's html/template does in text and attributes.
import { readFileSync } from "node:fs";
import type { EmailTemplate } from "./config.ts";

/** The values GoTrue's mailer hands every email-link template. */
export interface EmailTemplateData {
  SiteURL: string;
  ConfirmationURL: string;
  Email: string;
  Token: string;
  TokenHash: string;
  RedirectTo: string;
}

// GoTrue's defaults (internal/mailer/template.go).
export const defaultRecoveryTemplate = {
  subject: "Reset Your Password",
  body: `<h2>Reset Password</h2>

<p>Follow this link to reset the password for your user:</p>
<p><a href="{{ .ConfirmationURL }}">Reset Password</a></p>`,
};

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => escapes[character]);
}

export function renderTemplate(template: string, data: EmailTemplateData, { html }: { html: boolean }): string {
  return template.replace(/\{\{-?\s*\.(\w+)\s*-?\}\}/g, (_match, name: string) => {
    const value = name in data ? String(data[name as keyof EmailTemplateData]) : "";
    return html ? escapeHtml(value) : value;
  });
}

/** Subject and HTML of the recovery email, from `[auth.email.template.recovery]` or GoTrue's default. */
export function recoveryEmail(configured: EmailTemplate | null, data: EmailTemplateData): { subject: string; html: string } {
  const subject = configured?.subject ?? defaultRecoveryTemplate.subject;
  const body = configured?.contentPath ? readFileSync(configured.contentPath, "utf8") : defaultRecoveryTemplate.body;
  return { subject: renderTemplate(subject, data, { html: false }), html: renderTemplate(body, data, { html: true }) };
}
