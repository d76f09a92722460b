/**
 * kiran-2005-09's management pages (the block struct, bitmap and bufctls): __GFP_ZERO, low
 * memory of the current node, mapped after the NR_CPUS slices.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "./kiranAllocator.ts";

describe("management pages", () => {
  /*
   * One block, NR_CPUS 4:
   *
   *   start  +8K    +16K   +24K   +32K
   *   | cpu0 | cpu1 | cpu2 | cpu3 | mgmt 0 | mgmt 1 | ... | mgmt 14 |
   *
   * Expect every management page to read zero (fresh memory without __GFP_ZERO reads 0xa5).
   */
  it("are allocated with __GFP_ZERO: every management page reads zero", () => {
    const a = booted(new KiranAllocator());
    const p = unwrap(a.alloc(4, 4));
    const mgmt = p + 4 * PCPU_BLKSIZE;
    for (let i = 0; i < a.mgmtPagesPerBlock(); i++) {
      const bytes = unwrap(a.read(mgmt + i * PAGE_SIZE, PAGE_SIZE));
      expect(
        bytes.every((b) => b === 0),
        `mgmt page ${i}`,
      ).toBe(true);
    }
  });
});
