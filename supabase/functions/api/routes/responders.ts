import type { Hono } from "hono";
import {
  type AppliedResponder,
  type ResponderSettings,
  responderSettingsBody,
  type ResponderSettingsBody,
  type ResponderSource,
} from "../../_shared/schemas/responders.ts";
import { inboxParams } from "../../_shared/schemas/inboxes.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { requireCapability, type RouteDependencies, type RouteEnv, routes } from "./context.ts";

/**
 * Who answers an inbox's contacts and when (public.responder_settings): an inbox's own settings,
 * else the company's default, else the built-in ones with nobody answering. Every answer is
 * { source: "inbox" | "company" | "built_in", settings } — the settings that apply and whose they are.
 *   GET    /inboxes/:id/responder     members                                                200, 404
 *   PUT    /inboxes/:id/responder     manage_inboxes: { team_id, time_zone?, business_hours?,  200, 403, 404, 422
 *                                     out_of_hours_reply?, handoff_keywords?, max_bot_turns?,
 *                                     debounce_ms?, history_messages?, opt_out_words?,
 *                                     opt_in_words? } (all replaced; a field left out takes its
 *                                     built-in default)
 *   DELETE /inboxes/:id/responder     manage_inboxes: the inbox follows the company default again 200, 403, 404
 *   GET    /responder-defaults        members: the company default                           200
 *   PUT    /responder-defaults        manage_inboxes: as PUT /inboxes/:id/responder           200, 403, 422
 *   DELETE /responder-defaults        manage_inboxes: no default (nobody answers inboxes        200, 403
 *                                     without settings of their own)
 * Another tenant's inbox is 404, as a missing one; another tenant's team is 422.
 */
export function addInboxResponderRoutes(app: Hono<RouteEnv>, visibleInbox: (tx: TransactionSql, tenantId: string, id: string) => Promise<unknown>) {
  app.get("/:id/responder", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const applied = await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      return appliedSettings(tx, c.var.tenant.id, id);
    });
    return c.json(applied satisfies AppliedResponder);
  });

  app.put("/:id/responder", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const body = await parseJsonBody(c, responderSettingsBody);
    const applied = await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", refusal);
      await writeSettings(tx, c.var.tenant.id, id, body);
      return appliedSettings(tx, c.var.tenant.id, id);
    });
    return c.json(applied satisfies AppliedResponder);
  });

  app.delete("/:id/responder", async (c) => {
    const { id } = parseParams(c, inboxParams);
    const applied = await c.var.asUser(async (tx) => {
      await visibleInbox(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", refusal);
      await tx`delete from public.responder_settings s where s.tenant_id = ${c.var.tenant.id} and s.inbox_id = ${id}`;
      return appliedSettings(tx, c.var.tenant.id, id);
    });
    return c.json(applied satisfies AppliedResponder);
  });
}

/** /responder-defaults — the company's default settings (see addInboxResponderRoutes). */
export function responderDefaultRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const applied = await c.var.asUser((tx) => appliedSettings(tx, c.var.tenant.id, null));
    return c.json(applied satisfies AppliedResponder);
  });

  app.put("/", async (c) => {
    const body = await parseJsonBody(c, responderSettingsBody);
    requireCapability(c.var.tenant, "manage_inboxes", refusal);
    const applied = await c.var.asUser(async (tx) => {
      await writeSettings(tx, c.var.tenant.id, null, body);
      return appliedSettings(tx, c.var.tenant.id, null);
    });
    return c.json(applied satisfies AppliedResponder);
  });

  app.delete("/", async (c) => {
    requireCapability(c.var.tenant, "manage_inboxes", refusal);
    const applied = await c.var.asUser(async (tx) => {
      await tx`delete from public.responder_settings s where s.tenant_id = ${c.var.tenant.id} and s.inbox_id is null`;
      return appliedSettings(tx, c.var.tenant.id, null);
    });
    return c.json(applied satisfies AppliedResponder);
  });

  return app;
}

const refusal = "Only the company's owners and admins can change who answers an inbox.";

/** What applies when there are no settings at all (private.responder_settings_for_inbox's last case). */
export const builtInResponderSettings: ResponderSettings = {
  team_id: null,
  time_zone: "America/Sao_Paulo",
  business_hours: null,
  out_of_hours_reply: null,
  handoff_keywords: ["atendente", "humano", "human", "agent"],
  max_bot_turns: 10,
  debounce_ms: 3000,
  history_messages: 20,
  opt_out_words: ["sair", "parar", "stop", "cancelar"],
  opt_in_words: ["voltar", "start"],
  updated_at: null,
};

/** The settings an inbox follows (inboxId null: the company default's), and whose they are. */
async function appliedSettings(tx: TransactionSql, tenantId: string, inboxId: string | null): Promise<AppliedResponder> {
  const [row] = await tx<{ own: boolean; settings: ResponderSettings }[]>`
    select s.inbox_id is not null as own,
           jsonb_build_object('team_id', s.team_id, 'time_zone', s.time_zone, 'business_hours', s.business_hours,
             'out_of_hours_reply', s.out_of_hours_reply, 'handoff_keywords', to_jsonb(s.handoff_keywords),
             'max_bot_turns', s.max_bot_turns, 'debounce_ms', s.debounce_ms, 'history_messages', s.history_messages,
             'opt_out_words', to_jsonb(s.opt_out_words), 'opt_in_words', to_jsonb(s.opt_in_words),
             'updated_at', to_jsonb(s.updated_at) #>> '{}') as settings
    from public.responder_settings s
    where s.tenant_id = ${tenantId} and (s.inbox_id = ${inboxId} or s.inbox_id is null)
    order by s.inbox_id nulls last
    limit 1`;
  if (!row) return { source: "built_in", settings: builtInResponderSettings };
  const source: ResponderSource = row.own ? "inbox" : "company";
  return { source, settings: row.settings };
}

/** Replaces the inbox's settings (inboxId null: the company default's), creating them if need be. */
async function writeSettings(tx: TransactionSql, tenantId: string, inboxId: string | null, body: ResponderSettingsBody): Promise<void> {
  const values = tx.json(body as never);
  const columns = tx`(tenant_id, inbox_id, team_id, time_zone, business_hours, out_of_hours_reply, handoff_keywords,
                      max_bot_turns, debounce_ms, history_messages, opt_out_words, opt_in_words)`;
  const chosen = tx`select ${tenantId}::uuid, ${inboxId}::uuid, r.team_id, r.time_zone, r.business_hours, r.out_of_hours_reply,
                           r.handoff_keywords, r.max_bot_turns, r.debounce_ms, r.history_messages, r.opt_out_words, r.opt_in_words
                    from jsonb_populate_record(null::public.responder_settings, ${values}) r`;
  const replace = tx`do update set team_id = excluded.team_id, time_zone = excluded.time_zone, business_hours = excluded.business_hours,
                       out_of_hours_reply = excluded.out_of_hours_reply, handoff_keywords = excluded.handoff_keywords,
                       max_bot_turns = excluded.max_bot_turns, debounce_ms = excluded.debounce_ms,
                       history_messages = excluded.history_messages, opt_out_words = excluded.opt_out_words,
                       opt_in_words = excluded.opt_in_words`;
  if (inboxId === null) {
    await tx`insert into public.responder_settings ${columns} ${chosen} on conflict (tenant_id) where inbox_id is null ${replace}`;
  } else {
    await tx`insert into public.responder_settings ${columns} ${chosen} on conflict (inbox_id) where inbox_id is not null ${replace}`;
  }
}
