// The emails with links and codes that GoTrue sends (internal/api/mail.go): sign-up confirmation,
// invitation, magic link, email change and reauthentication. Each function stores the token's hash
// on the user inside the caller's transaction, as GoTrue does, and returns the emails to hand to
// the mail catcher once that transaction has committed (so a link in an email always works).
import type { AuthConfig } from "./config.ts";
import type { Queryable } from "./database.ts";
import { emailFrequencyError } from "./email-frequency.ts";
import { newOtp, tokenHash } from "./email-otp.ts";
import { renderEmail, type EmailKind } from "./email-templates.ts";
import { pkcePrefix } from "./pkce.ts";
import { localSender, type Mailbox } from "../mail/mailbox.ts";
import type { UserRow } from "./users.ts";

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
}

export interface LinkContext {
  config: AuthConfig;
  /** `<API_URL>/auth/v1`, where the links point. */
  externalUrl: string;
  /** Where /verify sends the browser afterwards (already checked against the allow-list). */
  redirectTo: string;
  /** A PKCE flow: stored tokens carry the "pkce_" prefix, and /verify answers with a code. */
  pkce?: boolean;
}

/** GoTrue's encodeRedirectURL: a redirect with "&", "=" or "#" in it is query-escaped, else kept as is. */
function encodeRedirect(redirectTo: string): string {
  return /[&=#]/.test(redirectTo) ? new URLSearchParams({ r: redirectTo }).toString().slice(2) : redirectTo;
}

/** GoTrue's GetEmailActionLink: `<external>/verify?token=<hash>&type=<type>&redirect_to=<...>`. */
export function actionLink(externalUrl: string, token: string, type: string, redirectTo: string): string {
  return `${externalUrl}/verify?token=${encodeURIComponent(token)}&type=${encodeURIComponent(type)}&redirect_to=${encodeRedirect(redirectTo)}`;
}

/** A new code and the hash stored for it (with the PKCE prefix when the flow is PKCE). */
export function newEmailToken(config: AuthConfig, email: string, pkce = false): { otp: string; hash: string } {
  const otp = newOtp(config.email.otpLength);
  return { otp, hash: (pkce ? pkcePrefix : "") + tokenHash(email, otp) };
}

function compose(kind: EmailKind, ctx: LinkContext, to: string, data: { email: string; otp: string; hash: string; type: string; newEmail?: string }): OutgoingEmail {
  const { subject, html } = renderEmail(kind, ctx.config.email.templates[kind], {
    SiteURL: ctx.config.siteUrl,
    ConfirmationURL: actionLink(ctx.externalUrl, data.hash, data.type, ctx.redirectTo),
    Email: data.email,
    Token: data.otp,
    TokenHash: data.hash,
    RedirectTo: ctx.redirectTo,
    NewEmail: data.newEmail ?? "",
    SendingTo: to,
  });
  return { to, subject, html };
}

/** sendConfirmation: the sign-up confirmation link, at most one per `max_frequency`. */
export async function sendConfirmation(tx: Queryable, user: UserRow, ctx: LinkContext): Promise<OutgoingEmail[]> {
  const tooSoon = emailFrequencyError(user.confirmation_sent_at, ctx.config.email.maxFrequency);
  if (tooSoon) throw tooSoon;
  const email = user.email ?? "";
  const { otp, hash } = newEmailToken(ctx.config, email, ctx.pkce);
  await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now(), updated_at = now() where id = ${user.id}`;
  return [compose("confirmation", ctx, email, { email, otp, hash, type: "signup" })];
}

/** sendInvite: the invitation link; no frequency limit (only admins invite). */
export async function sendInvite(tx: Queryable, user: UserRow, ctx: LinkContext): Promise<OutgoingEmail[]> {
  const email = user.email ?? "";
  const { otp, hash } = newEmailToken(ctx.config, email);
  await tx`
    update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now(), invited_at = now(), updated_at = now()
    where id = ${user.id}
  `;
  return [compose("invite", ctx, email, { email, otp, hash, type: "invite" })];
}

/** sendMagicLink: a sign-in link, sharing the recovery token and its `max_frequency` timer as GoTrue does. */
export async function sendMagicLink(tx: Queryable, user: UserRow, ctx: LinkContext): Promise<OutgoingEmail[]> {
  const tooSoon = emailFrequencyError(user.recovery_sent_at, ctx.config.email.maxFrequency);
  if (tooSoon) throw tooSoon;
  const email = user.email ?? "";
  const { otp, hash } = newEmailToken(ctx.config, email, ctx.pkce);
  await tx`update auth.users set recovery_token = ${hash}, recovery_sent_at = now(), updated_at = now() where id = ${user.id}`;
  return [compose("magic_link", ctx, email, { email, otp, hash, type: "magiclink" })];
}

/**
 * sendEmailChange: a link to the new address and, with `double_confirm_changes` (GoTrue's secure
 * email change), one to the current address too. Nothing changes until /verify confirms.
 */
export async function sendEmailChange(tx: Queryable, user: UserRow, newEmail: string, ctx: LinkContext): Promise<OutgoingEmail[]> {
  const tooSoon = emailFrequencyError(user.email_change_sent_at, ctx.config.email.maxFrequency);
  if (tooSoon) throw tooSoon;
  const current = user.email ?? "";
  const next = newEmailToken(ctx.config, newEmail, ctx.pkce);
  const old = ctx.config.email.doubleConfirmChanges && current !== "" ? newEmailToken(ctx.config, current, ctx.pkce) : null;
  await tx`
    update auth.users
    set email_change = ${newEmail}, email_change_token_new = ${next.hash}, email_change_token_current = ${old?.hash ?? ""},
        email_change_confirm_status = 0, email_change_sent_at = now(), updated_at = now()
    where id = ${user.id}
  `;
  const mails = [compose("email_change", ctx, newEmail, { email: current, otp: next.otp, hash: next.hash, type: "email_change", newEmail })];
  if (old) mails.push(compose("email_change", ctx, current, { email: current, otp: old.otp, hash: old.hash, type: "email_change", newEmail }));
  return mails;
}

/** sendReauthenticationOtp: a code (no link) for a sensitive change such as a new password. */
export async function sendReauthentication(tx: Queryable, user: UserRow, ctx: LinkContext): Promise<OutgoingEmail[]> {
  const tooSoon = emailFrequencyError(user.reauthentication_sent_at, ctx.config.email.maxFrequency);
  if (tooSoon) throw tooSoon;
  const email = user.email ?? "";
  const { otp, hash } = newEmailToken(ctx.config, email);
  await tx`update auth.users set reauthentication_token = ${hash}, reauthentication_sent_at = now(), updated_at = now() where id = ${user.id}`;
  return [compose("reauthentication", ctx, email, { email, otp, hash, type: "reauthentication" })];
}

/** Hands the emails to the stack's mail catcher (call after the transaction that stored their tokens). */
export function deliver(mail: Mailbox, emails: OutgoingEmail[]): void {
  for (const email of emails) mail.send({ from: localSender, ...email });
}
