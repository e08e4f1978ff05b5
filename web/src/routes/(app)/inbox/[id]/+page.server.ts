// /inbox/<id>: one conversation — its newest messages (?before=<index> for earlier ones), the
// contact, and what a handler may do: reply (and so take the conversation; on a Meta number whose
// 24-hour window is closed, with one of its approved templates), take over from the bot
// and give it back, close, reopen, assign, block the contact. The page follows
// `conversation:<id>` on Realtime and reloads this (depends "app:conversation"). Another company's
// conversation answers 404.
import { conversation, message, messagePage } from "$schemas/conversations.ts";
import { contact } from "$schemas/contacts.ts";
import { memberPage } from "$schemas/members.ts";
import { messageTemplateList } from "$schemas/message-templates.ts";
import { can } from "$lib/capabilities";
import { isSendableTemplate } from "$lib/messaging/template-preview";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { optionalText, text } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function conversationPath(id: string): string {
  if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
  return `/conversations/${id}`;
}

export const load: PageServerLoad = async (event) => {
  event.depends("app:conversation");
  const path = conversationPath(event.params.id);
  const before = Number.parseInt(event.url.searchParams.get("before") ?? "", 10);
  const api = createApi(event);
  const { tenant } = await event.parent();
  try {
    const [thread, messages, members] = await Promise.all([
      api.get(path, conversation),
      api.get(`${path}/messages`, messagePage, { limit: 50, before: Number.isInteger(before) && before > 0 ? before : null }),
      can(tenant, "handle_conversations") ? api.get("/members", memberPage, { limit: 100 }) : Promise.resolve(null),
    ]);
    // Outside Meta's 24-hour window only an approved template goes: the composer offers those Renum can send.
    const templates = thread.customer_window_open === false && can(tenant, "handle_conversations")
      ? (await api.get(`/inboxes/${thread.inbox_id}/templates`, messageTemplateList)).items.filter(isSendableTemplate)
      : [];
    return {
      thread,
      templates,
      // Oldest first, as a thread reads.
      messages: [...messages.items].reverse(),
      earlierBefore: messages.next_before,
      members: (members?.items ?? []).map((member) => ({ id: member.user_id, name: member.full_name ?? member.email ?? member.user_id })),
    };
  } catch (cause) {
    pageError(cause);
  }
};

export const actions: Actions = {
  reply: async (event) => {
    const data = await event.request.formData();
    const body = data.get("body");
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/messages`, message, { body: typeof body === "string" ? body : "" });
      return notice("inbox.reply.sent");
    } catch (cause) {
      return formFailure(cause, {}, "reply");
    }
  },
  template: async (event) => {
    const data = await event.request.formData();
    const [name, language] = (optionalText(data, "template") ?? "").split("|");
    const parameters = data.getAll("parameter").map((value) => (typeof value === "string" ? value : ""));
    // The header and button fields the composer shows only for a template that takes them.
    const headerText = text(data, "header_text");
    const headerLink = optionalText(data, "header_link");
    const headerFilename = optionalText(data, "header_filename");
    const header = headerText !== undefined
      ? { text: headerText }
      : headerLink !== undefined
      ? { link: headerLink, ...(headerFilename ? { filename: headerFilename } : {}) }
      : undefined;
    const buttons = [...data.keys()].filter((key) => /^button_[0-9]$/.test(key))
      .map((key) => ({ index: Number(key.slice("button_".length)), value: text(data, key) ?? "" }));
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/messages`, message, {
        template: { name: name ?? "", language: language ?? "", parameters, ...(header ? { header } : {}), ...(buttons.length > 0 ? { buttons } : {}) },
      });
      return notice("inbox.template.sent");
    } catch (cause) {
      return formFailure(cause, {}, "template");
    }
  },
  close: async (event) => {
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/close`, conversation);
      return notice("inbox.actions.closed");
    } catch (cause) {
      return formFailure(cause, {}, "close");
    }
  },
  reopen: async (event) => {
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/reopen`, conversation);
      return notice("inbox.actions.reopened");
    } catch (cause) {
      return formFailure(cause, {}, "reopen");
    }
  },
  assign: async (event) => {
    const data = await event.request.formData();
    const choice = optionalText(data, "assignee") ?? "";
    const body = choice === "bot" || choice === "unassigned" ? { assignee: choice } : { assignee: "member", user_id: choice };
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/assign`, conversation, body);
      return notice("inbox.actions.assigned");
    } catch (cause) {
      return formFailure(cause, {}, "assign");
    }
  },
  takeover: async (event) => {
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/takeover`, conversation);
      return notice("inbox.actions.tookOver");
    } catch (cause) {
      return formFailure(cause, {}, "takeover");
    }
  },
  release: async (event) => {
    try {
      await createApi(event).post(`${conversationPath(event.params.id)}/release`, conversation);
      return notice("inbox.actions.released");
    } catch (cause) {
      return formFailure(cause, {}, "release");
    }
  },
  block: async (event) => {
    const data = await event.request.formData();
    const contactId = optionalText(data, "contact_id") ?? "";
    try {
      if (!uuidPattern.test(contactId)) error(404, { message: "Not found.", code: "not_found" });
      await createApi(event).post(`/contacts/${contactId}/block`, contact);
      return notice("inbox.contact.blocked");
    } catch (cause) {
      return formFailure(cause, {}, "block");
    }
  },
};
