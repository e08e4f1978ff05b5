// Who answers an inbox's contacts and when: /inboxes/:id/responder and /responder-defaults. The
// database (20261122001700_responder_settings) holds the same rules in CHECKs; these refuse bad
// input first, with the field's path.
import { z } from "zod";
import { storableString, text, uuid } from "./common.ts";

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof weekdays)[number];

const opens = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const closes = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** One open period of a day: ["09:00", "18:00"] (HH:MM, opens before it closes; "24:00" is midnight). */
const period = z.tuple([
  z.string().regex(opens, { error: "Must be a time as HH:MM (00:00 to 23:59)." }),
  z.string().regex(closes, { error: "Must be a time as HH:MM (00:01 to 24:00)." }),
]).refine(([from, to]) => from < to, { error: "Must open before it closes." });

/** Business hours: per weekday at most 4 open periods; a day left out is closed all day. */
export const businessHours = z.strictObject(
  Object.fromEntries(weekdays.map((day) => [day, z.array(period).max(4, { error: "At most 4 periods a day." }).optional()])) as Record<
    Weekday,
    z.ZodOptional<z.ZodArray<typeof period>>
  >,
);
export type BusinessHours = z.infer<typeof businessHours>;

/** True for a time zone name the runtime knows (IANA, e.g. America/Sao_Paulo). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const words = (what: string) =>
  z.array(text(64)).max(50, { error: `At most 50 ${what}.` });

/** Lower case, accents off, punctuation around trimmed: as private.fold_word compares opt words. */
export function foldWord(word: string): string {
  return word.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/^[\s.,;:!?¡¿"'()*_~-]+|[\s.,;:!?¡¿"'()*_~-]+$/g, "");
}

/**
 * The settings as written (PUT replaces all of them; a field left out takes the built-in default
 * below). team_id null: nobody answers, people only.
 */
export const responderSettingsBody = z.strictObject({
  team_id: uuid().nullable(),
  time_zone: z.string().max(64, { error: "Must have at most 64 characters." })
    .refine(isTimeZone, { error: "Must be a time zone name such as America/Sao_Paulo." }).default("America/Sao_Paulo"),
  /** null: the bot answers at any hour. */
  business_hours: businessHours.nullable().default(null),
  /** Sent once when a contact writes outside business hours; null: nothing is sent. */
  out_of_hours_reply: storableString().trim().min(1, { error: "Must not be empty (send null for no reply)." })
    .max(4096, { error: "Must have at most 4096 characters." }).nullable().default(null),
  handoff_keywords: words("keywords").default(["atendente", "humano", "human", "agent"]),
  max_bot_turns: z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(1000, { error: "Must be at most 1000." }).default(10),
  debounce_ms: z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(0, { error: "Must be at least 0." }).max(60000, { error: "Must be at most 60000." }).default(3000),
  history_messages: z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(100, { error: "Must be at most 100." }).default(20),
  opt_out_words: words("words").default(["sair", "parar", "stop", "cancelar"]),
  opt_in_words: words("words").default(["voltar", "start"]),
}).superRefine((body, context) => {
  const out = new Set(body.opt_out_words.map(foldWord));
  body.opt_in_words.forEach((word, index) => {
    if (out.has(foldWord(word))) {
      context.addIssue({ code: "custom", path: ["opt_in_words", index], message: "Is also an opt-out word." });
    }
  });
  for (const key of ["opt_out_words", "opt_in_words"] as const) {
    body[key].forEach((word, index) => {
      if (foldWord(word) === "") context.addIssue({ code: "custom", path: [key, index], message: "Must have a letter or a digit." });
    });
  }
});
export type ResponderSettingsBody = z.infer<typeof responderSettingsBody>;

/** The settings that apply, and whose they are. */
export const responderSettings = z.object({
  team_id: z.string().nullable(),
  time_zone: z.string(),
  business_hours: businessHours.nullable(),
  out_of_hours_reply: z.string().nullable(),
  handoff_keywords: z.array(z.string()),
  max_bot_turns: z.number(),
  debounce_ms: z.number(),
  history_messages: z.number(),
  opt_out_words: z.array(z.string()),
  opt_in_words: z.array(z.string()),
  updated_at: z.string().nullable(),
});
export type ResponderSettings = z.infer<typeof responderSettings>;

/**
 * `source`: "inbox" (the inbox's own settings), "company" (the company's default, for inboxes
 * without their own) or "built_in" (neither: nobody answers).
 */
export const responderSource = z.enum(["inbox", "company", "built_in"]);
export type ResponderSource = z.infer<typeof responderSource>;

export const appliedResponder = z.object({ source: responderSource, settings: responderSettings });
export type AppliedResponder = z.infer<typeof appliedResponder>;

export const responderParams = z.strictObject({ id: uuid() });
