import { KiranAllocator } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { Ptr } from "../allocator.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The allocation adds the requested size to size_used instead of the bytes its currency bits
 * cover: an object whose size is not a multiple of the currency (4 bytes) leaves size_used
 * below the bitmap's count, so a full block can look partial and the list order drifts.
 */
class KiranSizeUsedBytes extends KiranAllocator {
  protected override take(
    index: number,
    block: PcpuBlock,
    first: number,
    bits: number,
    size: number,
  ): Ptr {
    const addr = super.take(index, block, first, bits, size);
    block.sizeUsed += size - bits * this.currency;
    return addr;
  }
}

export const kiranSizeUsedBytes: MutantEntry = {
  id: "kiran-size-used-bytes",
  revision: "kiran-2005-09",
  description:
    "alloc adds the requested size to size_used, not currency x bits: size_used drifts from the obj_map",
  source:
    "LKML [patch 2/11] Sep 2005: size_used counts currency units of the obj_map (PCPU_CURR_SIZE rounding)",
  expected: ["kiran-bytes-used"],
  create: () => new KiranSizeUsedBytes(),
};
