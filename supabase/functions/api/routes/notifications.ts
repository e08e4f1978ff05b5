import {
  type Notification,
  notificationChannelParams,
  type NotificationChannelPreference,
  notificationEventParams,
  notificationListQuery,
  notificationPhoneUpdate,
  type NotificationPreference,
  notificationPreferenceUpdate,
  type NotificationRule,
  notificationRuleUpdate,
} from "../../_shared/schemas/notifications.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /notifications — who hears of what in the current tenant (X-Tenant-Id), and on which channels
 * (WhatsApp → SMS → e-mail). The database decides every rule (RLS); these answer early and clearly.
 *   GET    /notifications                      ?status&limit  recent notifications with every attempt: all of the
 *                                              company's for owners and admins, a member's own otherwise      200, 422
 *   GET    /notifications/rules                each event's rule (the default until changed)                   200
 *   PUT    /notifications/rules/:event         {enabled, roles, channels}  owners and admins (manage_members)   200, 403, 422
 *   GET    /notifications/preferences          the caller's own on/off per event                               200
 *   PUT    /notifications/preferences/:event   {enabled}  the caller's own                                     200, 422
 *   GET    /notifications/channels             the caller's own on/off per channel (WhatsApp, SMS, e-mail)     200
 *   PUT    /notifications/channels/:channel    {enabled}  the caller's own; off: left out of their notices     200, 422
 *   GET    /notifications/phone                the caller's phone for WhatsApp and SMS notices                 200
 *   PUT    /notifications/phone   {phone}  normalized to E.164; 422 validation_failed otherwise  200, 422
 *   DELETE /notifications/phone                no more WhatsApp or SMS notices (e-mail only)                   204
 */
export function notificationRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, notificationListQuery);
    const items = await c.var.asUser((tx) =>
      tx<Notification[]>`
        select n.id, n.event, n.status, n.recipient_user_id, n.channels, n.sent_channel, n.attempts, n.last_error, n.payload,
               n.created_at, n.finished_at
        from public.notifications n
        where n.tenant_id = ${c.var.tenant.id} and (${query.status ?? null}::public.notification_status is null or n.status = ${query.status ?? null})
        order by n.created_at desc, n.id
        limit ${query.limit}`
    );
    return c.json({ items: [...items] });
  });

  app.get("/rules", async (c) => {
    const items = await c.var.asUser((tx) =>
      tx<NotificationRule[]>`select * from public.notification_rules_of(${c.var.tenant.id})`
    );
    return c.json({ items: [...items] });
  });

  app.put("/rules/:event", async (c) => {
    const { event } = parseParams(c, notificationEventParams);
    const rule = await parseJsonBody(c, notificationRuleUpdate);
    requireCapability(c.var.tenant, "manage_members", "Only the company's owners and admins change who is notified.");
    const [saved] = await c.var.asUser(async (tx) => {
      await tx`
        insert into public.notification_rules (tenant_id, event, enabled, roles, channels, updated_by)
        values (${c.var.tenant.id}, ${event}, ${rule.enabled}, ${rule.roles}::public.member_role[],
                ${rule.channels}::public.notification_channel[], ${c.var.claims.sub})
        on conflict (tenant_id, event) do update
        set enabled = excluded.enabled, roles = excluded.roles, channels = excluded.channels, updated_by = excluded.updated_by`;
      return await tx<NotificationRule[]>`select * from public.notification_rules_of(${c.var.tenant.id}) r where r.event = ${event}`;
    });
    return c.json(saved);
  });

  app.get("/preferences", async (c) => {
    const items = await c.var.asUser((tx) =>
      tx<NotificationPreference[]>`
        select e.event, coalesce(p.enabled, true) as enabled
        from unnest(enum_range(null::public.notification_event)) as e(event)
        left join public.notification_preferences p
          on p.tenant_id = ${c.var.tenant.id} and p.user_id = ${c.var.claims.sub} and p.event = e.event
        order by e.event`
    );
    return c.json({ items: [...items] });
  });

  app.put("/preferences/:event", async (c) => {
    const { event } = parseParams(c, notificationEventParams);
    const { enabled } = await parseJsonBody(c, notificationPreferenceUpdate);
    await c.var.asUser((tx) =>
      tx`
        insert into public.notification_preferences (tenant_id, user_id, event, enabled)
        values (${c.var.tenant.id}, ${c.var.claims.sub}, ${event}, ${enabled})
        on conflict (tenant_id, user_id, event) do update set enabled = excluded.enabled`
    );
    return c.json({ event, enabled } satisfies NotificationPreference);
  });

  app.get("/channels", async (c) => {
    const items = await c.var.asUser((tx) =>
      tx<NotificationChannelPreference[]>`
        select ch.channel, coalesce(p.enabled, true) as enabled
        from unnest(enum_range(null::public.notification_channel)) as ch(channel)
        left join public.notification_channel_preferences p
          on p.tenant_id = ${c.var.tenant.id} and p.user_id = ${c.var.claims.sub} and p.channel = ch.channel
        order by ch.channel`
    );
    return c.json({ items: [...items] });
  });

  app.put("/channels/:channel", async (c) => {
    const { channel } = parseParams(c, notificationChannelParams);
    const { enabled } = await parseJsonBody(c, notificationPreferenceUpdate);
    await c.var.asUser((tx) =>
      tx`
        insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled)
        values (${c.var.tenant.id}, ${c.var.claims.sub}, ${channel}, ${enabled})
        on conflict (tenant_id, user_id, channel) do update set enabled = excluded.enabled`
    );
    return c.json({ channel, enabled } satisfies NotificationChannelPreference);
  });

  app.get("/phone", async (c) => {
    const [row] = await c.var.asUser((tx) => tx<{ phone: string }[]>`select phone from public.notification_contacts where user_id = ${c.var.claims.sub}`);
    return c.json({ phone: row?.phone ?? null });
  });

  app.put("/phone", async (c) => {
    const { phone } = await parseJsonBody(c, notificationPhoneUpdate);
    const [row] = await c.var.asUser((tx) =>
      tx<{ phone: string }[]>`
        insert into public.notification_contacts (user_id, phone) values (${c.var.claims.sub}, ${phone})
        on conflict (user_id) do update set phone = excluded.phone
        returning phone`
    );
    return c.json({ phone: row.phone });
  });

  app.delete("/phone", async (c) => {
    await c.var.asUser((tx) => tx`delete from public.notification_contacts where user_id = ${c.var.claims.sub}`);
    return c.body(null, 204);
  });

  return app;
}
