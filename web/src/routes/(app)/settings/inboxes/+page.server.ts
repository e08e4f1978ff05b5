// /settings/inboxes: the company's WhatsApp numbers. Owners and admins connect one (a step-by-step
// guide per provider; the answer shows the webhook address and, for Meta, the verify token to paste,
// once), test its connection, disable or enable it, and delete it. Secrets are sent to the API and
// never shown back, not even in a refused form. They also see the replies that failed after every
// retry (dead letters, ?failed_after=<cursor> for more) and send one again or discard it.
import { connectionTest, createdInbox, inbox, inboxList, type InboxProvider } from "$schemas/inboxes.ts";
import { deadLetterOutcome, deadLetterPage } from "$schemas/dead-letters.ts";
import { can } from "$lib/capabilities";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { optionalText, typedValues } from "$lib/server/forms";
import { notice } from "$lib/notice";
import { error } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const secretFields = ["app_secret", "access_token", "instance_token", "client_token", "api_key"];

export const load: PageServerLoad = async (event) => {
  const { tenant } = await event.parent();
  const api = createApi(event);
  const cursor = event.url.searchParams.get("failed_after");
  try {
    const [inboxes, deadLetters] = await Promise.all([
      api.get("/inboxes", inboxList),
      can(tenant, "manage_inboxes") ? api.get("/dead-letters", deadLetterPage, { limit: 20, cursor: cursor || null }) : Promise.resolve(null),
    ]);
    return { inboxes: inboxes.items, deadLetters: deadLetters?.items ?? [], deadLettersNext: deadLetters?.next_cursor ?? null };
  } catch (cause) {
    pageError(cause);
  }
};

function deadLetterId(data: FormData): string {
  const id = optionalText(data, "dead_letter_id") ?? "";
  if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
  return id;
}

function inboxId(data: FormData): string {
  const id = optionalText(data, "inbox_id") ?? "";
  if (!uuidPattern.test(id)) error(404, { message: "Not found.", code: "not_found" });
  return id;
}

/** The API's body for the provider chosen in the form (absent fields left out, so the API names them). */
function connectBody(data: FormData) {
  const provider = optionalText(data, "provider") as InboxProvider | undefined;
  const field = (name: string) => optionalText(data, name);
  const common = { provider, display_name: field("display_name"), phone_number: field("phone_number") };
  switch (provider) {
    case "meta_cloud":
      return {
        ...common,
        provider_ids: { meta_phone_number_id: field("meta_phone_number_id"), meta_waba_id: field("meta_waba_id") },
        secrets: { app_secret: field("app_secret"), access_token: field("access_token") },
      };
    case "zapi":
      return {
        ...common,
        provider_ids: { zapi_instance_id: field("zapi_instance_id") },
        secrets: { instance_token: field("instance_token"), client_token: field("client_token") },
      };
    case "evolution":
      return {
        ...common,
        provider_ids: { evolution_instance_name: field("evolution_instance_name"), evolution_base_url: field("evolution_base_url") },
        secrets: { api_key: field("api_key") },
      };
    default:
      return common;
  }
}

export const actions: Actions = {
  connect: async (event) => {
    const data = await event.request.formData();
    try {
      const created = await createApi(event).post("/inboxes", createdInbox, connectBody(data));
      return { ...notice("inboxes.connected"), connected: { webhook_url: created.webhook_url, verify_token: created.verify_token, provider: created.inbox.provider } };
    } catch (cause) {
      return formFailure(cause, typedValues(data, ...secretFields), "connect");
    }
  },

  test: async (event) => {
    const data = await event.request.formData();
    try {
      const result = await createApi(event).post(`/inboxes/${inboxId(data)}/test`, connectionTest, undefined, undefined, [502, 504]);
      return notice(`inboxes.outcomes.${result.outcome}`, {}, result.ok ? "success" : "error");
    } catch (cause) {
      return formFailure(cause, {}, "test");
    }
  },

  status: async (event) => {
    const data = await event.request.formData();
    const status = optionalText(data, "status") === "disabled" ? "disabled" : "active";
    try {
      await createApi(event).patch(`/inboxes/${inboxId(data)}`, inbox, { status });
      return notice("inboxes.changed");
    } catch (cause) {
      return formFailure(cause, {}, "status");
    }
  },

  retryDeadLetter: async (event) => {
    const data = await event.request.formData();
    try {
      await createApi(event).post(`/dead-letters/${deadLetterId(data)}/retry`, deadLetterOutcome);
      return notice("inboxes.deadLetters.retried");
    } catch (cause) {
      return formFailure(cause, {}, "retryDeadLetter");
    }
  },

  discardDeadLetter: async (event) => {
    const data = await event.request.formData();
    try {
      await createApi(event).post(`/dead-letters/${deadLetterId(data)}/discard`, deadLetterOutcome);
      return notice("inboxes.deadLetters.discarded");
    } catch (cause) {
      return formFailure(cause, {}, "discardDeadLetter");
    }
  },

  delete: async (event) => {
    const data = await event.request.formData();
    try {
      await createApi(event).delete(`/inboxes/${inboxId(data)}`);
      return notice("inboxes.deleted");
    } catch (cause) {
      return formFailure(cause, {}, "delete");
    }
  },
};

