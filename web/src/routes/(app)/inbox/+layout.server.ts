// /inbox: the company's WhatsApp conversations, newest message first, filtered by number, status,
// assignee and the contact's name or phone (the URL's query, kept when a conversation is opened).
// Opening one (/inbox/<id>) marks it read first, so the list beside it shows it read. The page
// follows the numbers' Realtime topics and reloads this (depends "app:inbox") when something changes.
import { conversationPage, conversationStatus } from "$schemas/conversations.ts";
import { inboxList } from "$schemas/inboxes.ts";
import { conversation } from "$schemas/conversations.ts";
import { can } from "$lib/capabilities";
import { ApiFailure, createApi, pageError } from "$lib/server/api";
import type { LayoutServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: LayoutServerLoad = async (event) => {
  event.depends("app:inbox");
  const { tenant } = await event.parent();
  const params = event.url.searchParams;
  const inboxId = uuidPattern.test(params.get("inbox_id") ?? "") ? params.get("inbox_id")!.toLowerCase() : "";
  const status = conversationStatus.safeParse(params.get("status")).data ?? "";
  const assigneeParam = params.get("assignee") ?? "";
  const assignee = ["bot", "unassigned", "me"].includes(assigneeParam) ? assigneeParam : "";
  const search = (params.get("search") ?? "").trim().slice(0, 100);
  const cursor = (params.get("cursor") ?? "").slice(0, 200);
  const api = createApi(event);
  const openId = event.params.id && uuidPattern.test(event.params.id) ? event.params.id : null;
  if (openId && can(tenant, "handle_conversations")) {
    // Not found here is the thread page's to answer.
    await api.post(`/conversations/${openId}/read`, conversation).catch((cause: unknown) => {
      if (!(cause instanceof ApiFailure) || cause.status !== 404) throw cause;
    });
  }
  try {
    const [inboxes, conversations] = await Promise.all([
      api.get("/inboxes", inboxList),
      api.get("/conversations", conversationPage, {
        inbox_id: inboxId || null,
        status: status || null,
        assignee: assignee || null,
        search: search || null,
        cursor: cursor || null,
        limit: 30,
      }),
    ]);
    return {
      inboxes: inboxes.items.map(({ id, display_name, provider, status }) => ({ id, display_name, provider, status })),
      conversations,
      filters: { inbox_id: inboxId, status, assignee, search },
      cursor,
    };
  } catch (cause) {
    pageError(cause);
  }
};
