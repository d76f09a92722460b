import type { KiranDetail } from "../../impl/index.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

/**
 * kiran-bytes-used: each block's size_used equals the currency times the bits set in its
 * obj_map, and equals the currency times the bits of its bufctls; its live count equals its
 * bufctls.
 *
 * Source: LKML [patch 2/11] (Sep 2005): size_used is kept beside the bitmap and both change
 * together in alloc and free; a drift between them makes the list order, the "full" test and
 * the release of an empty block wrong.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(blocks × bitmap words + live objects).
 */
export const kiranBytesUsed = whiteBoxInvariant<KiranDetail>({
  id: "kiran-bytes-used",
  title: "each block's bytes used = currency × set bits = currency × its bufctls' bits",
  source: "LKML [patch 2/11] Sep 2005: size_used and the obj_map bitmap",
  cost: "O(blocks × bitmap words + live objects) per audit",
  design: "kiran-2005",
  judge(detail) {
    const { list, bufctls, currency } = detail;
    const bits = new Map<number, number>();
    const count = new Map<number, number>();
    for (const c of bufctls) {
      bits.set(c.block, (bits.get(c.block) ?? 0) + c.bits);
      count.set(c.block, (count.get(c.block) ?? 0) + 1);
    }
    for (const b of list) {
      if (b.sizeUsed !== currency * b.setBits) {
        return `block ${b.id}: size_used ${b.sizeUsed} bytes, but ${b.setBits} bits are set (${currency * b.setBits} bytes at a ${currency}-byte currency)`;
      }
      const owned = bits.get(b.id) ?? 0;
      if (b.setBits !== owned) {
        return `block ${b.id}: ${b.setBits} bits set, but its bufctls account for ${owned}`;
      }
      if (b.live !== (count.get(b.id) ?? 0)) {
        return `block ${b.id}: ${b.live} live objects, but ${count.get(b.id) ?? 0} bufctls point at it`;
      }
    }
    return undefined;
  },
});
