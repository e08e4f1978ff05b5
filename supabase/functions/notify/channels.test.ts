// The SMS and e-mail adapters over real HTTP against the fake Twilio and Resend (their wire formats
// and error bodies): what the fake received is read back (form-encoded To/From/Body with basic auth;
// JSON with a Bearer key), and each refusal comes back in our words, never the provider's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeNotificationChannels, startFakeNotificationChannels } from "../../../tests/fixtures/index.ts";
import { egressFetch } from "../_shared/egress.ts";
import { type ChannelSettings, sendEmail, sendSms } from "./channels.ts";

let fake: FakeNotificationChannels;
let settings: ChannelSettings;
let previousAllowList: string | undefined;
const fetchImpl = () => egressFetch({ timeoutMs: 2_000, maxResponseBytes: 64 * 1024 });
const twilio = { accountSid: "AC11111111111111111111111111111111", authToken: "twilio-secret-token" };

beforeAll(async () => {
  fake = await startFakeNotificationChannels({ twilio, resendApiKey: "re_secret_key" });
  previousAllowList = process.env.EGRESS_ALLOW_PRIVATE;
  process.env.EGRESS_ALLOW_PRIVATE = new URL(fake.url).host;
  settings = {
    twilio: { apiUrl: fake.url, ...twilio, from: "+15005550006" },
    resend: { apiUrl: fake.url, apiKey: "re_secret_key", from: "Renum <avisos@renum.test>" },
    requestTimeoutMs: 1_000,
  };
});

afterAll(async () => {
  if (previousAllowList === undefined) delete process.env.EGRESS_ALLOW_PRIVATE;
  else process.env.EGRESS_ALLOW_PRIVATE = previousAllowList;
  await fake.close();
});

describe("SMS through Twilio", () => {
  it("sends To, From and Body and answers the message's sid", async () => {
    const outcome = await sendSms(settings, "+5511987654321", "Renum: um aviso", fetchImpl());
    expect(outcome).toEqual({ ok: true, providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(fake.sms.at(-1)).toEqual({ sid: (outcome as { providerId: string }).providerId, to: "+5511987654321", from: "+15005550006", body: "Renum: um aviso" });
  });

  it("classifies Twilio's refusals in our words", async () => {
    fake.scriptSms([{ status: 400 }, { status: 429 }, { status: 503 }, { status: 400, body: { code: 21610, message: "Attempt to send to unsubscribed recipient", status: 400 } }]);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await sendSms(settings, "+5511987654321", "oi", fetchImpl());
      codes.push(outcome.ok ? "sent" : outcome.failure.code);
    }
    expect(codes).toEqual(["sms_number_invalid", "rate_limited", "provider_unavailable", "sms_recipient_unsubscribed"]);
  });

  it("answers provider_credentials_invalid for a wrong token, without Twilio's words", async () => {
    const outcome = await sendSms({ ...settings, twilio: { ...settings.twilio!, authToken: "wrong" } }, "+5511987654321", "oi", fetchImpl());
    expect(outcome).toEqual({ ok: false, failure: { code: "provider_credentials_invalid", message: expect.any(String), http_status: 401 } });
    expect(JSON.stringify(outcome)).not.toContain("Authenticate");
  });

  it("is channel_not_configured without platform settings, with no request", async () => {
    const before = fake.attempts.length;
    expect(await sendSms({ ...settings, twilio: null }, "+5511987654321", "oi", fetchImpl())).toMatchObject({ ok: false, failure: { code: "channel_not_configured" } });
    expect(fake.attempts.length).toBe(before);
  });
});

describe("e-mail through Resend", () => {
  it("sends from, to, subject and text and answers the e-mail's id", async () => {
    const outcome = await sendEmail(settings, "dona@empresa.test", "Aviso", "Um texto", fetchImpl());
    expect(outcome).toEqual({ ok: true, providerId: expect.any(String) });
    expect(fake.emails.at(-1)).toMatchObject({ from: "Renum <avisos@renum.test>", to: ["dona@empresa.test"], subject: "Aviso", text: "Um texto" });
  });

  it("classifies Resend's refusals: 422 email_rejected, 403 credentials, 500 unavailable", async () => {
    expect(await sendEmail(settings, "not-an-address", "Aviso", "x", fetchImpl())).toMatchObject({ ok: false, failure: { code: "email_rejected", http_status: 422 } });
    expect(await sendEmail({ ...settings, resend: { ...settings.resend!, apiKey: "re_wrong" } }, "a@b.test", "Aviso", "x", fetchImpl()))
      .toMatchObject({ ok: false, failure: { code: "provider_credentials_invalid", http_status: 403 } });
    fake.scriptEmails([{ status: 500 }]);
    expect(await sendEmail(settings, "a@b.test", "Aviso", "x", fetchImpl())).toMatchObject({ ok: false, failure: { code: "provider_unavailable", http_status: 500 } });
  });
});
