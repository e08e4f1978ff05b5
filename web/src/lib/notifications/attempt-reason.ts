// Why a notice's channel did not take it, as the key of its words (notifications.reasons.<code>):
// the attempt's code (supabase/functions/notify/channels.ts and notification-pass.ts, the queue's
// reaper), or "unknown" for anything else. The provider's own text never reaches the app.
const knownCodes = new Set([
  "recipient_unreachable",
  "channel_not_configured",
  "email_rejected",
  "sms_number_invalid",
  "sms_recipient_unsubscribed",
  "provider_credentials_invalid",
  "provider_unavailable",
  "provider_timeout",
  "provider_unreachable",
  "provider_rejected_message",
  "provider_address_not_allowed",
  "rate_limited",
  "delivery_interrupted",
]);

export function attemptReason(code: string | undefined): string {
  return code && knownCodes.has(code) ? code : "unknown";
}
