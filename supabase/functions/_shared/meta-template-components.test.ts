// Meta's template components from the values the database stored: header media of each kind, the
// order header, body, buttons (buttons by index), and stored values read defensively.
import { describe, expect, it } from "vitest";
import { metaTemplateComponents, readTemplateValues } from "./meta-template-components.ts";

describe("metaTemplateComponents", () => {
  it("puts the header, the body and the buttons in Meta's order, buttons by index", () => {
    expect(metaTemplateComponents({
      name: "oferta",
      language: "pt_BR",
      parameters: ["Ana", "10%"],
      header: { format: "image", link: "https://cdn.example/oferta.png" },
      buttons: [{ index: 2, type: "copy_code", value: "DEZ" }, { index: 0, type: "url", value: "oferta/10" }],
    })).toEqual([
      { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example/oferta.png" } }] },
      { type: "body", parameters: [{ type: "text", text: "Ana" }, { type: "text", text: "10%" }] },
      { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "oferta/10" }] },
      { type: "button", sub_type: "copy_code", index: "2", parameters: [{ type: "coupon_code", coupon_code: "DEZ" }] },
    ]);
  });

  it("sends a video by its link, a document with its file name only when it has one, and nothing for a template without values", () => {
    const base = { name: "t", language: "en_US", parameters: [] };
    expect(metaTemplateComponents({ ...base, header: { format: "video", link: "https://cdn.example/v.mp4" } }))
      .toEqual([{ type: "header", parameters: [{ type: "video", video: { link: "https://cdn.example/v.mp4" } }] }]);
    expect(metaTemplateComponents({ ...base, header: { format: "document", link: "https://cdn.example/d.pdf" } }))
      .toEqual([{ type: "header", parameters: [{ type: "document", document: { link: "https://cdn.example/d.pdf" } }] }]);
    expect(metaTemplateComponents(base)).toEqual([]);
  });
});

describe("readTemplateValues", () => {
  it("keeps what the database writes and drops what it never does", () => {
    expect(readTemplateValues({
      header: { format: "document", link: "https://cdn.example/d.pdf", filename: "d.pdf" },
      buttons: [{ index: 1, type: "url", value: "x" }, { index: "2", type: "url", value: "y" }, { index: 3, type: "otp", value: "1" }, null],
    })).toEqual({ header: { format: "document", link: "https://cdn.example/d.pdf", filename: "d.pdf" }, buttons: [{ index: 1, type: "url", value: "x" }] });
    expect(readTemplateValues({ header: { format: "location" }, buttons: "x" })).toEqual({ header: null, buttons: [] });
    expect(readTemplateValues({})).toEqual({ header: null, buttons: [] });
  });
});
