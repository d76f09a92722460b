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
    const first = list.findIndex((b) => b.sizeUsed < blkSize);
    const expected = first < 0 ? list.length : first;
    if (firstNotFull !== expected) {
      return `first-not-full is ${firstNotFull}, but the first block with room is at position ${expected} of ${list.length}`;
    }
    return undefined;
  },
};

/**
 * kiran-list-order: the block list is sorted by bytes used, descending, and the first-not-full
 * index points at the first block that is not full (every block before it is full).
 *
 * Source: LKML [patch 2/11] (Sep 2005) and the January 2005 patch: "blocks are kept sorted on
 * size_used ... first_notfull" — an allocation walks the list from first_notfull, so a wrong
 * order or a stale pointer makes it skip a block with room (a false new block) or try a full one.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(blocks).
 */
export const kiranListOrder = whiteBoxInvariant<KiranDetail>({
  id: "kiran-list-order",
  title: "blocks sorted by bytes used, descending; first-not-full is the first block with room",
  source: "LKML Jan 2005 and [patch 2/11] Sep 2005: the sorted block list and first_notfull",
  cost: "O(blocks) per audit",
  design: "kiran-2005",
  conjuncts: conjunctNames(CONJUNCTS),
  judge: (detail) => firstBroken(CONJUNCTS, detail),
});
