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

  /*
   * Two CPUs on node 0, one group of two 32 KiB units. An allocation of a whole unit does not
   * fit the first chunk's 20 KiB, so pcpu_create_chunk makes chunk #2:
   *
   *   metadata (pcpu_mem_zalloc, in bytes): chunk struct 144, alloc_map 1024 (8192 bits),
   *     bound_map 1032 (8193 bits, in longs), md_blocks 256 (8 blocks x 32);
   *     pcpu_get_vm_areas: the vm_struct pointer array 8 (one group), one vm_struct 72;
   *     pcpu_get_pages: the page array 128 (8 bytes x 2 units x 8 pages), once
   *   vm: the group's 65,536 bytes; pages: 8 per CPU, and one page-table page (2 MiB span)
   *
   * Expect those costs, each of the 24 allocations among them failed in turn to be an ENOMEM
   * naming its stage, and the allocation made after each failure to cost exactly the same (a
   * failed stage frees its metadata and vm space again).
   */
  it("a dynamic chunk costs its metadata, vm areas and pages; a failure at each step is undone", () => {
    const config = bootConfig({ possible: [0, 1] });
    const fresh = () => {
      const a = new BitmapKernelAllocator();
      unwrap(a.boot(config));
      return a;
    };
    const a = fresh();
    expect(unwrap(a.stats())).toMatchObject({ vmBytes: 0, metaBytes: 0, unitBytes: 28672 });
    expect(a.dataPages).toBe(16);
    unwrap(a.alloc(32768, 4));
    const made = unwrap(a.stats());
    expect(made).toMatchObject({ vmBytes: 65536, metaBytes: 2664, unitBytes: 28672 + 32768 });
    expect(a.dataPages).toBe(32);
    const stages = [
      ...Array<string>(4).fill("pcpu_create_chunk: chunk metadata"),
      "pcpu_get_vm_areas: pcpu_mem_zalloc(8)",
      "pcpu_get_vm_areas: pcpu_mem_zalloc(72)",
      "pcpu_get_pages: pcpu_mem_zalloc(128)",
      ...Array<string>(16).fill("pcpu_populate_chunk: page"),
      "pcpu_map_pages: page table of the vmalloc area",
    ];
    stages.forEach((stage, k) => {
      const b = fresh();
      unwrap(b.failPageAlloc(k, 1));
      const r = b.alloc(32768, 4);
      expect(r.ok ? "ok" : r.message, `k=${k}`).toContain(stage);
      unwrap(b.alloc(32768, 4));
      expect(unwrap(b.stats()), `k=${k}`).toMatchObject({
        vmBytes: made.vmBytes,
        metaBytes: made.metaBytes,
      });
    });
  });

  it("refuses a chunk past vmalloc_bytes, counted in the group areas' bytes", () => {
    const a = new BitmapKernelAllocator();
    unwrap(a.boot({ ...bootConfig({ possible: [0, 1] }), vmallocBytes: 65536 }));
    unwrap(a.alloc(32768, 4));
    const r = a.alloc(32768, 4);
    expect(r.ok ? "ok" : r.message).toContain("pcpu_get_vm_areas: vmalloc_bytes 65536 reached");
    expect(unwrap(a.stats()).metaBytes).toBe(2664);
  });

  it("serves alignments 0 to 3 at PCPU_MIN_ALLOC_SIZE (4), as 6.12 raises them", () => {
    const a = new BitmapKernelAllocator();
    unwrap(a.boot(bootConfig({ possible: [0, 1] })));
    const ptrs = [0, 1, 2, 3, 4].map((align) => unwrap(a.alloc(1, align)));
    for (const p of ptrs) expect(p % 4).toBe(0);
    expect(new Set(ptrs).size).toBe(5);
  });
});
