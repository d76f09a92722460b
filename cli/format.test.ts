import { describe, expect, it } from "vitest";
import { count, formatCpuList, formatTable, plural, truncate } from "./format.ts";

describe("format", () => {
  it("writes CPU sets as the kernel's cpulist", () => {
    expect(formatCpuList([])).toBe("none");
    expect(formatCpuList([3, 0, 1, 2, 8, 10, 11])).toBe("0-3,8,10-11");
    expect(formatCpuList([5])).toBe("5");
  });

  it("aligns table columns and leaves no trailing spaces", () => {
    const lines = formatTable(
      [{ header: "target" }, { header: "pass", align: "right" }, { header: "note" }],
      [
        ["a", "1", ""],
        ["longer", "100", "x"],
      ],
    );
    expect(lines).toEqual([
      "target  pass  note",
      "------  ----  ----",
      "a          1",
      "longer   100  x",
    ]);
  });

  it("truncates with an ellipsis", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });

  it("plurals: 1 step, 2 steps, 1 harness, 2 harnesses; figures grouped, n/a for none", () => {
    expect(plural(1, "step")).toBe("1 step");
    expect(plural(0, "step")).toBe("0 steps");
    expect(plural(2, "harness", "harnesses")).toBe("2 harnesses");
    expect(count(1, "byte")).toBe("1 byte");
    expect(count(4096, "byte")).toBe("4,096 bytes");
    expect(count(0.5, "loop")).toBe("0.5 loops");
    expect(count(1, "map entry", "map entries")).toBe("1 map entry");
    expect(count(null, "page")).toBe("n/a");
  });
});
