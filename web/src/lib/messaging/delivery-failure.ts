// Why a reply was not delivered, as the key of its words (inbox.failureReasons.<code>): the
// delivery's reason code (supabase/functions/outbound/provider-send.ts, the queue's reaper), or
// "unknown" for anything else. The provider's own text never reaches the app.
const knownCodes = new Set([
  "rate_limited",
  "provider_unavailable",
  "provider_timeout",
  "provider_unreachable",
  "provider_credentials_invalid",
  "provider_permission_denied",
  "recipient_not_on_whatsapp",
  "outside_customer_window",
  "provider_instance_not_found",
  "provider_address_not_allowed",
  "provider_rejected_message",
  "provider_answer_unreadable",
  "delivery_interrupted",
]);

export function deliveryFailureReason(error: unknown): string {
  const code = error && typeof error === "object" ? (error as { code?: unknown }).code : null;
  return typeof code === "string" && knownCodes.has(code) ? code : "unknown";
}
