import { AreamapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/areamap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * A free merges the freed area with a free previous entry but forgets the free next one: two
 * adjacent free entries stay in the map, and a later request larger than either but smaller
 * than both together does not fit there.
 *
 *   map [ -16384, -4, +16380 ]   free(o1) -> [ -16384, +4, +16380 ]   (should be +16384)
 */
class AreamapFreeNoMerge extends AreamapAllocator {
  protected override mergeFreed(chunk: PcpuChunk, i: number): number {
    return chunk.mergeWithPrevious(i);
  }
}

export const areamapFreeNoMerge: MutantEntry = {
  id: "areamap-free-no-merge",
  revision: "areamap-2009",
  description:
    "pcpu_free_area merges the freed area with a free previous entry only, leaving it beside a free next entry (caught by areamap-map-sum)",
  source:
    "mm/percpu.c 2.6.30 pcpu_free_area's '/* merge with next? */', the step of kernel/module.c percpu_modfree that the area map was 'mostly copied from'",
  expected: ["areamap-map-sum"],
  create: () => new AreamapFreeNoMerge(),
};
