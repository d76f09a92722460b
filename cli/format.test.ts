import { describe, expect, it } from "vitest";
import { formatCpuList, formatTable, truncate } from "./format.ts";

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
});
