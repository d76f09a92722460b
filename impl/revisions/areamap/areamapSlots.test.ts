/**
 * areamap-2009's slots (pcpu_chunk_slot, pcpu_chunk_relocate) and the walk over them
 * (pcpu_alloc's list_for_each_entry), seen through `inspect`'s detail.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { AreamapAllocator, NR_SLOTS, type AreamapDetail } from "./areamapAllocator.ts";

let a: AreamapAllocator;
beforeEach(() => {
  a = booted(new AreamapAllocator(), { possible: [0, 1] });
});

function detail(): AreamapDetail {
  return unwrap(a.inspect()).detail as AreamapDetail;
}

function first(): AreamapDetail["chunks"][number] {
  return detail().chunks[0]!;
}

/** Allocates `sizes` in order (alignment 1) in the first chunk's dynamic area. */
function fill(sizes: number[]): number[] {
  return sizes.map((s) => unwrap(a.alloc(s, 1)));
}

describe("pcpu_chunk_slot", () => {
  /*
   *   first chunk's dynamic area, filled exactly:
   *   | a 4 | u 2 | g 2 | c 4 | d 2 | e 16370 |
   *   free g, free d:  | a | 2 | c | 2 | e |     free size 4, contig hint 2
   *
   * Expect slot 0: a chunk whose hint is below sizeof(int) serves nothing, whatever its free
   * size.
   */
  it("a hint below sizeof(int) puts a chunk on slot 0", () => {
    const [, , g, , d] = fill([4, 2, 2, 4, 2, 16370]);
    unwrap(a.free(g!));
    unwrap(a.free(d!));
    expect(first()).toMatchObject({ freeSize: 4, contigHint: 2, slot: 0 });
  });

  /*
   *   | a 4 | g 4 | d 2 | e 16374 |      filled exactly
   *   free a:    | 4 | g | d | e |       free 4, hint 4   -> slot 1 (sizes 1-31)
   *   free d:    | 4 | g | 2 | e |       free 6, hint 4   -> slot 1
   *   alloc 4:   | x | g | 2 | e |       free 2, hint still 4 (the fit was not the last entry)
   *
   * Expect slots 1, 1 and then 0: sizeof(int) of free size or hint is enough, and a free size
   * below it is not, however large the hint.
   */
  it("sizeof(int) of free size and hint is enough for slot 1; a free size below it is slot 0", () => {
    const [x, , d] = fill([4, 4, 2, 16374]);
    unwrap(a.free(x!));
    expect(first()).toMatchObject({ freeSize: 4, contigHint: 4, slot: 1 });
    unwrap(a.free(d!));
    expect(first()).toMatchObject({ freeSize: 6, contigHint: 4, slot: 1 });
    unwrap(a.alloc(4, 1));
    expect(first()).toMatchObject({ freeSize: 2, contigHint: 4, slot: 0 });
  });
});

describe("pcpu_chunk_relocate", () => {
  /*
   *   big1, big2: 32 KiB each, chunks 1 and 2, both full    slot 0: [1, 2]
   *   free big1: chunk 1 to the last slot                   slot 0: [2]     last: [1]
   *   free big2: chunk 2 to the head of the last slot       last: [2, 1]
   *   16385 twice: chunk 2 then chunk 1 down to slot 11, each at the tail   slot 11: [2, 1]
   *   8 more: chunk 2 (head of slot 11) stays on slot 11, where it was      slot 11: [2, 1]
   *
   * Expect those lists: up to the head, down to the tail, and a chunk whose slot does not
   * change keeps its place.
   */
  it("moves a chunk to the head of a higher slot, the tail of a lower one, not at all on the same", () => {
    const big1 = unwrap(a.alloc(32768, 4));
    const big2 = unwrap(a.alloc(32768, 4));
    expect(detail().slots[0]).toEqual([1, 2]);
    unwrap(a.free(big1));
    expect(detail().slots[0]).toEqual([2]);
    expect(detail().slots[NR_SLOTS - 1]).toEqual([1]);
    unwrap(a.free(big2));
    expect(detail().slots[0]).toEqual([]);
    expect(detail().slots[NR_SLOTS - 1]).toEqual([2, 1]);
    unwrap(a.alloc(16385, 1));
    unwrap(a.alloc(16385, 1));
    expect(detail().slots[11]).toEqual([2, 1]);
    unwrap(a.alloc(8, 1));
    expect(detail().slots[11]).toEqual([2, 1]);
    expect(detail().chunks.find((c) => c.id === 2)?.freeSize).toBe(16383 - 8);
  });
});

describe("the walk", () => {
  /*
   *   first chunk on slot 12 (16 KiB free, hint 16384); chunk 1 fully free on the last slot
   *   alloc 16385: the first chunk's hint is below it, skipped without a scan
   *
   * Expect the request in chunk 1, with one map entry scanned (chunk 1's) and the work counted
   * exactly: 2 chunks visited (a comparison each, and one for the entry), no page populated
   * (the first object left them) and the area cleared for each of the 2 CPUs.
   */
  it("skips a chunk whose hint is below the request without scanning its map", () => {
    unwrap(a.free(unwrap(a.alloc(32768, 4))));
    const before = { ...a.work };
    unwrap(a.alloc(16385, 1));
    expect(a.work.bitsScanned - before.bitsScanned).toBe(1);
    expect(a.work.comparisons - before.comparisons).toBe(3);
    expect(a.work.loopIterations - before.loopIterations).toBe(2 + 2);
  });

  /*
   *   | a 4 | u 2 | b 2 | v 2 | c 2 | e 16372 |     filled exactly
   *   free a, b, c:  | 4 | u | 2 | v | 2 | e |       free 8, hint 4
   *   alloc 4:       | x | u | 2 | v | 2 | e |       free 4, hint still 4: slot 1
   *   alloc 4:       no fit; the exact hint 2 moves the chunk to slot 0 under the walk
   *
   * Expect the oops (MachineError): list_for_each_entry would go on from pcpu_slot[0]'s head.
   */
  it("stops when a failed fit moves the chunk the walk stands on", () => {
    const [x, , b, , c] = fill([4, 2, 2, 2, 2, 16372]);
    for (const p of [x!, b!, c!]) unwrap(a.free(p));
    unwrap(a.alloc(4, 1));
    expect(first()).toMatchObject({ freeSize: 4, contigHint: 4, slot: 1 });
    expect(() => a.alloc(4, 1)).toThrow(
      "pcpu_alloc: chunk 0 moved from slot 1 to slot 0 by its failed pcpu_alloc_area",
    );
  });
});
