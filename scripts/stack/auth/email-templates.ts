// The emails Supabase Auth sends, from its default templates or from the ones configured under
// `[auth.email.template.<kind>]` (subject and content_path). Templates are Go templates; the stand-in
// understands what they are used for in practice, `{{ .Name }}` substitutions, with the values
// HTML-escaped as Go's html/template does in text and attributes.
import { readFileSync } from "node:fs";
import type { EmailTemplate } from "./config.ts";

/** The values GoTrue's mailer hands the email templates (each kind uses those it needs). */
export interface EmailTemplateData {
  SiteURL: string;
  ConfirmationURL: string;
  Email: string;
  Token: string;
  TokenHash: string;
  RedirectTo: string;
  /** Email change only: the address being confirmed, and where this copy goes. */
  NewEmail?: string;
  SendingTo?: string;
}

export type EmailKind = "invite" | "confirmation" | "recovery" | "magic_link" | "email_change" | "reauthentication";

// GoTrue's defaults (internal/mailer/template.go).
export const defaultRecoveryTemplate = {
  subject: "Reset Your Password",
  body: `<h2>Reset Password</h2>

<p>Follow this link to reset the password for your user:</p>
<p><a href="{{ .ConfirmationURL }}">Reset Password</a></p>`,
};

const defaultTemplates: Record<EmailKind, { subject: string; body: string }> = {
  invite: {
    subject: "You have been invited",
    body: `<h2>You have been invited</h2>

<p>You have been invited to create a user on {{ .SiteURL }}. Follow this link to accept the invite:</p>
<p><a href="{{ .ConfirmationURL }}">Accept the invite</a></p>`,
  },
  confirmation: {
    subject: "Confirm Your Signup",
    body: `<h2>Confirm your signup</h2>

<p>Follow this link to confirm your user:</p>
<p><a href="{{ .ConfirmationURL }}">Confirm your mail</a></p>`,
  },
  recovery: defaultRecoveryTemplate,
  magic_link: {
    subject: "Your Magic Link",
    body: `<h2>Magic Link</h2>

<p>Follow this link to login:</p>
<p><a href="{{ .ConfirmationURL }}">Log In</a></p>`,
  },
  email_change: {
    subject: "Confirm Email Change",
    body: `<h2>Confirm email address change</h2>

<p>Follow this link to confirm the update of your email address from {{ .Email }} to {{ .NewEmail }}:</p>
<p><a href="{{ .ConfirmationURL }}">Change email address</a></p>`,
  },
  reauthentication: {
    subject: "Confirm reauthentication",
    body: `<h2>Confirm reauthentication</h2>

<p>Enter the code: {{ .Token }}</p>`,
  },
};

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => escapes[character]);
}

export function renderTemplate(template: string, data: EmailTemplateData, { html }: { html: boolean }): string {
  return template.replace(/\{\{-?\s*\.(\w+)\s*-?\}\}/g, (_match, name: string) => {
    const value = String(data[name as keyof EmailTemplateData] ?? "");
    return html ? escapeHtml(value) : value;
  });
}

/** Subject and HTML of an email of `kind`, from `[auth.email.template.<kind>]` or GoTrue's default. */
export function renderEmail(kind: EmailKind, configured: EmailTemplate | null, data: EmailTemplateData): { subject: string; html: string } {
  const fallback = defaultTemplates[kind];
  const subject = configured?.subject ?? fallback.subject;
  const body = configured?.contentPath ? readFileSync(configured.contentPath, "utf8") : fallback.body;
  return { subject: renderTemplate(subject, data, { html: false }), html: renderTemplate(body, data, { html: true }) };
}

/** Subject and HTML of the recovery email, from `[auth.email.template.recovery]` or GoTrue's default. */
export function recoveryEmail(configured: EmailTemplate | null, data: EmailTemplateData): { subject: string; html: string } {
  return renderEmail("recovery", configured, data);
}
