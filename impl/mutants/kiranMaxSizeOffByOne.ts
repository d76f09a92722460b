import type { Result } from "../result.ts";
import { err } from "../result.ts";
import { KiranAllocator } from "../revisions/index.ts";
import type { SizeAlign } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** Refuses an object of exactly MAX_OBJSIZE (a `<` where `<=` belongs). */
class KiranMaxSizeOffByOne extends KiranAllocator {
  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (size === this.maxSize) return err("EINVAL", `alloc: size ${size} out of range`);
    return super.checkSizeAlign(size, align);
  }
}

export const kiranMaxSizeOffByOne: MutantEntry = {
  id: "kiran-max-size-off-by-one",
  revision: "kiran-2005-09",
  description: "an allocation of exactly MAX_OBJSIZE (8 KiB) is refused with EINVAL",
  source: "LKML [patch 2/11] Sep 2005: MAX_OBJSIZE = PCPU_BLKSIZE is the upper bound of an object",
  expected: ["completeness"],
  create: () => new KiranMaxSizeOffByOne(),
};
