// A link to another of the person's companies (a run shared in a chat, say) answers 404 in the
// current one. Before saying "not found", ask each of their other companies: when one holds it,
// the error page offers to switch there. Only the person's own memberships are asked, with their
// own token, so nothing about companies they are not in is revealed.
import type { Cookies } from "@sveltejs/kit";
import type { z } from "zod";
import { ApiFailure, createApi, currentTenants, type ApiEvent } from "./api";

export interface Elsewhere {
  id: string;
  name: string;
}

/** The API client of `event`, asking in `tenantId` without remembering it as the current company. */
function askingIn(event: ApiEvent, tenantId: string) {
  const cookies = { ...event.cookies, set: () => {}, delete: () => {} } as Cookies;
  return createApi({ ...event, cookies, locals: { ...event.locals, tenantId } });
}

/** The first other company of the person's that answers `path`, or null. */
export async function companyHolding(event: ApiEvent, path: string, schema: z.ZodType): Promise<Elsewhere | null> {
  const { tenants, current } = await currentTenants(event);
  for (const tenant of tenants) {
    if (tenant.id === current?.id) continue;
    try {
      await askingIn(event, tenant.id).get(path, schema);
      return { id: tenant.id, name: tenant.name };
    } catch (cause) {
      if (cause instanceof ApiFailure && (cause.status === 404 || cause.status === 403)) continue;
      throw cause;
    }
  }
  return null;
}
