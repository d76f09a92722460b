import type { KiranDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

interface BlockView {
  readonly b: KiranDetail["list"][number];
  readonly currency: number;
  /** The bits its bufctls account for. */
  readonly owned: number;
  /** The bufctls that point at it. */
  readonly bufctls: number;
}

const PER_BLOCK: Conjuncts<[BlockView]> = {
  size_used: ({ b, currency }) =>
    b.sizeUsed !== currency * b.setBits
      ? `block ${b.id}: size_used ${b.sizeUsed} bytes, but ${b.setBits} bits are set (${currency * b.setBits} bytes at a ${currency}-byte currency)`
      : undefined,
  obj_map: ({ b, owned }) =>
    b.setBits !== owned
      ? `block ${b.id}: ${b.setBits} bits set, but its bufctls account for ${owned}`
      : undefined,
  live: ({ b, bufctls }) =>
    b.live !== bufctls
      ? `block ${b.id}: ${b.live} live objects, but ${bufctls} bufctls point at it`
      : undefined,
};

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
  conjuncts: conjunctNames(PER_BLOCK),
  // The detail alone: judged between the sections of an interleaved run too.
  state(detail) {
    const { list, bufctls, currency } = detail;
    const bits = new Map<number, number>();
    const count = new Map<number, number>();
    for (const c of bufctls) {
      bits.set(c.block, (bits.get(c.block) ?? 0) + c.bits);
      count.set(c.block, (count.get(c.block) ?? 0) + 1);
    }
    for (const b of list) {
      const broken = firstBroken(PER_BLOCK, {
        b,
        currency,
        owned: bits.get(b.id) ?? 0,
        bufctls: count.get(b.id) ?? 0,
      });
      if (broken !== undefined) return broken;
    }
    return undefined;
  },
});
