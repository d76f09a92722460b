/**
 * kiran-2005-09's block list after an allocation or a free: the re-sort (moveUp, moveDown),
 * first-not-full as it moves with them, and the work counted on the way (`work`: comparisons
 * of the obj_map sort and of the re-sort, bitmap bits scanned by the block search).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "./kiranAllocator.ts";
import type { KiranDetail } from "./kiranAllocator.ts";

const K8 = PCPU_BLKSIZE;
const BITS = K8 / 4;

let a: KiranAllocator;
beforeEach(() => {
  a = new KiranAllocator();
  booted(a);
});

function detail(): KiranDetail {
  return unwrap(a.inspect()).detail as KiranDetail;
}

/** The block list as [id, sizeUsed] pairs, in list order. */
function list(): [number, number][] {
  return detail().list.map((b) => [b.id, b.sizeUsed]);
}

/** The work counters' growth over `op`. */
function workOf(op: () => void): { comparisons: number; bitsScanned: number } {
  const before = { ...a.work };
  op();
  return {
    comparisons: a.work.comparisons - before.comparisons,
    bitsScanned: a.work.bitsScanned - before.bitsScanned,
  };
}

describe("the list before the first boot", () => {
  /*
   * A new allocator, not booted:
   *
   *   list head -> (no block)        bufctl list -> (no object)
   *
   * Expect the white-box detail to show an empty block list, first-not-full at the head (0)
   * and no bufctl.
   */
  it("is empty, with first-not-full at the head and no bufctl", () => {
    const fresh = new KiranAllocator();
    expect(fresh.detailView()).toMatchObject({ firstNotFull: 0, list: [], bufctls: [] });
  });
});

describe("moveDown and first-not-full", () => {
  /*
   * Block 0 (first-not-full) holds x (8000 bytes) and y (100); block 1 holds z (4096):
   *
   *   before free(x):  [ block 0: 8100 ]* [ block 1: 4096 ]      (* first-not-full)
   *   after:           [ block 1: 4096 ]* [ block 0:  100 ]
   *
   * Expect block 0 to move down past block 1 (one comparison) and first-not-full, which named
   * block 0, to be left to block 1, now at the head of the list.
   */
  it("the first-not-full block moving down leaves the pointer to the block after it", () => {
    const x = unwrap(a.alloc(8000, 4));
    unwrap(a.alloc(4096, 4));
    unwrap(a.alloc(100, 4));
    expect(list()).toEqual([
      [0, 8100],
      [1, 4096],
    ]);
    expect(detail().firstNotFull).toBe(0);
    expect(workOf(() => unwrap(a.free(x)))).toEqual({ comparisons: 1, bitsScanned: 0 });
    expect(list()).toEqual([
      [1, 4096],
      [0, 100],
    ]);
    expect(detail().firstNotFull).toBe(0);
  });

  /*
   * Block 0 (first-not-full) holds x (4096 bytes) and y (1904); block 1 holds z (4096):
   *
   *   before free(y):  [ block 0: 6000 ]* [ block 1: 4096 ]
   *   after:           [ block 0: 4096 ]* [ block 1: 4096 ]
   *
   * Expect a tie not to move block 0 (no comparison counted) and first-not-full to stay on it.
   */
  it("a block that falls to a tie stays before its equal, and keeps first-not-full", () => {
    unwrap(a.alloc(4096, 4));
    const y = unwrap(a.alloc(1904, 4));
    unwrap(a.alloc(4096, 4));
    expect(detail().firstNotFull).toBe(0);
    expect(workOf(() => unwrap(a.free(y)))).toEqual({ comparisons: 0, bitsScanned: 0 });
    expect(list()).toEqual([
      [0, 4096],
      [1, 4096],
    ]);
    expect(detail().firstNotFull).toBe(0);
  });
});

describe("work counted by the search and the re-sort", () => {
  /*
   * Block 0 holds 8000 bytes; a 4096-byte request:
   *
   *   [ block 0: 8000 ]  -> too full (8000 + 4096 > 8 KiB): skipped unscanned
   *   [ block 1: new  ]  -> its bitmap scanned once
   *
   * Expect only the new block's 2048 bits scanned; then a 6000-byte request, in a third block
   * that moves up past block 1, to count that one re-sort comparison.
   */
  it("a block without the room is skipped before its bitmap is scanned", () => {
    expect(workOf(() => unwrap(a.alloc(8000, 4)))).toEqual({
      comparisons: 0,
      bitsScanned: BITS,
    });
    expect(workOf(() => unwrap(a.alloc(4096, 4)))).toEqual({
      comparisons: 0,
      bitsScanned: BITS,
    });
    expect(workOf(() => unwrap(a.alloc(6000, 4)))).toEqual({
      comparisons: 1,
      bitsScanned: BITS,
    });
    expect(list()).toEqual([
      [0, 8000],
      [2, 6000],
      [1, 4096],
    ]);
  });

  /*
   * One block, in 4-byte units, after freeing k0 and k2:
   *
   *   bit   0    1    2    3    4 ...
   *        | -- | k1 | -- | k3 | free ...      (three free runs: 1, 1 and 2044 bits)
   *
   * Expect a 4-byte request to scan the bitmap once, sort the three runs with two comparisons
   * (one ascending pass over them) and take bit 0.
   */
  it("the obj_map sort counts its comparisons", () => {
    const k0 = unwrap(a.alloc(4, 4));
    unwrap(a.alloc(4, 4));
    const k2 = unwrap(a.alloc(4, 4));
    unwrap(a.alloc(4, 4));
    unwrap(a.free(k0));
    unwrap(a.free(k2));
    let p = 0;
    expect(workOf(() => (p = unwrap(a.alloc(4, 4))))).toEqual({
      comparisons: 2,
      bitsScanned: BITS,
    });
    expect(p).toBe(k0);
  });
});
