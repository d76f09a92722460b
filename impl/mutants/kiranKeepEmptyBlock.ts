import { KiranAllocator } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** An emptied block stays on the list (moved to the tail) and is never released. */
class KiranKeepEmptyBlock extends KiranAllocator {
  protected override releaseEmptyBlock(index: number, _block: PcpuBlock): void {
    this.moveDown(index);
  }
}

export const kiranKeepEmptyBlock: MutantEntry = {
  id: "kiran-keep-empty-block",
  revision: "kiran-2005-09",
  description: "free_percpu does not release a block that became empty",
  source: "LKML [patch 2/11] Sep 2005: an empty block is unlinked and released at once",
  expected: ["no-leak"],
  create: () => new KiranKeepEmptyBlock(),
};
