import { describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { bootConfig } from "../testing.ts";
import { BitmapKernelAllocator } from "./bitmapKernelAllocator.ts";

describe("bitmap-2017-kernel", () => {
  /*
   *   unit: | static 4 KiB | reserved 8 KiB (chunk #0) | dynamic 20 KiB (chunk #1, slot 12) |
   *
   * Expect after boot on 4 CPUs over 2 nodes what pcpu-linux --small-unit (6.12.117) answers:
   * inspect lists the reserved chunk (8192 bytes free) and then the first chunk (20480), both
   * empty; pcpu_nr_populated 8 (PFN_DOWN(size_sum)), pcpu_nr_empty_pop_pages 5 (the first
   * chunk's; the reserved chunk's never count), 16 pages held on each node, 28,672 unit bytes.
   */
  it("boots with the reserved and first chunks as 6.12 does", () => {
    const a = new BitmapKernelAllocator();
    unwrap(a.boot(bootConfig({ possible: [0, 1, 2, 3], nrNodes: 2, cpuToNode: [0, 0, 1, 1] })));
    const view = unwrap(a.inspect());
    expect(view.blocks.map((b) => [b.id, b.state, b.freeBytes])).toEqual([
      [0, "empty", 8192],
      [1, "empty", 20480],
    ]);
    const d = a.detailView();
    expect([d.nrPopulated, d.nrEmptyPopPages]).toEqual([8, 5]);
    const s = unwrap(a.stats());
    expect(s.pagesByNode).toEqual([16, 16]);
    expect(s.unitBytes).toBe(28672);
  });

  /*
   * Expect a reserved allocation from the reserved chunk only (its free bytes fall, the first
   * chunk's do not), and one larger than the reserved chunk refused with ENOMEM ("alloc from
   * reserved chunk failed") though the first chunk has room.
   */
  it("serves reserved allocations from the reserved chunk alone", () => {
    const a = new BitmapKernelAllocator();
    unwrap(a.boot(bootConfig({ possible: [0, 1] })));
    unwrap(a.alloc(100, 4, { reserved: true }));
    expect(unwrap(a.inspect()).blocks.map((b) => b.freeBytes)).toEqual([8092, 20480]);
    const big = a.alloc(8193, 4, { reserved: true });
    expect(big.ok ? "ok" : big.message).toMatch(/reserved chunk failed/);
  });

  /*
   * An allocation that leaves fewer than PCPU_EMPTY_POP_PAGES_LOW (2) empty pages schedules
   * the worker. Expect it queued, not run (no chunk made), until `reclaim` runs it, which makes
   * a chunk to bring the empty pages back up to HIGH (4).
   */
  it("queues the balance worker until reclaim", () => {
    const a = new BitmapKernelAllocator();
    unwrap(a.boot(bootConfig({ possible: [0] })));
    unwrap(a.alloc(4 * 4096, 4));
    expect(a.balanceWorkPending).toBe(true);
    expect(unwrap(a.inspect()).blocks).toHaveLength(2);
    unwrap(a.reclaim());
    expect(a.balanceWorkPending).toBe(false);
    expect(unwrap(a.inspect()).blocks).toHaveLength(3);
    expect(a.detailView().nrEmptyPopPages).toBeGreaterThanOrEqual(4);
  });
});
