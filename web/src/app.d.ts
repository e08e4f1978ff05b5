// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, SupabaseClient, User } from "@supabase/supabase-js";
import type { Locale } from "$lib/i18n/locales";

declare global {
  namespace App {
    interface Error {
      message: string;
      /** The API's error code (`not_found`, `forbidden`, ...), when the error came from it. */
      code?: string;
      /** Another of the person's companies that holds what was asked for (see lib/server/elsewhere.ts). */
      elsewhere?: { id: string; name: string };
      /** What the person's role in the company lacks for this page (see lib/server/capability-guard.ts). */
      missing?: { capability: string; role: string };
    }
    interface Locals {
      /** A server client bound to this request's cookies (see hooks.server.ts). */
      supabase: SupabaseClient;
      /** The session from the cookie, trusted only after Supabase Auth confirms its user (getUser). */
      safeGetSession: () => Promise<{ session: Session | null; user: User | null }>;
      session: Session | null;
      user: User | null;
      locale: Locale;
      /** The company the user works in (cookie `renum-tenant`), sent to the API as X-Tenant-Id. */
      tenantId: string | null;
    }
    interface PageData {
      session: Session | null;
    }
  }
}

export {};
