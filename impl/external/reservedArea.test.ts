/** The reserved area's sure fit (reservedFit) and hello's declaration of the area. */
import { describe, expect, it } from "vitest";
import { helloAnswer, describeIssue } from "./protocolSchemas.ts";
import { reservedFit, reservedGaps } from "./reservedArea.ts";

const AREA = { start: 0x37000, size: 8192, granule: 4 };

describe("reservedFit", () => {
  it("an empty area holds anything up to its size, at its start", () => {
    expect(reservedFit(AREA, [], 8192, 4)).toBe(0x37000);
    expect(reservedFit(AREA, [], 8193, 4)).toBeUndefined();
  });

  it("sizes are rounded to the granule: 4093 bytes leave no room for 4096 in 8192", () => {
    const live = [{ ptr: 0x37000, size: 4093 }];
    expect(reservedGaps(AREA, live)).toEqual([{ start: 0x38000, end: 0x39000 }]);
    expect(reservedFit(AREA, live, 4096, 4)).toBe(0x38000);
    expect(reservedFit(AREA, [{ ptr: 0x37000, size: 4097 }], 4096, 4)).toBeUndefined();
  });

  it("the hole the fixed kernel fills and the iteration mutant misses (linux.test.ts)", () => {
    // 4088 bytes, a 392-byte hole at 0x37ff8 + 8, 3704 bytes to the end.
    const live = [
      { ptr: 0x37000, size: 4088 },
      { ptr: 0x38188, size: 3704 },
    ];
    expect(reservedFit(AREA, live, 392, 16)).toBe(0x38000);
  });

  it("above the granule's alignment only the largest gaps are sure: a smaller aligned one is not", () => {
    // Gaps: 100 bytes at 0x3700c (misaligned for 256) and 64 at 0x37100 (aligned for it).
    const live = [
      { ptr: 0x37000, size: 12 },
      { ptr: 0x37070, size: 0x90 },
      { ptr: 0x37140, size: 8192 - 0x140 },
    ];
    expect(reservedGaps(AREA, live).map((g) => g.end - g.start)).toEqual([100, 64]);
    expect(reservedFit(AREA, live, 64, 4)).toBe(0x3700c);
    expect(reservedFit(AREA, live, 64, 256)).toBeUndefined();
  });
});

describe("reservedFit with blocks declared (PCPU_BITMAP_BLOCK_SIZE)", () => {
  const BLOCKS = { ...AREA, block: 4096 };

  it("a fit that needs a free area across a block boundary is not sure; one inside a block is", () => {
    // The free area 0x37800..0x39000 runs across the boundary at 0x38000 (README, finding 13).
    const live = [{ ptr: 0x37000, size: 2048 }];
    expect(reservedFit(AREA, live, 4097, 4)).toBe(0x37800);
    expect(reservedFit(BLOCKS, live, 4097, 4)).toBeUndefined();
    expect(reservedFit(BLOCKS, live, 4096, 4)).toBe(0x38000);
  });

  it("the hole inside one block that the iteration mutant misses is still a sure fit", () => {
    const live = [
      { ptr: 0x37000, size: 4088 },
      { ptr: 0x38188, size: 3704 },
    ];
    expect(reservedFit(BLOCKS, live, 392, 16)).toBe(0x38000);
  });

  it("a free inside the second block of a full area is a sure fit (the kernel's false ENOMEM)", () => {
    const live = [
      { ptr: 0x37000, size: 4096 },
      { ptr: 0x38800, size: 2048 },
    ];
    expect(reservedFit(BLOCKS, live, 4, 4)).toBe(0x38000);
  });
});

describe("hello's reserved_area", () => {
  const hello = { protocol: 1, name: "h", revision: "1", capabilities: ["reserved"] };

  it("is required with the capability reserved, and the message names the field", () => {
    const r = helloAnswer.safeParse(hello);
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssue(r.error)).toMatch(/^field reserved_area: required/);
  });

  it("names a start below 2^53, a size of 1 or more and a power-of-two granule", () => {
    const with_ = (area: unknown) => helloAnswer.safeParse({ ...hello, reserved_area: area });
    expect(with_({ start: "0x37000", size: 8192, granule: 4 }).success).toBe(true);
    const bad = [
      [{ start: "0x20000000000000", size: 8192 }, "reserved_area.start"],
      [{ start: "0x37000", size: 0 }, "reserved_area.size"],
      [{ start: "0x37000", size: 8192, granule: 3 }, "reserved_area.granule"],
      [{ start: "0x37000", size: 8192, at: 1 }, "reserved_area"],
    ] as const;
    for (const [area, field] of bad) {
      const r = with_(area);
      expect(r.success).toBe(false);
      if (!r.success) expect(describeIssue(r.error)).toContain(`field ${field}`);
    }
  });
});
