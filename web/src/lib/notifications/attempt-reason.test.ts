import { describe, expect, it } from "vitest";
import { attemptReason } from "./attempt-reason";
import { notificationsEn } from "$lib/i18n/messages/notifications.en";
import { notificationsPtBR } from "$lib/i18n/messages/notifications.pt-BR";

describe("attemptReason", () => {
  it("names the codes the notify function records, and nothing else", () => {
    expect(attemptReason("recipient_unreachable")).toBe("recipient_unreachable");
    expect(attemptReason("delivery_interrupted")).toBe("delivery_interrupted");
    expect(attemptReason("(#131026) Message Undeliverable.")).toBe("unknown");
    expect(attemptReason(undefined)).toBe("unknown");
  });

  it("has words for every reason in both languages", () => {
    for (const code of ["recipient_unreachable", "channel_not_configured", "email_rejected", "sms_number_invalid", "sms_recipient_unsubscribed",
      "provider_credentials_invalid", "provider_unavailable", "provider_timeout", "provider_unreachable", "provider_rejected_message",
      "provider_address_not_allowed", "rate_limited", "delivery_interrupted", "unknown"]) {
      expect(attemptReason(code) === code || code === "unknown").toBe(true);
      expect(notificationsPtBR.notifications.reasons[code as keyof typeof notificationsPtBR.notifications.reasons], code).toBeTruthy();
      expect(notificationsEn.notifications.reasons[code as keyof typeof notificationsEn.notifications.reasons], code).toBeTruthy();
    }
  });
});
