/**
 * sectionText: a boundary's text with its `%d` and `%x` replaced by its arguments in order.
 *
 *   { section: "area found at chunk %d off %x", args: [2, 64] }  →  "area found at chunk 2 off 0x40"
 *
 * Expect a text without arguments unchanged, and a placeholder with no argument left to fill
 * printed as ? rather than as another's value.
 */
import { describe, expect, it } from "vitest";
import { sectionText } from "./index.ts";

describe("sectionText", () => {
  it("fills %d in decimal and %x in hex, in order", () => {
    expect(sectionText({ section: "area found at chunk %d off %x", args: [2, 64] })).toBe(
      "area found at chunk 2 off 0x40",
    );
    expect(sectionText({ section: "pages %d..%d marked", args: [0, 3] })).toBe("pages 0..3 marked");
  });

  it("leaves a text without arguments as it is, and shows a missing argument", () => {
    expect(sectionText({ section: "mutex dropped" })).toBe("mutex dropped");
    expect(sectionText({ section: "100%d done" })).toBe("100%d done");
    expect(sectionText({ section: "chunk %d off %x", args: [1] })).toBe("chunk 1 off ?");
  });
});
