// /admin/commands: the platform admins' audited commands — suspend or reactivate a company, resend or
// cancel an interview, close a conversation, export or erase a contact's data (LGPD) — and their log.
// Destructive commands ask for a confirmation here and a reason (the database refuses them without
// one). The database decides who may run what and records every run, failed ones too.
import { fail } from "@sveltejs/kit";
import {
  adminCommandAnswer,
  adminCommandName,
  adminCommandPage,
  destructiveAdminCommands,
} from "$schemas/admin-commands.ts";
import { adminPageError } from "$lib/server/admin";
import { ApiFailure, createApi, formFailure } from "$lib/server/api";
import { checked, optionalText, text } from "$lib/server/forms";
import type { Actions, PageServerLoad } from "./$types";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const before = Number.parseInt(event.url.searchParams.get("before") ?? "", 10);
  try {
    const log = await createApi(event).get("/admin/commands", adminCommandPage, Number.isSafeInteger(before) && before > 0 ? { before } : {});
    return { log };
  } catch (cause) {
    adminPageError(cause);
  }
};

export const actions: Actions = {
  run: async (event) => {
    const data = await event.request.formData();
    const command = adminCommandName.safeParse(text(data, "command"));
    const targetId = text(data, "target_id") ?? "";
    const reason = optionalText(data, "reason");
    const values = { command: text(data, "command") ?? "", target_id: targetId, reason: reason ?? "" };
    if (!command.success) return fail(422, { message: "Choose a command.", code: "validation_failed", fields: { command: "Is required." }, values });
    if (!uuidPattern.test(targetId)) return fail(422, { message: "Fix the fields.", code: "validation_failed", fields: { target_id: "Must be a uuid." }, values });
    if (destructiveAdminCommands.includes(command.data) && !checked(data, "confirm")) {
      return fail(422, { message: "Confirm the command.", code: "admin_command_unconfirmed", fields: { confirm: "Is required." }, values });
    }
    try {
      const answer = await createApi(event).post("/admin/commands", adminCommandAnswer, { command: command.data, target_id: targetId, reason });
      return { ran: answer.command, exported: answer.output ? JSON.stringify(answer.output, null, 2) : null };
    } catch (cause) {
      if (cause instanceof ApiFailure && cause.status === 403 && cause.code === "forbidden") adminPageError(cause);
      return formFailure(cause, values);
    }
  },
};
