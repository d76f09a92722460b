import { KiranAllocator } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** free clears one bit too many: the next currency unit, maybe a neighbour's, looks free. */
class KiranFreeExtraBit extends KiranAllocator {
  protected override clearObject(block: PcpuBlock, first: number, bits: number): void {
    block.mark(first, Math.min(bits + 1, block.bitmap.length - first), 0);
  }
}

export const kiranFreeExtraBit: MutantEntry = {
  id: "kiran-free-extra-bit",
  revision: "kiran-2005-09",
  description: "free_percpu clears bits + 1 bits of the block bitmap",
  source:
    "LKML [patch 2/11] Sep 2005 free path (clear the object's bits); the class of the 2017 bitmap fixes",
  expected: ["no-overlap"],
  create: () => new KiranFreeExtraBit(),
};
