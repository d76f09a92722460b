import { KiranAllocator } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The free-run scan stops short of the end of the bitmap: a free run that reaches the block's
 * end (and is not the whole block) is never seen, so a new block is made while that space
 * waits. Every request still succeeds and every block is still released when empty.
 */
class KiranSkipTailRun extends KiranAllocator {
  protected override findFit(
    block: PcpuBlock,
    bits: number,
    alignBits: number,
  ): number | undefined {
    const last = block.bitmap.length - 1;
    if (block.sizeUsed > 0 && block.bitmap[last] === 0) {
      // Pretend the tail run is used while searching this block.
      const tail = block.bitmap.lastIndexOf(1) + 1;
      block.mark(tail, block.bitmap.length - tail, 1);
      try {
        return super.findFit(block, bits, alignBits);
      } finally {
        block.mark(tail, block.bitmap.length - tail, 0);
      }
    }
    return super.findFit(block, bits, alignBits);
  }
}

export const kiranSkipTailRun: MutantEntry = {
  id: "kiran-skip-tail-run",
  revision: "kiran-2005-09",
  description:
    "the obj_map scan misses a free run that reaches the end of the block, so a new block is made while that space is free",
  source:
    "percpu: fix iteration to prevent skipping over block (2017): free space skipped by the region iterator",
  expected: ["refinement"],
  create: () => new KiranSkipTailRun(),
};
