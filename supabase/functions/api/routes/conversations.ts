import { ApiError } from "../../_shared/errors.ts";
import {
  assignBody,
  type Conversation,
  conversationListQuery,
  type ConversationPage,
  conversationParams,
  type Message,
  messageListQuery,
  type MessagePage,
  replyBody,
} from "../../_shared/schemas/conversations.ts";
import type { TenantContext } from "../../_shared/tenant-context.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery, validationFailed } from "../../_shared/validation.ts";
import { decodeCursor, encodeCursor } from "../queries/keyset.ts";
import { containsPattern, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /conversations — the current tenant's conversations (X-Tenant-Id) and their messages.
 *   GET  /conversations                 members: ?inbox_id&status&assignee(bot|unassigned|me|<user>)  200, 422
 *                                       &search (contact name or phone)&limit&cursor; newest message
 *                                       first (keyset on last_message_at, id) → { items, next_cursor }
 *   GET  /conversations/:id             members; with customer_window_open (false: a Meta number 200, 404
 *                                       takes only templates, the contact has not written in 24 h)
 *   GET  /conversations/:id/messages    members: ?before=<message_index>&limit, newest first      200, 404, 422
 *                                       → { items, next_before }
 *   POST /conversations/:id/close       handle_conversations (closing a closed one changes nothing) 200, 403, 404
 *   POST /conversations/:id/reopen      handle_conversations                                       200, 403, 404,
 *                                                                                                  409 conversation_already_open
 *   POST /conversations/:id/assign      handle_conversations: { assignee: bot | unassigned |       200, 403, 404, 422
 *                                       member, user_id } (a member of the company)
 *   POST /conversations/:id/read        handle_conversations: unread_count back to 0               200, 403, 404
 *   POST /conversations/:id/messages    handle_conversations: { body } a reply written by the     201, 403, 404, 409 conversation_closed,
 *                                       caller (role human), delivered like the bot's; the caller 422
 *                                       takes the conversation (assignee member) → the message;
 *                                       or { template: { name, language, parameters, header?,       422 inbox_not_meta, template_not_found,
 *                                       buttons? } } on a Meta number: an approved template         template_not_approved,
 *                                       (public.reply_with_template) with exactly the values it     template_parameter_count_mismatch,
 *                                       takes — header {text} for a text header's {{1}} or          template_header_missing / _not_expected /
 *                                       {link, filename?} (https) for its image, video, document;   _invalid / _link_invalid,
 *                                       buttons [{index, value}] for a URL's end or a code to copy  template_buttons_mismatch,
 *                                       — stored as its rendered text (header line, body), sent     template_button_invalid,
 *                                       outside the 24-hour window too (named variables and         template_needs_more_parameters,
 *                                       carousels are not sendable)                                 validation_failed (a value's shape)
 *   POST /conversations/:id/takeover    handle_conversations: the caller holds it (assignee member, 200, 403, 404
 *                                       a pending one opens); the bot stops answering and a reply in
 *                                       flight is stopped
 *   POST /conversations/:id/release     handle_conversations: back to the bot (assignee bot, a     200, 403, 404
 *                                       pending one opens); the contact's next message is answered
 * Another tenant's conversation is 404, as a missing one.
 */
export function conversationRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, conversationListQuery);
    const after = decodeCursor(query.cursor, { last_message_at: "timestamp-or-null", id: "uuid" });
    const assignee = query.assignee === "me" ? c.var.claims.sub : query.assignee ?? null;
    const search = containsPattern(query.search);
    const searchDigits = query.search?.replace(/[^0-9]/g, "") ?? "";
    const page = await c.var.asUser(async (tx) => {
      const rows = await tx<{ conversation: Conversation }[]>`
        select ${conversationJson(tx)} as conversation
        from public.conversations c
        join public.contacts ct on ct.id = c.contact_id
        join public.inboxes i on i.id = c.inbox_id
        where c.tenant_id = ${c.var.tenant.id}
          and (${query.inbox_id ?? null}::uuid is null or c.inbox_id = ${query.inbox_id ?? null}::uuid)
          and (${query.status ?? null}::public.conversation_status is null or c.status = ${query.status ?? null}::public.conversation_status)
          and (${assignee}::text is null
               or (${assignee}::text in ('bot', 'unassigned') and c.assignee::text = ${assignee}::text)
               or (${assignee}::text not in ('bot', 'unassigned') and c.assignee_user_id::text = ${assignee}::text))
          and (${search}::text is null or ct.name ilike ${search}
               or (${searchDigits} <> '' and ct.phone like '%' || ${searchDigits} || '%'))
          and (${after === null}
               or (${after?.last_message_at ?? null}::timestamptz is not null
                   and (c.last_message_at < ${after?.last_message_at ?? null}::timestamptz
                        or (c.last_message_at = ${after?.last_message_at ?? null}::timestamptz and c.id > ${after?.id ?? null}::uuid)
                        or c.last_message_at is null))
               or (${after?.last_message_at ?? null}::timestamptz is null
                   and c.last_message_at is null and c.id > ${after?.id ?? null}::uuid))
        order by c.last_message_at desc nulls last, c.id
        limit ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => row.conversation);
      const last = items[items.length - 1];
      return {
        items,
        next_cursor: rows.length > query.limit ? encodeCursor({ last_message_at: last.last_message_at, id: last.id }) : null,
      };
    });
    return c.json(page satisfies ConversationPage);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const conversation = await c.var.asUser(async (tx) => {
      const visible = await visibleConversation(tx, c.var.tenant.id, id);
      // The rule the delivery claim applies (20261122001610): Meta takes free text only within 24
      // hours of the contact's last message; the others at any time.
      const [window] = await tx<{ open: boolean }[]>`
        select ${visible.inbox.provider} <> 'meta_cloud' or exists (
          select from public.messages m
          where m.conversation_id = ${id} and m.direction = 'in'
            and m.created_at > now() - interval '24 hours' and coalesce(m.sent_at, m.created_at) > now() - interval '24 hours'
        ) as open`;
      return { ...visible, customer_window_open: window.open };
    });
    return c.json(conversation satisfies Conversation);
  });

  app.get("/:id/messages", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const query = parseQuery(c, messageListQuery);
    const page = await c.var.asUser(async (tx) => {
      const conversation = await visibleConversation(tx, c.var.tenant.id, id);
      // Through the database's function, whose plan outlives this pooled transaction (20261122009800);
      // a conversation's messages are never older than it, so the months before it are skipped.
      const rows = await tx<{ message: Message }[]>`
        select ${messageJson(tx)} as message
        from public.conversation_messages(${id}, ${conversation.created_at}::timestamptz, ${query.before ?? null}::integer, ${query.limit + 1}) m
        order by m.message_index desc`;
      const items = rows.slice(0, query.limit).map((row) => row.message);
      const oldest = items[items.length - 1];
      return { items, next_before: rows.length > query.limit ? oldest.message_index : null };
    });
    return c.json(page satisfies MessagePage);
  });

  app.post("/:id/close", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, (tx) => tx`
        update public.conversations c set status = 'closed'
        where c.id = ${id} and c.tenant_id = ${c.var.tenant.id} and c.status <> 'closed'`)
    );
    return c.json(conversation satisfies Conversation);
  });

  app.post("/:id/reopen", async (c) => {
    const { id } = parseParams(c, conversationParams);
    // Another open conversation of the same inbox and contact: the database refuses (409).
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, (tx) => tx`
        update public.conversations c set status = 'open'
        where c.id = ${id} and c.tenant_id = ${c.var.tenant.id} and c.status = 'closed'`)
    );
    return c.json(conversation satisfies Conversation);
  });

  app.post("/:id/assign", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const body = await parseJsonBody(c, assignBody);
    const userId = body.assignee === "member" ? body.user_id : null;
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, async (tx) => {
        if (userId !== null) await requireMember(tx, c.var.tenant.id, userId);
        await tx`
          update public.conversations c set assignee = ${body.assignee}, assignee_user_id = ${userId}::uuid
          where c.id = ${id} and c.tenant_id = ${c.var.tenant.id}`;
      })
    );
    return c.json(conversation satisfies Conversation);
  });

  app.post("/:id/messages", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const { body, template } = await parseJsonBody(c, replyBody);
    const message = await c.var.asUser(async (tx) => {
      await visibleConversation(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "handle_conversations", "Only people who handle conversations can reply in them (analysts read them).");
      // The database checks the caller again (and the template), takes the conversation for them and queues the reply.
      const [reply] = template
        ? await tx<{ id: string }[]>`
            select public.reply_with_template(${id}, ${template.name}, ${template.language}, ${template.parameters}::text[],
                                              ${template.header ? tx.json(template.header) : null}::jsonb,
                                              ${template.buttons ? tx.json(template.buttons) : null}::jsonb) as id`
        : await tx<{ id: string }[]>`select public.reply_in_conversation(${id}, ${body ?? ""}) as id`;
      const [row] = await tx<{ message: Message }[]>`
        select ${messageJson(tx)} as message from public.messages m where m.id = ${reply.id} and m.conversation_id = ${id}`;
      return row.message;
    });
    return c.json(message satisfies Message, 201);
  });

  app.post("/:id/read", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, (tx) => tx`
        update public.conversations c set unread_count = 0
        where c.id = ${id} and c.tenant_id = ${c.var.tenant.id} and c.unread_count <> 0`)
    );
    return c.json(conversation satisfies Conversation);
  });

  // The bot pauses for this conversation until released (the turn trigger ends its open turn).
  app.post("/:id/takeover", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, (tx) => tx`
        update public.conversations c
        set assignee = 'member', assignee_user_id = (select auth.uid()),
            status = case when c.status = 'pending' then 'open'::public.conversation_status else c.status end
        where c.id = ${id} and c.tenant_id = ${c.var.tenant.id}`)
    );
    return c.json(conversation satisfies Conversation);
  });

  app.post("/:id/release", async (c) => {
    const { id } = parseParams(c, conversationParams);
    const conversation = await c.var.asUser((tx) =>
      change(tx, c.var.tenant, id, (tx) => tx`
        update public.conversations c
        set assignee = 'bot', assignee_user_id = null,
            status = case when c.status = 'pending' then 'open'::public.conversation_status else c.status end
        where c.id = ${id} and c.tenant_id = ${c.var.tenant.id}`)
    );
    return c.json(conversation satisfies Conversation);
  });

  return app;
}

/** The visible conversation, changed by `work` as the caller, answered as it is afterwards. */
async function change(
  tx: TransactionSql,
  tenant: TenantContext,
  id: string,
  work: (tx: TransactionSql) => Promise<unknown>,
): Promise<Conversation> {
  await visibleConversation(tx, tenant.id, id);
  requireCapability(tenant, "handle_conversations", "Only people who handle conversations can change them (analysts read them).");
  await work(tx);
  return visibleConversation(tx, tenant.id, id);
}

async function requireMember(tx: TransactionSql, tenantId: string, userId: string): Promise<void> {
  const [member] = await tx`select 1 from public.memberships m where m.tenant_id = ${tenantId} and m.user_id = ${userId}`;
  if (!member) {
    throw validationFailed("The request body", [{ path: "user_id", message: "Must be a member of this company." }]);
  }
}

function messageJson(tx: TransactionSql) {
  return tx`
    jsonb_build_object(
      'id', m.id, 'conversation_id', m.conversation_id, 'message_index', m.message_index,
      'direction', m.direction, 'role', m.role, 'type', m.type, 'body', m.body, 'media', m.media,
      'status', m.status, 'status_at', m.status_at, 'error', m.error, 'sent_by', m.sent_by,
      'sent_at', m.sent_at, 'created_at', m.created_at, 'template', m.metadata -> 'template')`;
}

function conversationJson(tx: TransactionSql) {
  return tx`
    to_jsonb(c) || jsonb_build_object(
      'contact', jsonb_build_object('id', ct.id, 'phone', ct.phone, 'name', ct.name, 'status', ct.status),
      'inbox', jsonb_build_object('id', i.id, 'display_name', i.display_name, 'provider', i.provider),
      'last_message', (
        select jsonb_build_object('direction', m.direction, 'type', m.type, 'body', m.body, 'status', m.status)
        from public.messages m
        where m.conversation_id = c.id and m.message_index = c.last_message_index
        limit 1))`;
}

async function visibleConversation(tx: TransactionSql, tenantId: string, id: string): Promise<Conversation> {
  const [row] = await tx<{ conversation: Conversation }[]>`
    select ${conversationJson(tx)} as conversation
    from public.conversations c
    join public.contacts ct on ct.id = c.contact_id
    join public.inboxes i on i.id = c.inbox_id
    where c.id = ${id} and c.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "not_found", "No conversation with this id in this company.");
  return row.conversation;
}
