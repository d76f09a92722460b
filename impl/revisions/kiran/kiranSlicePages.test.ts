/**
 * kiran-2005-09's slice pages: GFP_ATOMIC | __GFP_HIGHMEM without __GFP_ZERO, owned as percpu
 * data; the management pages owned as percpu management.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, POISON, totalPages } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import { booted, machineOf } from "../testing.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "./kiranAllocator.ts";

describe("slice pages", () => {
  /*
   * One block, NR_CPUS 4, one 4-byte object at the start:
   *
   *   start  +8K    +16K   +24K   +32K
   *   |o.....|o.....|o.....|o.....| mgmt ...
   *    ^ zeroed (memset of each copy); the rest of each slice as the page allocator gave it
   *
   * Expect the bytes after the object in every slice to read POISON (the slice pages are not
   * __GFP_ZERO), the object's bytes zero.
   */
  it("are not zeroed: only the object's copies are", () => {
    const a = booted(new KiranAllocator());
    const p = unwrap(a.alloc(4, 4));
    for (let cpu = 0; cpu < 4; cpu++) {
      const base = p + cpu * PCPU_BLKSIZE;
      expect(Array.from(unwrap(a.read(base, 4))), `cpu ${cpu} object`).toEqual([0, 0, 0, 0]);
      expect(Array.from(unwrap(a.read(base + 4, 4))), `cpu ${cpu} after`).toEqual(
        new Array<number>(4).fill(POISON),
      );
      expect(unwrap(a.read(base + PAGE_SIZE, 1))[0], `cpu ${cpu} second page`).toBe(POISON);
    }
  });

  /*
   * One block, NR_CPUS 4: 4 × 2 slice pages, then the management pages.
   *
   * Expect the page allocator to hold 8 pages for owner "percpu-data" and the management
   * pages for owner "percpu-mgmt" (the tags as written, not the exported constants).
   */
  it("are held as percpu-data, the management pages as percpu-mgmt", () => {
    const a = booted(new KiranAllocator());
    unwrap(a.alloc(4, 4));
    const m = machineOf(a);
    expect(totalPages(m.pages.heldBy("percpu-data"))).toBe(8);
    expect(totalPages(m.pages.heldBy("percpu-mgmt"))).toBe(a.mgmtPagesPerBlock());
  });
});
