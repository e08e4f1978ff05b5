import { describe, expect, it } from "vitest";
import { weekdays as schemaWeekdays } from "$schemas/responders.ts";
import { fieldOfPath, formFieldErrors, formValues, parseHours, parseWords, settingsBody, weekdays } from "./responder-form";

const settings = {
  team_id: "9a1af142-c37f-4752-a7e9-b35b1d8d41fb",
  time_zone: "America/Manaus",
  business_hours: { mon: [["09:00", "12:00"], ["13:00", "18:00"]] as [string, string][], sat: [["09:00", "13:00"]] as [string, string][] },
  out_of_hours_reply: "Voltamos às 9h.",
  handoff_keywords: ["atendente", "humano"],
  max_bot_turns: 5,
  debounce_ms: 2500,
  history_messages: 20,
  opt_out_words: ["sair", "parar"],
  opt_in_words: ["voltar"],
  updated_at: null,
};

describe("the responder form", () => {
  it("offers the schema's days, in order", () => {
    expect(weekdays).toEqual(schemaWeekdays);
  });

  it("writes the settings into fields and reads them back into the same body", () => {
    const values = formValues(settings);
    expect(values).toMatchObject({ hours_mon: "09:00-12:00, 13:00-18:00", hours_tue: "", hours_sat: "09:00-13:00", debounce_seconds: "2.5", always_open: "" });
    const { updated_at: _, ...expected } = settings;
    expect(settingsBody(values)).toEqual(expected);
  });

  it("answers at any hour when the box is ticked, whatever the days say; blanks are null or empty lists", () => {
    const body = settingsBody({ ...formValues(settings), always_open: "on", team_id: "", out_of_hours_reply: "  ", handoff_keywords: " , " });
    expect(body).toMatchObject({ business_hours: null, team_id: null, out_of_hours_reply: null, handoff_keywords: [] });
  });

  it("passes what it cannot read on whole, for the API to name", () => {
    expect(parseHours("9h, 13:00 – 18:00")).toEqual([["9h", ""], ["13:00", "18:00"]]);
    expect(settingsBody({ ...formValues(settings), max_bot_turns: "five", debounce_seconds: "" })).toMatchObject({ max_bot_turns: "five", debounce_ms: "" });
    expect(parseWords("Sair, , PARAR ")).toEqual(["Sair", "PARAR"]);
  });

  it("puts each API error path on its field", () => {
    expect(fieldOfPath("business_hours.tue.0")).toBe("hours_tue");
    expect(fieldOfPath("business_hours")).toBe("hours_mon");
    expect(fieldOfPath("debounce_ms")).toBe("debounce_seconds");
    expect(fieldOfPath("opt_in_words.0")).toBe("opt_in_words");
    expect(formFieldErrors({ "handoff_keywords.1": "a", "handoff_keywords.2": "b", time_zone: "c" })).toEqual({ handoff_keywords: "a", time_zone: "c" });
  });
});
