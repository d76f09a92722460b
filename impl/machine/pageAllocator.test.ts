import { describe, expect, it } from "vitest";
import { PageAllocator, totalPages, type PageFrame } from "./index.ts";
import { unwrap } from "../result.ts";

function take(
  pa: PageAllocator,
  node: number,
  more: Partial<Parameters<PageAllocator["alloc"]>[0]> = {},
): PageFrame {
  return unwrap(pa.alloc({ node, owner: "t", ...more }));
}

describe("zones and placement", () => {
  /*
   * 2 nodes of 4 low + 2 high pages:
   *
   *   pfn   0  1  2  3 | 4  5 | 6  7  8  9 | 10 11
   *        [ n0 low    ][n0 hi][ n1 low    ][n1 hi]
   *
   * Expect every pfn located in its node and zone, nothing outside.
   */
  it("lays the zones out node after node, low before high", () => {
    const pa = new PageAllocator(2, 4, 2);
    const where = Array.from({ length: 12 }, (_, pfn) => pa.locate(pfn));
    expect(where.map((w) => w?.node)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(where.map((w) => w?.zone).join(",")).toBe(
      "low,low,low,low,high,high,low,low,low,low,high,high",
    );
    expect(pa.locate(12)).toBeUndefined();
    expect(pa.locate(-1)).toBeUndefined();
  });

  /*
   * Node 1 low zone is pfns 6..9; allocating all of it walks the zone upward:
   *
   *   | 6 | 7 | 8 | 9 |
   *     1st ...   4th     then ENOMEM
   *
   * Expect pfns 6, 7, 8, 9 with node 1 / zone low, then ENOMEM.
   */
  it("hands out each zone's pfns in order and only from that zone", () => {
    const pa = new PageAllocator(2, 4, 2);
    const frames = [0, 1, 2, 3].map(() => take(pa, 1));
    expect(frames.map((f) => f.pfn)).toEqual([6, 7, 8, 9]);
    for (const f of frames) {
      expect(f).toMatchObject({ node: 1, zone: "low", order: 0, owner: "t" });
      expect(pa.frameOf(f.pfn)).toBe(f);
    }
    const r = pa.alloc({ node: 1, owner: "t" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
  });

  /*
   * A node of 2 low + 2 high pages, allocating with GFP_HIGHMEM:
   *
   *   | L0 | L1 | H2 | H3 |
   *     3rd  4th  1st  2nd
   *
   * Expect high memory first, then the fallback to low, then ENOMEM.
   */
  it("prefers high memory with GFP_HIGHMEM and falls back to low memory", () => {
    const pa = new PageAllocator(1, 2, 2);
    const frames = [0, 1, 2, 3].map(() => take(pa, 0, { highmem: true }));
    expect(frames.map((f) => [f.pfn, f.zone])).toEqual([
      [2, "high"],
      [3, "high"],
      [0, "low"],
      [1, "low"],
    ]);
    expect(pa.alloc({ node: 0, owner: "t", highmem: true }).ok).toBe(false);
  });

  /*
   * Without GFP_HIGHMEM only low memory serves:
   *
   *   | L0 | L1 | H2 | H3 |
   *     1st  2nd  never
   *
   * Expect ENOMEM once the low zone is gone, with high memory still free.
   */
  it("never hands out high memory without GFP_HIGHMEM", () => {
    const pa = new PageAllocator(1, 2, 2);
    expect(take(pa, 0).zone).toBe("low");
    expect(take(pa, 0).zone).toBe("low");
    const r = pa.alloc({ node: 0, owner: "t" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBe("ENOMEM");
      expect(r.message).toContain("low-memory");
    }
    expect(take(pa, 0, { highmem: true }).zone).toBe("high");
  });

  /*
   * Two nodes of 2 low pages; node 0 exhausted, node 1 untouched:
   *
   *   node 0 | X | X |    node 1 | . | . |
   *
   * Expect ENOMEM on node 0 (no cross-node fallback) and node 1 still serving.
   */
  it("does not fall back to another node", () => {
    const pa = new PageAllocator(2, 2, 0);
    take(pa, 0);
    take(pa, 0);
    const r = pa.alloc({ node: 0, owner: "t", highmem: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
    expect(pa.failures).toBe(1);
    expect(take(pa, 1).node).toBe(1);
  });
});

describe("runs of order > 0", () => {
  /*
   * 16 low pages; an order-0 page, then an order-2 run:
   *
   *   | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | ...
   *     o0  gap gap gap [ order-2 run ]
   *
   * Expect the run at pfn 4 (aligned to 4), and the gap pages 1..3 handed out as order-0
   * pages afterwards.
   */
  it("places a run naturally aligned and keeps the alignment gap for order 0", () => {
    const pa = new PageAllocator(1, 16, 0);
    expect(take(pa, 0).pfn).toBe(0);
    const run = take(pa, 0, { order: 2 });
    expect(run.pfn).toBe(4);
    expect(run.order).toBe(2);
    for (let pfn = 4; pfn < 8; pfn++) expect(pa.frameOf(pfn)).toBe(run);
    expect(pa.allocatedPages).toBe(5);
    const gap = [0, 1, 2].map(() => take(pa, 0).pfn).sort((a, b) => a - b);
    expect(gap).toEqual([1, 2, 3]);
    expect(take(pa, 0).pfn).toBe(8);
  });

  /*
   * Node 1's low zone starts at pfn 6, which is not a multiple of 4:
   *
   *   pfn  6 | 7 | 8 | 9 | 10 | 11 | 12 | ...
   *       gap gap [ order-2 run   ]
   *
   * Expect the run at pfn 8: natural alignment is of the pfn itself, as in the buddy
   * allocator, not of the offset inside the zone.
   */
  it("aligns runs by absolute pfn even where a zone starts unaligned", () => {
    const pa = new PageAllocator(2, 6, 0);
    const run = take(pa, 1, { order: 2 });
    expect(run.pfn % 4).toBe(0);
    expect(run.pfn).toBe(8);
    expect(pa.locate(run.pfn)).toEqual({ node: 1, zone: "low" });
    expect(pa.locate(run.pfn + 3)).toEqual({ node: 1, zone: "low" });
  });

  /*
   * 8 low pages; two order-2 runs fill the zone:
   *
   *   | 0 . . 3 | 4 . . 7 |
   *     run A     run B
   *
   * Expect ENOMEM for a third run, and a freed run reused whole at its old pfn.
   */
  it("reuses a freed run whole and fails when no aligned run fits", () => {
    const pa = new PageAllocator(1, 8, 0);
    const a = take(pa, 0, { order: 2 });
    take(pa, 0, { order: 2 });
    expect(pa.alloc({ node: 0, owner: "t", order: 2 }).ok).toBe(false);
    expect(pa.free(a.pfn)).toBe(true);
    expect(pa.frameOf(a.pfn + 1)).toBeUndefined();
    expect(take(pa, 0, { order: 2 }).pfn).toBe(a.pfn);
  });

  it("refuses to free a run by a pfn that does not start it", () => {
    const pa = new PageAllocator(1, 8, 0);
    const run = take(pa, 0, { order: 1 });
    expect(pa.free(run.pfn + 1)).toBe(false);
    expect(pa.allocatedPages).toBe(2);
    expect(pa.free(run.pfn)).toBe(true);
    expect(pa.allocatedPages).toBe(0);
  });
});

describe("free and reuse", () => {
  /*
   * A zone of 4 pages; allocate two, free both, allocate again:
   *
   *   | p0 | p1 | p2 | p3 |
   *     ^    ^freed last, reused first
   *
   * Expect p1 back first, then p0 (last freed, first reused), then the never-used p2.
   */
  it("reuses freed pages last-freed-first", () => {
    const pa = new PageAllocator(1, 4, 0);
    const p0 = take(pa, 0);
    const p1 = take(pa, 0);
    pa.free(p0.pfn);
    pa.free(p1.pfn);
    expect(take(pa, 0).pfn).toBe(p1.pfn);
    expect(take(pa, 0).pfn).toBe(p0.pfn);
    expect(take(pa, 0).pfn).toBe(2);
  });

  it("returns false for a pfn that is not allocated, and for a double free", () => {
    const pa = new PageAllocator(1, 4, 0);
    expect(pa.free(0)).toBe(false);
    expect(pa.free(99)).toBe(false);
    const p = take(pa, 0);
    expect(pa.free(p.pfn)).toBe(true);
    expect(pa.free(p.pfn)).toBe(false);
    expect(pa.frameOf(p.pfn)).toBeUndefined();
  });

  it("a freed page keeps its zone: a freed high page is not handed to a low-only request", () => {
    const pa = new PageAllocator(1, 1, 1);
    const high = take(pa, 0, { highmem: true });
    expect(high.zone).toBe("high");
    pa.free(high.pfn);
    expect(take(pa, 0).zone).toBe("low");
    expect(pa.alloc({ node: 0, owner: "t" }).ok).toBe(false);
  });
});

describe("accounting", () => {
  it("counts pages by owner, node and zone, and totals them", () => {
    const pa = new PageAllocator(2, 8, 4);
    const a = take(pa, 0, { owner: "percpu" });
    take(pa, 1, { owner: "percpu", highmem: true });
    take(pa, 1, { owner: "percpu", order: 1 });
    take(pa, 0, { owner: "slab", order: 2 });

    expect(pa.heldBy("percpu")).toEqual([
      { low: 1, high: 0 },
      { low: 2, high: 1 },
    ]);
    expect(pa.heldBy("slab")).toEqual([
      { low: 4, high: 0 },
      { low: 0, high: 0 },
    ]);
    expect(pa.heldBy()).toEqual([
      { low: 5, high: 0 },
      { low: 2, high: 1 },
    ]);
    expect(pa.heldBy("nobody")).toEqual([
      { low: 0, high: 0 },
      { low: 0, high: 0 },
    ]);
    expect(totalPages(pa.heldBy("percpu"))).toBe(4);
    expect(totalPages(pa.heldBy())).toBe(8);
    expect(pa.allocatedPages).toBe(8);
    expect(pa.allocations).toBe(4);

    pa.free(a.pfn);
    expect(pa.heldBy("percpu")[0]).toEqual({ low: 0, high: 0 });
    expect(totalPages(pa.heldBy())).toBe(7);
    expect(pa.allocatedPages).toBe(7);
  });

  it("totalPages of nothing is 0", () => {
    expect(totalPages([])).toBe(0);
  });
});

describe("fault injection: failAfter(after, count)", () => {
  /** Outcomes of `n` order-0 allocations on a large node: "+" success, "-" ENOMEM. */
  function outcomes(pa: PageAllocator, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += pa.alloc({ node: 0, owner: "t" }).ok ? "+" : "-";
    return s;
  }

  it.each([
    [0, 1, "-+++++"],
    [0, 3, "---+++"],
    [2, 1, "++-+++"],
    [2, 2, "++--++"],
    [1, 0, "++++++"],
  ])("failAfter(%i, %i) gives %s", (after, count, expected) => {
    const pa = new PageAllocator(1, 64, 0);
    pa.failAfter(after, count);
    expect(outcomes(pa, expected.length)).toBe(expected);
    expect(pa.injectionPending).toBe(false);
    expect(pa.failures).toBe(count);
  });

  it("reports an injected failure as ENOMEM and changes no accounting", () => {
    const pa = new PageAllocator(1, 8, 0);
    pa.failAfter(0, 1);
    expect(pa.injectionPending).toBe(true);
    const r = pa.alloc({ node: 0, owner: "t" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBe("ENOMEM");
      expect(r.message).toContain("injected");
    }
    expect(pa.allocatedPages).toBe(0);
    expect(pa.allocations).toBe(0);
    expect(totalPages(pa.heldBy())).toBe(0);
    // The page the failed request would have had is still the next one handed out.
    expect(take(pa, 0).pfn).toBe(0);
  });

  it("fails whatever the request: another node, high memory, a run", () => {
    const pa = new PageAllocator(2, 8, 8);
    pa.failAfter(0, 3);
    expect(pa.alloc({ node: 1, owner: "t" }).ok).toBe(false);
    expect(pa.alloc({ node: 0, owner: "t", highmem: true }).ok).toBe(false);
    expect(pa.alloc({ node: 0, owner: "t", order: 2 }).ok).toBe(false);
    expect(pa.alloc({ node: 0, owner: "t", order: 2 }).ok).toBe(true);
  });

  /*
   * Two nodes of 1 page each; node 0's page is taken, then failAfter(1, 1):
   *
   *   node 0 | X |   alloc -> real ENOMEM     (skip stays 1)
   *   node 1 | . |   alloc -> success          (skip 1 -> 0)
   *   node 0 | . |   alloc -> injected ENOMEM  (after freeing pfn 0)
   *
   * Expect a real ENOMEM not to count as one of the `after` successes.
   */
  it("does not let real failures consume the skip count", () => {
    const pa = new PageAllocator(2, 1, 0);
    take(pa, 0); // node 0 now exhausted
    pa.failAfter(1, 1);
    const real = pa.alloc({ node: 0, owner: "t" });
    expect(real.ok).toBe(false);
    if (!real.ok) expect(real.message).not.toContain("injected");
    expect(pa.injectionPending).toBe(true);
    // The skip is still 1: this success is it.
    expect(pa.alloc({ node: 1, owner: "t" }).ok).toBe(true);
    // Now the injected failure.
    pa.free(0);
    const injected = pa.alloc({ node: 0, owner: "t" });
    expect(injected.ok).toBe(false);
    if (!injected.ok) expect(injected.message).toContain("injected");
    expect(pa.injectionPending).toBe(false);
    expect(take(pa, 0).pfn).toBe(0);
    expect(pa.failures).toBe(2);
  });

  it("a new failAfter replaces the armed one", () => {
    const pa = new PageAllocator(1, 64, 0);
    pa.failAfter(0, 5);
    pa.failAfter(1, 1);
    expect(outcomes(pa, 4)).toBe("+-++");
    pa.failAfter(0, 0);
    expect(pa.injectionPending).toBe(false);
  });
});
