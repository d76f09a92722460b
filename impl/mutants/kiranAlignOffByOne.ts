import { alignUp } from "../machine/index.ts";
import { KiranAllocator } from "../revisions/index.ts";
import type { FreeRun } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** The alignment slide stops one currency unit short when it has to move at all. */
class KiranAlignOffByOne extends KiranAllocator {
  protected override slide(run: FreeRun, alignBits: number): number {
    const first = alignUp(run.start, alignBits);
    return first > run.start ? first - 1 : first;
  }
}

export const kiranAlignOffByOne: MutantEntry = {
  id: "kiran-align-off-by-one",
  revision: "kiran-2005-09",
  description: "the alignment slide inside a free run stops one currency unit (4 bytes) short",
  source: "LKML [patch 2/11] Sep 2005: the obj_map search sliding the start for alignment",
  expected: ["alignment"],
  create: () => new KiranAlignOffByOne(),
};
