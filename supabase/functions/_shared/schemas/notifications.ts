// Notifications with fallback (#13): /notifications — the company's rules, each member's own
// opt-outs and phone, and the recent notifications with every attempt.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { timestamp } from "./common.ts";
import { memberRole } from "./tenants.ts";

export const notificationEvents = Constants.public.Enums.notification_event;
export const notificationChannels = Constants.public.Enums.notification_channel;
export const notificationStatuses = Constants.public.Enums.notification_status;
export const notificationEvent = z.enum(notificationEvents);
export const notificationChannel = z.enum(notificationChannels);
export const notificationStatus = z.enum(notificationStatuses);

export const notificationRule = z.object({
  event: notificationEvent,
  enabled: z.boolean(),
  roles: z.array(memberRole),
  channels: z.array(notificationChannel),
  /** True while the company has not changed the platform's default for the event. */
  is_default: z.boolean(),
  updated_at: timestamp().nullable(),
});
export type NotificationRule = z.infer<typeof notificationRule>;
export const notificationRuleList = z.object({ items: z.array(notificationRule) });

const distinct = (items: readonly string[]) => new Set(items).size === items.length;
export const notificationRuleUpdate = z.strictObject({
  enabled: z.boolean(),
  roles: z.array(memberRole).min(1).max(4).refine(distinct, "Name each role once."),
  channels: z.array(notificationChannel).min(1).max(3).refine(distinct, "Name each channel once."),
});
export const notificationEventParams = z.strictObject({ event: notificationEvent });

export const notificationPreference = z.object({ event: notificationEvent, enabled: z.boolean() });
export type NotificationPreference = z.infer<typeof notificationPreference>;
export const notificationPreferenceList = z.object({ items: z.array(notificationPreference) });
export const notificationPreferenceUpdate = z.strictObject({ enabled: z.boolean() });

/** A member's own on/off per channel in the company (off: left out of every notice to them). */
export const notificationChannelPreference = z.object({ channel: notificationChannel, enabled: z.boolean() });
export type NotificationChannelPreference = z.infer<typeof notificationChannelPreference>;
export const notificationChannelPreferenceList = z.object({ items: z.array(notificationChannelPreference) });
export const notificationChannelParams = z.strictObject({ channel: notificationChannel });

/** The caller's own phone for WhatsApp and SMS notices (E.164 once stored; null when none). */
export const notificationPhone = z.object({ phone: z.string().nullable() });
export const notificationPhoneUpdate = z.strictObject({ phone: z.string().trim().min(8).max(32) });

export const notificationAttempt = z.object({
  channel: notificationChannel,
  outcome: z.enum(["sent", "failed", "skipped"]),
  code: z.string().optional(),
  message: z.string().optional(),
  http_status: z.number().int().nullable().optional(),
  provider_id: z.string().nullable().optional(),
  at: z.string(),
});
export const notification = z.object({
  id: z.string(),
  event: notificationEvent,
  status: notificationStatus,
  recipient_user_id: z.string().nullable(),
  channels: z.array(notificationChannel),
  sent_channel: notificationChannel.nullable(),
  attempts: z.array(notificationAttempt),
  last_error: z.record(z.string(), z.unknown()).nullable(),
  payload: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
  finished_at: timestamp().nullable(),
});
export type Notification = z.infer<typeof notification>;
export const notificationList = z.object({ items: z.array(notification) });
export const notificationListQuery = z.strictObject({
  status: notificationStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
