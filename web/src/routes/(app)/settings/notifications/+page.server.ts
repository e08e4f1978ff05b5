// /settings/notifications: who hears of what in the current company (#13), over the API's
// /notifications. Everyone sets their own phone for WhatsApp and SMS notices (e-mail goes to their
// account's address) and turns each event's notices, and each channel, off or on for themselves
// (a channel off is left out of their notices; the rule's others keep their order); owners and admins
// (manage_members) also set the company's rule per event: on or off, which roles get it, and the
// channels tried in order. The others see the rules read-only, as the API refuses them (403).
// Below, the recent notices — the company's for owners and admins, one's own for the others — with
// each channel's outcome in words.
import {
  notificationChannelPreference,
  notificationChannelPreferenceList,
  notificationChannels,
  notificationEvents,
  notificationList,
  notificationPhone,
  notificationPreference,
  notificationPreferenceList,
  notificationRule,
  notificationRuleList,
  type NotificationPreference,
} from "$schemas/notifications.ts";
import { memberRoles } from "$schemas/tenants.ts";
import { memberPage } from "$schemas/members.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { all, checked, optionalText, text, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const api = createApi(event);
  try {
    const [phone, preferences, channels, rules, recent, members] = await Promise.all([
      api.get("/notifications/phone", notificationPhone),
      api.get("/notifications/preferences", notificationPreferenceList),
      api.get("/notifications/channels", notificationChannelPreferenceList),
      api.get("/notifications/rules", notificationRuleList),
      // The company's for owners and admins, the person's own otherwise (the API and RLS decide).
      api.get("/notifications", notificationList, { limit: 20 }),
      api.get("/members", memberPage, { limit: 100 }),
    ]);
    return {
      me: event.locals.user?.id ?? null,
      recent: recent.items,
      people: members.items.map(({ user_id, full_name, email }) => ({ user_id, full_name, email })),
      phone: phone.phone,
      email: event.locals.user?.email ?? null,
      preferences: preferences.items,
      channels: channels.items,
      rules: rules.items,
    };
  } catch (cause) {
    pageError(cause);
  }
};

/** The event a form names, or 404 (a hand-made request). */
function eventOf(data: FormData): (typeof notificationEvents)[number] {
  const event = optionalText(data, "event") ?? "";
  if (!(notificationEvents as readonly string[]).includes(event)) error(404, { message: "Not found.", code: "not_found" });
  return event as (typeof notificationEvents)[number];
}

export const actions: Actions = {
  phone: async (event) => {
    const data = await event.request.formData();
    try {
      const phone = text(data, "phone")?.trim() ?? "";
      if (phone === "") {
        await createApi(event).delete("/notifications/phone");
        return notice("notifications.phoneRemoved");
      }
      await createApi(event).put("/notifications/phone", notificationPhone, { phone });
      return notice("notifications.phoneSaved");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "phone");
    }
  },

  preferences: async (event) => {
    const data = await event.request.formData();
    const api = createApi(event);
    try {
      // Only what changed: one PUT per event or channel whose box moved.
      const [events, channels] = await Promise.all([
        api.get("/notifications/preferences", notificationPreferenceList),
        api.get("/notifications/channels", notificationChannelPreferenceList),
      ]);
      const wanted: NotificationPreference[] = notificationEvents.map((name) => ({ event: name, enabled: checked(data, `event_${name}`) }));
      const changed = wanted.filter((want) => events.items.find((item) => item.event === want.event)?.enabled !== want.enabled);
      for (const change of changed) await api.put(`/notifications/preferences/${change.event}`, notificationPreference, { enabled: change.enabled });
      for (const channel of notificationChannels) {
        const enabled = checked(data, `channel_${channel}`);
        if (channels.items.find((item) => item.channel === channel)?.enabled === enabled) continue;
        await api.put(`/notifications/channels/${channel}`, notificationChannelPreference, { enabled });
      }
      return notice("notifications.preferencesSaved");
    } catch (cause) {
      return formFailure(cause, {}, "preferences");
    }
  },

  rule: async (event) => {
    const data = await event.request.formData();
    const name = eventOf(data);
    const roles = all(data, "roles").filter((role) => (memberRoles as readonly string[]).includes(role));
    // Channels in the order chosen; "none" leaves a place empty. Repeats go to the API, which names them.
    const channels = [1, 2, 3]
      .map((place) => optionalText(data, `channel_${place}`))
      .filter((channel): channel is string => channel !== undefined && (notificationChannels as readonly string[]).includes(channel));
    try {
      await createApi(event).put(`/notifications/rules/${name}`, notificationRule, { enabled: checked(data, "enabled"), roles, channels });
      return notice("notifications.ruleSaved", { event: `notifications.events.${name}` }, "success", ["event"]);
    } catch (cause) {
      return formFailure(cause, { ...typedValues(data), roles: roles.join(","), enabled: checked(data, "enabled") ? "on" : "" }, `rule-${name}`);
    }
  },
};
