import type { KiranDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

const CONJUNCTS: Conjuncts<[KiranDetail]> = {
  sorted({ list }) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      if (a !== undefined && b !== undefined && a.sizeUsed < b.sizeUsed) {
        return `block list out of order at position ${i}: block ${a.id} uses ${a.sizeUsed} bytes, the next, block ${b.id}, ${b.sizeUsed}`;
      }
    }
    return undefined;
  },
  first_notfull({ list, firstNotFull, blkSize }) {
    if (!Number.isInteger(firstNotFull) || firstNotFull < 0 || firstNotFull > list.length) {
      return `first-not-full is ${firstNotFull}, not a position of the ${list.length} blocks or the list head`;
    }
    // What patch 2/11 keeps: from the block the pointer names on, no block is full (one that fills
    // moves up before it). Before it a partial block may wait unseen: the pointer is not moved
    // back when a full block gets room.
    const full = list.findIndex((b, i) => i >= firstNotFull && b.sizeUsed >= blkSize);
    if (full >= 0) {
      return `block ${list[full]?.id} at position ${full} is full, at or past first-not-full at ${firstNotFull}`;
    }
    return undefined;
  },
};

/**
 * kiran-list-order: the block list is sorted by bytes used, descending, and no block past the
 * one first-not-full names is full (the pointer may lag behind a full block that got room: the
 * patch does not move it back, so it is not always the first block with room).
 *
 * Source: LKML [patch 2/11] (Sep 2005) and the January 2005 patch: "blocks are kept sorted on
 * size_used ... first_notfull" — an allocation walks the list from first_notfull, so a wrong
 * order or a stale pointer makes it skip a block with room (a false new block) or try a full one.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(blocks).
 */
export const kiranListOrder = whiteBoxInvariant<KiranDetail>({
  id: "kiran-list-order",
  title: "blocks sorted by bytes used, descending; no full block past first-not-full",
  source: "LKML Jan 2005 and [patch 2/11] Sep 2005: the sorted block list and first_notfull",
  cost: "O(blocks) per audit",
  design: "kiran-2005",
  conjuncts: conjunctNames(CONJUNCTS),
  judge: (detail) => firstBroken(CONJUNCTS, detail),
});
