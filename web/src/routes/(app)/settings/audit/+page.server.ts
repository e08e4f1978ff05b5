// /settings/audit: the company's audit log for its owners and admins — who did what to which thing,
// and when — filtered by action, person, kind of thing and days, a page at a time. Everyone else
// gets the API's answer (403), which the page's error explains.
import { auditActions, auditLogPage, type AuditAction } from "$schemas/audit-log.ts";
import { memberPage } from "$schemas/members.ts";
import { isAuditedTable } from "$lib/audit";
import { createApi, pageError } from "$lib/server/api";
import { dayRange } from "$lib/server/date-range";
import type { PageServerLoad } from "./$types";

const pageSize = 25;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const requestedAction = params.get("action") ?? "";
  const action = (auditActions as readonly string[]).includes(requestedAction) ? (requestedAction as AuditAction) : "";
  const actorId = uuidPattern.test(params.get("actor_id") ?? "") ? params.get("actor_id")!.toLowerCase() : "";
  const tableName = isAuditedTable(params.get("table_name") ?? "") ? params.get("table_name")! : "";
  const days = dayRange(params);
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  const api = createApi(event);
  try {
    // The log first: a person who may not read it gets its 403, not a members list.
    const log = await api.get("/audit-log", auditLogPage, {
      page,
      limit: pageSize,
      action,
      actor_id: actorId,
      table_name: tableName,
      ...days.query,
    });
    const members = await api.get("/members", memberPage, { limit: 100 });
    return {
      log,
      people: members.items.map(({ user_id, full_name, email }) => ({ user_id, full_name, email })),
      everyoneListed: members.items.length >= members.total,
      filters: { action, actor_id: actorId, table_name: tableName, from: days.from, to: days.to },
    };
  } catch (cause) {
    pageError(cause);
  }
};
