// The Auth stand-in's emailed links and codes as supabase-js drives them, answered as GoTrue answers:
// invitations (admin.inviteUserByEmail), admin.generateLink, signInWithOtp (magic link), resend,
// reauthenticate, email changes confirmed by link (secure email change), sign-up confirmation with
// `enable_confirmations` on, the identity endpoints with manual linking off, and unknown paths.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient, type SupabaseClient, type SupportedStorage } from "@supabase/supabase-js";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { repoRoot } from "../instances.ts";
import type { MailMessage } from "../mail/mailbox.ts";
import { stackEnv } from "../../test/stack-env.ts";
import { inbox, uniqueEmail } from "../../../tests/fixtures/index.ts";

const sql = postgres(stackEnv.dbUrl, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

// Where the web app sends invitees (its origin is allowed by site_url: same host, any loopback port).
const appConfirmUrl = "http://127.0.0.1:5173/auth/confirm?next=/invitations";

function client(key = stackEnv.anonKey): SupabaseClient {
  const items = new Map<string, string>();
  const storage: SupportedStorage = {
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  };
  return createClient(stackEnv.apiUrl, key, {
    auth: { flowType: "implicit", storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
}
const admin = () => client(stackEnv.serviceRoleKey).auth.admin;

async function signedIn(label: string, password = "first-password-1"): Promise<{ email: string; password: string; user: SupabaseClient }> {
  const email = uniqueEmail(label);
  const user = client();
  expect((await user.auth.signUp({ email, password })).error).toBeNull();
  return { email, password, user };
}

function linkIn(mail: MailMessage): URL {
  const href = /<a href="([^"]+)"/.exec(mail.html)?.[1];
  expect(href).toBeDefined();
  return new URL(href!.replaceAll("&amp;", "&"));
}

/** GET /auth/v1/verify as a browser follows a link: where it redirects. */
async function follow(link: URL): Promise<URL> {
  const response = await fetch(link, { redirect: "manual", headers: { apikey: stackEnv.anonKey } });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!);
}

async function userRow(email: string) {
  const [row] = await sql<{ email: string; email_change: string; email_confirmed_at: Date | null; invited_at: Date | null }[]>`
    select email, email_change, email_confirmed_at, invited_at from auth.users where lower(email) = ${email} or lower(email_change) = ${email}
  `;
  return row;
}

/** Runs `body` with one `[auth.email]` setting changed in supabase/config.toml, which Auth re-reads. */
async function withEmailSetting(name: string, value: boolean, body: () => Promise<void>): Promise<void> {
  const path = join(repoRoot, "supabase/config.toml");
  const original = readFileSync(path, "utf8");
  const changed = original.replace(new RegExp(`^${name} = (true|false)$`, "m"), `${name} = ${value}`);
  expect(changed).not.toBe(original);
  writeFileSync(path, changed);
  try {
    await body();
  } finally {
    writeFileSync(path, original);
  }
}

describe("inviting by email (POST /invite)", () => {
  it("creates an unconfirmed user and emails a link that confirms the address and signs in once", async () => {
    const email = uniqueEmail("invitee");
    const { data, error } = await admin().inviteUserByEmail(email, { redirectTo: appConfirmUrl, data: { company: "Acme" } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, user_metadata: expect.objectContaining({ company: "Acme" }) });
    expect(data.user?.invited_at).toBeTruthy();
    expect(data.user?.email_confirmed_at).toBeUndefined();

    const [mail] = await inbox(email);
    expect(mail.subject).toBe("Você foi convidado para o Renum");
    const link = linkIn(mail);
    expect(`${link.origin}${link.pathname}`).toBe("http://127.0.0.1:5173/auth/confirm");
    expect(link.searchParams.get("type")).toBe("invite");
    const tokenHash = link.searchParams.get("token_hash")!;

    const verified = await client().auth.verifyOtp({ type: "invite", token_hash: tokenHash });
    expect(verified.error).toBeNull();
    expect(verified.data.session?.user.email).toBe(email);
    expect((await userRow(email)).email_confirmed_at).toBeInstanceOf(Date);
    const again = await client().auth.verifyOtp({ type: "invite", token_hash: tokenHash });
    expect(again.error).toMatchObject({ status: 403, code: "otp_expired" });
  });

  it("refuses to invite an address whose owner already confirmed it", async () => {
    const { email } = await signedIn("member");
    const { error } = await admin().inviteUserByEmail(email, { redirectTo: appConfirmUrl });
    expect(error).toMatchObject({ status: 422, code: "email_exists" });
    expect(await inbox(email)).toEqual([]);
  });

  it("is for admins only", async () => {
    const { error } = await client().auth.admin.inviteUserByEmail(uniqueEmail("nobody"));
    expect(error).toMatchObject({ status: 403, code: "not_admin" });
  });
});

describe("generating links as an admin (POST /admin/generate_link)", () => {
  it("answers the magic link, its code and hash instead of emailing them", async () => {
    const { email } = await signedIn("generated");
    const { data, error } = await admin().generateLink({ type: "magiclink", email });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.properties).toMatchObject({ verification_type: "magiclink", redirect_to: "http://127.0.0.1:5173" });
    expect(data.properties?.email_otp).toMatch(/^\d{6}$/);
    expect(data.properties?.action_link).toBe(
      `${stackEnv.apiUrl}/auth/v1/verify?token=${data.properties?.hashed_token}&type=magiclink&redirect_to=http://127.0.0.1:5173`,
    );
    expect(await inbox(email)).toEqual([]);
    const verified = await client().auth.verifyOtp({ type: "magiclink", email, token: data.properties!.email_otp });
    expect(verified.error).toBeNull();
    expect(verified.data.session?.user.email).toBe(email);
  });

  it("signs up an unknown address asking for a magic link, and refuses recovery for one", async () => {
    const email = uniqueEmail("generated-new");
    const signup = await admin().generateLink({ type: "magiclink", email } as never);
    expect(signup.error).toBeNull();
    expect(signup.data.properties?.verification_type).toBe("signup");
    const recovery = await admin().generateLink({ type: "recovery", email: uniqueEmail("nobody") });
    expect(recovery.error).toMatchObject({ status: 404, code: "user_not_found" });
  });

  it("generates the link that confirms an email change at the new address", async () => {
    const { email } = await signedIn("changing");
    const newEmail = uniqueEmail("changed");
    const { data, error } = await admin().generateLink({ type: "email_change_new", email, newEmail });
    expect(error).toBeNull();
    expect((await userRow(email)).email_change).toBe(newEmail);
    const location = await follow(new URL(data.properties!.action_link));
    expect(location.hash).toContain("access_token=");
    expect((await userRow(newEmail)).email).toBe(newEmail);
  });
});

describe("magic links and codes (POST /otp)", () => {
  it("emails a confirmed user a sign-in link good once", async () => {
    const { email } = await signedIn("otp");
    const { error } = await client().auth.signInWithOtp({ email, options: { shouldCreateUser: false, emailRedirectTo: appConfirmUrl } });
    expect(error).toBeNull();
    const [mail] = await inbox(email);
    expect(mail.subject).toBe("Seu link de acesso ao Renum");
    const link = linkIn(mail);
    expect(link.searchParams.get("type")).toBe("magiclink");
    const verified = await client().auth.verifyOtp({ type: "magiclink", token_hash: link.searchParams.get("token_hash")! });
    expect(verified.error).toBeNull();
    expect(verified.data.session?.user.email).toBe(email);
  });

  it("refuses an unknown address when sign-ups through OTP are off, and signs one up otherwise", async () => {
    const unknown = uniqueEmail("otp-unknown");
    const refused = await client().auth.signInWithOtp({ email: unknown, options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: "otp_disabled", message: "Signups not allowed for otp" });
    expect(await userRow(unknown)).toBeUndefined();

    const created = await client().auth.signInWithOtp({ email: unknown, options: { emailRedirectTo: appConfirmUrl } });
    expect(created.error).toBeNull();
    expect((await userRow(unknown)).email).toBe(unknown);
    expect(await inbox(unknown)).toHaveLength(1);
  });

  it("refuses phone codes, which need an SMS provider", async () => {
    const { error } = await client().auth.signInWithOtp({ phone: "+5511999990000" });
    expect(error).toMatchObject({ status: 400, code: "phone_provider_disabled" });
  });
});

describe("changing the email address (PUT /user, secure email change)", () => {
  it("emails both addresses and changes nothing until a link is followed", async () => {
    const { email, password, user } = await signedIn("mover");
    const newEmail = uniqueEmail("moved");
    const { data, error } = await user.auth.updateUser({ email: newEmail }, { emailRedirectTo: appConfirmUrl });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, new_email: newEmail });
    const [toNew] = await inbox(newEmail);
    const [toOld] = await inbox(email);
    expect(toNew.subject).toBe("Confirm Email Change");
    expect(toOld.subject).toBe("Confirm Email Change");
    expect((await userRow(email)).email).toBe(email);
    expect((await client().auth.signInWithPassword({ email: newEmail, password })).error?.code).toBe("invalid_credentials");

    // Confirmations off (the CLI's default): as GoTrue, one confirmation applies the change.
    const location = await follow(linkIn(toNew));
    expect(location.hash).toContain("access_token=");
    expect((await userRow(newEmail)).email).toBe(newEmail);
    expect((await client().auth.signInWithPassword({ email: newEmail, password })).error).toBeNull();
  });

  it("with confirmations on, needs the links sent to both addresses", async () => {
    const { email, user } = await signedIn("double");
    const newEmail = uniqueEmail("double-new");
    await withEmailSetting("enable_confirmations", true, async () => {
      expect((await user.auth.updateUser({ email: newEmail }, { emailRedirectTo: appConfirmUrl })).error).toBeNull();
      const first = await follow(linkIn((await inbox(newEmail))[0]));
      expect(new URLSearchParams(first.hash.slice(1)).get("message")).toBe(
        "Confirmation link accepted. Please proceed to confirm link sent to the other email",
      );
      expect((await userRow(email)).email).toBe(email);
      const second = await follow(linkIn((await inbox(email))[0]));
      expect(second.hash).toContain("access_token=");
    });
    expect((await userRow(newEmail)).email).toBe(newEmail);
  });

  it("resends the change's links, and nothing when no change is pending", async () => {
    const { email, user } = await signedIn("resend-change");
    const newEmail = uniqueEmail("resend-new");
    expect((await client().auth.resend({ type: "email_change", email })).error).toBeNull();
    expect(await inbox(email)).toEqual([]);
    expect((await user.auth.updateUser({ email: newEmail })).error).toBeNull();
    await sql`update auth.users set email_change_sent_at = now() - interval '1 minute' where lower(email) = ${email}`;
    expect((await client().auth.resend({ type: "email_change", email })).error).toBeNull();
    expect(await inbox(newEmail)).toHaveLength(2);
  });
});

describe("sign-up confirmation (enable_confirmations)", () => {
  it("emails a link and signs in only once it is followed", async () => {
    const email = uniqueEmail("confirm");
    await withEmailSetting("enable_confirmations", true, async () => {
      const { data, error } = await client().auth.signUp({ email, password: "first-password-1", options: { emailRedirectTo: appConfirmUrl } });
      expect(error).toBeNull();
      expect(data.session).toBeNull();
      expect((await client().auth.signInWithPassword({ email, password: "first-password-1" })).error?.code).toBe("email_not_confirmed");

      const [mail] = await inbox(email);
      expect(mail.subject).toBe("Confirm Your Signup");
      // GoTrue's default template links to its own /verify, which redirects with the session.
      const location = await follow(linkIn(mail));
      expect(`${location.origin}${location.pathname}`).toBe("http://127.0.0.1:5173/auth/confirm");
      expect(location.hash).toContain("type=signup");
      expect((await userRow(email)).email_confirmed_at).toBeInstanceOf(Date);

      await sql`update auth.users set confirmation_sent_at = null where lower(email) = ${email}`;
      expect((await client().auth.resend({ type: "signup", email })).error).toBeNull();
      expect(await inbox(email)).toHaveLength(1);
    });
  });
});

describe("reauthentication (GET /reauthenticate)", () => {
  it("emails the signed-in user a code and stores its hash", async () => {
    const { email, user } = await signedIn("reauth");
    const { error } = await user.auth.reauthenticate();
    expect(error).toBeNull();
    const [mail] = await inbox(email);
    expect(mail.subject).toBe("Confirm reauthentication");
    expect(mail.html).toMatch(/Enter the code: \d{6}/);
    const [row] = await sql`select reauthentication_token from auth.users where lower(email) = ${email}`;
    expect(row.reauthentication_token).toMatch(/^[0-9a-f]{56}$/);
  });

  it("needs a signed-in user", async () => {
    const response = await fetch(`${stackEnv.apiUrl}/auth/v1/reauthenticate`, { headers: { apikey: stackEnv.anonKey } });
    expect(response.status).toBe(401);
  });
});

describe("identities with manual linking off (the CLI's default)", () => {
  it("refuses linking and unlinking with GoTrue's 404 manual_linking_disabled", async () => {
    const { user } = await signedIn("identities");
    const link = await user.auth.linkIdentity({ provider: "github", options: { skipBrowserRedirect: true } });
    expect(link.error).toMatchObject({ status: 404, code: "manual_linking_disabled", message: "Manual linking is disabled" });
    const identity = (await user.auth.getUserIdentities()).data?.identities[0];
    expect(identity).toBeDefined();
    const unlink = await user.auth.unlinkIdentity(identity!);
    expect(unlink.error).toMatchObject({ status: 404, code: "manual_linking_disabled" });
  });
});

describe("unknown paths", () => {
  it("answer 404 in GoTrue's JSON error shape", async () => {
    const response = await fetch(`${stackEnv.apiUrl}/auth/v1/no-such-endpoint`, {
      headers: { apikey: stackEnv.anonKey, "X-Supabase-Api-Version": "2024-01-01" },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ code: "not_found", message: "Path not found" });
    const initial = await fetch(`${stackEnv.apiUrl}/auth/v1/no-such-endpoint`, { headers: { apikey: stackEnv.anonKey } });
    expect(await initial.json()).toEqual({ code: 404, error_code: "not_found", msg: "Path not found" });
  });
});
