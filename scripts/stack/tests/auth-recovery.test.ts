// Password recovery on the Auth stand-in as supabase-js drives it: resetPasswordForEmail (PKCE and
// implicit), the email caught in the stack's inbox, the link followed (verifyOtp with the token
// hash, or GoTrue's own /verify redirect and exchangeCodeForSession), the new password set with
// updateUser; and GoTrue's answers for spent, expired and unknown tokens.
import { createClient, type SupabaseClient, type SupportedStorage } from "@supabase/supabase-js";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { readAuthConfig } from "../auth/config.ts";
import { emailFrequencyError } from "../auth/email-frequency.ts";
import { isRedirectUrlValid } from "../auth/redirect-urls.ts";
import { stackEnv } from "../../test/stack-env.ts";
import { inbox, uniqueEmail } from "../../../tests/fixtures/index.ts";

const sql = postgres(stackEnv.dbUrl, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

// An origin site_url allows (same host, any port on loopback), like the web app's.
const appConfirmUrl = "http://127.0.0.1:5173/auth/confirm?next=/login/reset";

/** A client as a browser or server keeps one: its own storage, so PKCE verifiers survive between calls. */
function client(flowType: "pkce" | "implicit" = "pkce"): SupabaseClient {
  const items = new Map<string, string>();
  const storage: SupportedStorage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
  return createClient(stackEnv.apiUrl, stackEnv.anonKey, {
    auth: { flowType, storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket, which supabase-js's realtime client wants at construction.
    realtime: { transport: WebSocket as never },
  });
}

async function accountWith(password: string): Promise<string> {
  const email = uniqueEmail("user");
  const { error } = await client().auth.signUp({ email, password });
  expect(error).toBeNull();
  return email;
}

/** The link of the (only) recovery email sent to `to`, as a mail client would open it. */
async function recoveryLink(to: string): Promise<URL> {
  const [mail, ...older] = await inbox(to);
  expect(older).toEqual([]);
  const href = /<a href="([^"]+)"/.exec(mail.html)?.[1];
  expect(href).toBeDefined();
  return new URL(href!.replaceAll("&amp;", "&"));
}

async function recoveryColumns(email: string) {
  const [row] = await sql<{ recovery_token: string; recovery_sent_at: Date | null }[]>`
    select recovery_token, recovery_sent_at from auth.users where email = ${email}
  `;
  return row;
}

async function signInError(email: string, password: string): Promise<string | null> {
  const { error } = await client().auth.signInWithPassword({ email, password });
  return error?.code ?? null;
}

/** GET /auth/v1/verify as a browser follows the link: the redirect, not its target. */
async function followVerifyLink(query: Record<string, string>): Promise<URL> {
  const response = await fetch(`${stackEnv.apiUrl}/auth/v1/verify?${new URLSearchParams({ ...query, apikey: stackEnv.anonKey })}`, {
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!);
}

describe("requesting a reset", () => {
  it("emails the configured template with a link to the app's /auth/confirm and stores the token's hash", async () => {
    const email = await accountWith("first-password-1");
    const { data, error } = await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    expect(error).toBeNull();
    expect(data).toEqual({});

    const [mail] = await inbox(email);
    expect(mail).toMatchObject({ to: email, subject: "Redefina sua senha do Renum" });
    const link = await recoveryLink(email);
    expect(`${link.origin}${link.pathname}`).toBe("http://127.0.0.1:5173/auth/confirm");
    expect(link.searchParams.get("next")).toBe("/login/reset");
    expect(link.searchParams.get("type")).toBe("recovery");

    // supabase-js asked for PKCE, so the stored token carries GoTrue's prefix; the link carries it too.
    const { recovery_token, recovery_sent_at } = await recoveryColumns(email);
    expect(recovery_token).toMatch(/^pkce_[0-9a-f]{56}$/);
    expect(link.searchParams.get("token_hash")).toBe(recovery_token);
    expect(recovery_sent_at).toBeInstanceOf(Date);
    const [audit] = await sql`
      select payload->>'action' as action from auth.audit_log_entries
      where payload->>'actor_username' = ${email} order by created_at desc limit 1
    `;
    expect(audit.action).toBe("user_recovery_requested");
  });

  it("answers 200 for an address without an account, and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    const { data, error } = await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    expect(error).toBeNull();
    expect(data).toEqual({});
    expect(await inbox(email)).toEqual([]);
  });

  it("refuses a request without an address, as GoTrue does", async () => {
    const { error } = await client().auth.resetPasswordForEmail("", { redirectTo: appConfirmUrl });
    expect(error).toMatchObject({ status: 400, code: "validation_failed", message: "Password recovery requires an email" });
  });

  it("sends the same user at most one email per max_frequency, with GoTrue's 429", async () => {
    const email = await accountWith("first-password-1");
    expect((await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl })).error).toBeNull();
    // Stands for an email sent a moment ago under a one-minute max_frequency, without waiting on a clock.
    await sql`update auth.users set recovery_sent_at = now() + interval '1 minute' where email = ${email}`;
    const { error } = await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    expect(error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
    expect(error?.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    expect(await inbox(email)).toHaveLength(1);
  });
});

describe("following the link and choosing a new password", () => {
  it("verifyOtp with the token hash signs in; updateUser sets the password; the old one stops working", async () => {
    const email = await accountWith("first-password-1");
    await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const link = await recoveryLink(email);

    const browser = client();
    const events: string[] = [];
    browser.auth.onAuthStateChange((event) => void events.push(event));
    const { data, error } = await browser.auth.verifyOtp({ type: "recovery", token_hash: link.searchParams.get("token_hash")! });
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    expect(events).toContain("PASSWORD_RECOVERY");
    expect((await recoveryColumns(email)).recovery_token).toBe("");

    const { error: updateError } = await browser.auth.updateUser({ password: "second-password-2" });
    expect(updateError).toBeNull();
    expect(await signInError(email, "second-password-2")).toBeNull();
    expect(await signInError(email, "first-password-1")).toBe("invalid_credentials");
  });

  it("a spent token, an unknown one and an expired one get GoTrue's 403 otp_expired", async () => {
    const email = await accountWith("first-password-1");
    await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const tokenHash = (await recoveryLink(email)).searchParams.get("token_hash")!;
    expect((await client().auth.verifyOtp({ type: "recovery", token_hash: tokenHash })).error).toBeNull();

    const reused = await client().auth.verifyOtp({ type: "recovery", token_hash: tokenHash });
    expect(reused.error).toMatchObject({ status: 403, code: "otp_expired", message: "Email link is invalid or has expired" });
    const unknown = await client().auth.verifyOtp({ type: "recovery", token_hash: "0".repeat(56) });
    expect(unknown.error).toMatchObject({ status: 403, code: "otp_expired" });

    // A second request, then the clock moved past otp_expiry (3600 s) since it was sent.
    await sql`update auth.users set recovery_sent_at = now() - interval '2 minutes' where email = ${email}`;
    await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const [latest] = await inbox(email);
    const expiredHash = new URL(/<a href="([^"]+)"/.exec(latest.html)![1].replaceAll("&amp;", "&")).searchParams.get("token_hash")!;
    await sql`update auth.users set recovery_sent_at = now() - interval '3601 seconds' where email = ${email}`;
    const expired = await client().auth.verifyOtp({ type: "recovery", token_hash: expiredHash });
    expect(expired.error).toMatchObject({ status: 403, code: "otp_expired", message: "Email link is invalid or has expired" });
    expect((await recoveryColumns(email)).recovery_token).toBe(expiredHash);
  });

  it("a wrong emailed code is refused with GoTrue's words", async () => {
    const email = await accountWith("first-password-1");
    await client().auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const { error } = await client().auth.verifyOtp({ type: "recovery", email, token: "000000" });
    expect(error).toMatchObject({ status: 403, code: "otp_expired", message: "Token has expired or is invalid" });
  });
});

describe("GoTrue's own /verify link (the default template's ConfirmationURL)", () => {
  it("with PKCE redirects with ?code=, which exchangeCodeForSession trades once for a session", async () => {
    const email = await accountWith("first-password-1");
    const browser = client("pkce");
    await browser.auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const { recovery_token } = await recoveryColumns(email);

    const location = await followVerifyLink({ token: recovery_token, type: "recovery", redirect_to: appConfirmUrl });
    expect(`${location.origin}${location.pathname}`).toBe("http://127.0.0.1:5173/auth/confirm");
    expect(location.searchParams.get("next")).toBe("/login/reset");
    const code = location.searchParams.get("code")!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const { data, error } = await browser.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    const again = await fetch(`${stackEnv.apiUrl}/auth/v1/token?grant_type=pkce`, {
      method: "POST",
      headers: { apikey: stackEnv.anonKey, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
      body: JSON.stringify({ auth_code: code, code_verifier: "x".repeat(43) }),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: "flow_state_not_found" });
  });

  it("refuses a code presented with another verifier", async () => {
    const email = await accountWith("first-password-1");
    await client("pkce").auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const { recovery_token } = await recoveryColumns(email);
    const code = (await followVerifyLink({ token: recovery_token, type: "recovery", redirect_to: appConfirmUrl })).searchParams.get("code")!;
    const { error } = await client("pkce").auth.exchangeCodeForSession(code);
    // A client without this flow's verifier cannot even ask; a forged verifier is refused by Auth.
    expect(error?.name).toBe("AuthPKCECodeVerifierMissingError");
    const forged = await fetch(`${stackEnv.apiUrl}/auth/v1/token?grant_type=pkce`, {
      method: "POST",
      headers: { apikey: stackEnv.anonKey, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
      body: JSON.stringify({ auth_code: code, code_verifier: "y".repeat(43) }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: "bad_code_verifier" });
  });

  it("implicit: the session arrives in the fragment, with type=recovery", async () => {
    const email = await accountWith("first-password-1");
    await client("implicit").auth.resetPasswordForEmail(email, { redirectTo: appConfirmUrl });
    const { recovery_token } = await recoveryColumns(email);
    expect(recovery_token).toMatch(/^[0-9a-f]{56}$/);

    const location = await followVerifyLink({ token: recovery_token, type: "recovery", redirect_to: appConfirmUrl });
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect([...fragment.keys()]).toEqual(["access_token", "expires_at", "expires_in", "refresh_token", "token_type", "type"]);
    expect(fragment.get("type")).toBe("recovery");
    const { data, error } = await client().auth.getUser(fragment.get("access_token")!);
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
  });

  it("puts errors in the redirect as GoTrue does, and never redirects outside the allow-list", async () => {
    const spent = await followVerifyLink({ token: "f".repeat(56), type: "recovery", redirect_to: appConfirmUrl });
    expect([...spent.searchParams]).toEqual([["next", "/login/reset"]]);
    expect(new URLSearchParams(spent.hash.slice(1))).toEqual(
      new URLSearchParams({ error: "access_denied", error_code: "otp_expired", error_description: "Email link is invalid or has expired", sb: "" }),
    );
    // PKCE tokens also get the error in the query, where server-side code can read it.
    const pkce = await followVerifyLink({ token: `pkce_${"f".repeat(56)}`, type: "recovery", redirect_to: appConfirmUrl });
    expect(pkce.searchParams.get("error_code")).toBe("otp_expired");

    const elsewhere = await followVerifyLink({ token: "f".repeat(56), type: "recovery", redirect_to: "https://evil.example/steal" });
    expect(elsewhere.origin).toBe("http://127.0.0.1:5173");
  });
});

describe("rules without a stack", () => {
  const config = readAuthConfig(`
    [auth]
    site_url = "https://app.renum.dev"
    additional_redirect_urls = ["https://*.preview.renum.dev/**", "http://localhost:3000"]
    [auth.email]
    max_frequency = "1m"
    otp_expiry = 600
    [auth.email.template.recovery]
    subject = "Reset"
    content_path = "./supabase/templates/recovery.html"
  `);

  it("reads the email settings and the recovery template", () => {
    expect(config.email).toMatchObject({ maxFrequency: 60_000, otpExpiry: 600, otpLength: 6 });
    expect(config.email.recoveryTemplate?.subject).toBe("Reset");
    expect(config.email.recoveryTemplate?.contentPath).toMatch(/\/supabase\/templates\/recovery\.html$/);
    expect(readAuthConfig("").email.recoveryTemplate).toBeNull();
  });

  it("allows the site, loopback on any port, and the glob patterns; nothing else", () => {
    expect(isRedirectUrlValid(config, "https://app.renum.dev/auth/confirm?next=/x")).toBe(true);
    expect(isRedirectUrlValid(config, "http://app.renum.dev/auth/confirm")).toBe(false);
    expect(isRedirectUrlValid(config, "https://app.renum.dev:8443/")).toBe(false);
    expect(isRedirectUrlValid(config, "https://pr-12.preview.renum.dev/auth/confirm")).toBe(true);
    expect(isRedirectUrlValid(config, "https://a.b.preview.renum.dev/")).toBe(false);
    expect(isRedirectUrlValid(config, "http://localhost:3000")).toBe(true);
    expect(isRedirectUrlValid(config, "https://evil.example/?https://app.renum.dev")).toBe(false);
    expect(isRedirectUrlValid(config, "\thttps://app.renum.dev/")).toBe(false);
    const local = readAuthConfig('[auth]\nsite_url = "http://127.0.0.1:5173"');
    expect(isRedirectUrlValid(local, "http://127.0.0.1:57273/auth/confirm")).toBe(true);
  });

  it("counts the wait for another email in whole seconds, rounded down", () => {
    const sentAt = "2024-05-16 10:00:00+00";
    const sent = Date.parse("2024-05-16T10:00:00Z");
    expect(emailFrequencyError(sentAt, 60_000, sent + 500)?.message).toBe(
      "For security purposes, you can only request this after 59 seconds.",
    );
    expect(emailFrequencyError(sentAt, 60_000, sent + 60_000)).toBeNull();
    expect(emailFrequencyError(null, 60_000, sent)).toBeNull();
  });
});
