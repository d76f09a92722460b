import { KiranAllocator } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** An emptied block stays on the list until deferred work (reclaim) releases it. */
class KiranReleaseOnReclaim extends KiranAllocator {
  protected override releaseEmptyBlock(index: number, _block: PcpuBlock): void {
    this.moveDown(index);
  }

  protected override runDeferredWork(): void {
    for (const block of this.blocks.filter((b) => b.sizeUsed === 0)) {
      this.unlinkBlock(this.blocks.indexOf(block));
      this.destroyBlock(block);
    }
  }
}

export const kiranReleaseOnReclaim: MutantEntry = {
  id: "kiran-release-on-reclaim",
  revision: "kiran-2005-09",
  description:
    "a block that becomes empty stays on the list until reclaim releases it (deferred, where the design releases at once)",
  source: "LKML [patch 2/11] Sep 2005: an empty block is unlinked and released at once",
  expected: ["refinement"],
  create: () => new KiranReleaseOnReclaim(),
};
