import { ApiError } from "./errors.ts";

/**
 * Invitation e-mails, sent by Supabase Auth so production needs no mail service of its own: a new
 * address gets Auth's invitation (`auth.admin.inviteUserByEmail`, POST /auth/v1/invite), an address
 * that already has an account a magic link (`signInWithOtp` without sign-up, POST /auth/v1/otp).
 * Both carry `redirect_to` = <web app>/auth/confirm?next=/invitations/<id>?token=<token>: the
 * templates in supabase/templates link there with the token hash, so opening the e-mail signs the
 * owner of the address in and shows the invitation, whose token only that e-mail ever carried.
 */
export interface InvitationMail {
  email: string;
  invitationId: string;
  /** The one-time token from public.issue_invitation_token. */
  token: string;
  tenantName: string;
}

export type SendInvitationMail = (mail: InvitationMail) => Promise<void>;

export interface AuthMailerConfig {
  /** SUPABASE_URL. */
  supabaseUrl: string;
  /** SUPABASE_SERVICE_ROLE_KEY: inviting is an Auth admin call. */
  serviceRoleKey: string;
  /** WEB_URL: where the web app is served, an allowed redirect of the Auth project. */
  webUrl: string;
}

/** The web app's page for one invitation, reached after /auth/confirm has signed the person in. */
export function invitationPath(invitationId: string, token: string): string {
  return `/invitations/${invitationId}?${new URLSearchParams({ token })}`;
}

export function invitationRedirect(webUrl: string, invitationId: string, token: string): string {
  return `${webUrl.replace(/\/+$/, "")}/auth/confirm?${new URLSearchParams({ next: invitationPath(invitationId, token) })}`;
}

interface AuthErrorBody {
  code?: string | number;
  error_code?: string;
}

async function authErrorCode(answer: Response): Promise<string> {
  const body = (await answer.json().catch(() => ({}))) as AuthErrorBody;
  return body.error_code ?? (typeof body.code === "string" ? body.code : "");
}

export function authInvitationMailer({ supabaseUrl, serviceRoleKey, webUrl }: AuthMailerConfig): SendInvitationMail {
  const post = (path: string, redirectTo: string, body: unknown) =>
    fetch(`${supabaseUrl}/auth/v1${path}?${new URLSearchParams({ redirect_to: redirectTo })}`, {
      method: "POST",
      headers: {
        apikey: serviceRoleKey,
        Authorization: `Bearer ${serviceRoleKey}`,
        "Content-Type": "application/json",
        "X-Supabase-Api-Version": "2024-01-01",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });

  return async ({ email, invitationId, token, tenantName }) => {
    const redirectTo = invitationRedirect(webUrl, invitationId, token);
    let answer = await post("/invite", redirectTo, { email, data: { invited_to: tenantName } });
    if (answer.status === 422 && (await authErrorCode(answer)) === "email_exists") {
      answer = await post("/otp", redirectTo, { email, create_user: false });
    }
    if (answer.ok) {
      await answer.body?.cancel();
      return;
    }
    const code = await authErrorCode(answer);
    if (answer.status === 429) {
      throw new ApiError(429, "invitation_email_rate_limited", "An e-mail was sent to this address moments ago. Try again in a minute.", {
        headers: { "Retry-After": "60" },
      });
    }
    console.warn(JSON.stringify({ level: "warn", msg: "invitation e-mail refused by Auth", status: answer.status, code }));
    throw new ApiError(502, "invitation_email_failed", "The invitation e-mail could not be sent. Try again later.");
  };
}

/** For an API built without Auth at hand (unit tests): inviting answers 503. */
export const noInvitationMail: SendInvitationMail = () => {
  throw new ApiError(503, "invitation_email_unavailable", "Invitation e-mails are not configured.");
};
