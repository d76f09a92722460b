/**
 * pcpu_block_update and the slot arithmetic, on one 1024-bit block md.
 *
 *   bits 0 ............................................. 1023
 *        |  free runs told to the block, one at a time  |
 */
import { describe, expect, it } from "vitest";
import { blockUpdate, initBlockMd, lowestSetBit, nextHint, type PcpuBlockMd } from "./blockMd.ts";
import { fls, sizeToSlotRaw, ChunkSlots } from "./chunkSlots.ts";

/** A block with every bit allocated (the state a rescan starts from). */
function fullBlock(): PcpuBlockMd {
  return { ...initBlockMd(1024), contigHint: 0, leftFree: 0, rightFree: 0, firstFree: 1024 };
}

describe("pcpu_block_update", () => {
  it("keeps the larger run as contig and the earlier one as scan hint", () => {
    //   |..a: 10..|xx|....b: 30....|xx|
    // Expect contig 30 at 20 and scan 10 at 0 (before it, smaller), left_free 10, first_free 0.
    const b = fullBlock();
    blockUpdate(b, 0, 10);
    blockUpdate(b, 20, 50);
    expect(b).toMatchObject({
      contigHint: 30,
      contigHintStart: 20,
      scanHint: 10,
      scanHintStart: 0,
      leftFree: 10,
      firstFree: 0,
    });
  });

  it("on a tie takes the start with the better alignment", () => {
    // Expect two 8-bit runs at 3 and 64: contig moves to 64 (ffs 6 > ffs 0).
    const b = fullBlock();
    blockUpdate(b, 3, 11);
    blockUpdate(b, 64, 72);
    expect(b).toMatchObject({ contigHint: 8, contigHintStart: 64 });
  });

  it("on a tie without better alignment records an equal scan hint after the contig hint", () => {
    // Expect runs of 8 at 3 and at 9 to leave contig at 3 and scan 8 at 9
    // (scan_hint_start > contig_hint_start with scan_hint == contig_hint).
    const b = fullBlock();
    blockUpdate(b, 3, 11);
    blockUpdate(b, 13, 21);
    expect(b).toMatchObject({ contigHint: 8, contigHintStart: 3, scanHint: 8, scanHintStart: 13 });
  });

  it("records an equal run before the contig hint as the scan hint (the rule's 'only if' fails)", () => {
    // Expect contig 8 at 65 (the larger run came first), scan hint zeroed by a larger run
    // starting before it, then an 8-bit run at 1 recorded as scan 8 at 1: equal, yet before.
    const b = fullBlock();
    blockUpdate(b, 65, 73);
    expect(b).toMatchObject({ contigHint: 8, contigHintStart: 65, scanHint: 0 });
    blockUpdate(b, 1, 9);
    expect(b).toMatchObject({ contigHint: 8, contigHintStart: 65, scanHint: 8, scanHintStart: 1 });
  });

  it("sets right_free for a run reaching the block's end", () => {
    // Expect right_free 24 for the run [1000, 1024).
    const b = fullBlock();
    blockUpdate(b, 1000, 1024);
    expect(b.rightFree).toBe(24);
  });
});

describe("pcpu_next_hint", () => {
  it("skips past a smaller scan hint before the contig hint, else starts at first_free", () => {
    // Expect a 20-bit request to start at 10 (after scan 10 at 0) and a 5-bit one at 0.
    const b = fullBlock();
    blockUpdate(b, 0, 10);
    blockUpdate(b, 20, 50);
    expect(nextHint(b, 20)).toBe(10);
    expect(nextHint(b, 5)).toBe(0);
  });
});

describe("slots", () => {
  it("__pcpu_size_to_slot = max(fls(size) - 5 + 2, 1), the free slot for a whole unit", () => {
    // Expect slots 1, 1, 2, 12, 13 and the free slot 15 for 32 KiB.
    expect([4, 15, 16, 32764, 32768].map(sizeToSlotRaw)).toEqual([1, 1, 2, 12, 13]);
    expect(fls(0)).toBe(0);
    expect(lowestSetBit(64)).toBe(6);
    const slots = new ChunkSlots(32768);
    expect(slots.sizeToSlot(32768)).toBe(15);
    expect([slots.sidelinedSlot, slots.freeSlot, slots.toDepopulateSlot]).toEqual([14, 15, 16]);
  });
});
