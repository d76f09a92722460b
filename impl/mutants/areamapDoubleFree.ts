import { AreamapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/areamap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_free_area without its BUG_ON on a free entry: a second free of the same pointer finds
 * the (now free) entry that starts at its offset and "frees" it again, negating a free entry
 * into a used one and lowering free_size, where the kernel stops with BUG.
 *
 *   [-16384, -8, +16376]  free(o1) -> [-16384, +16384]  free(o1) again -> accepted, map corrupt
 */
class AreamapDoubleFree extends AreamapAllocator {
  protected override findFreeable(chunk: PcpuChunk, off: number): number {
    for (let i = 0, at = 0; i < chunk.mapUsed; at += Math.abs(chunk.map[i++] as number)) {
      if (at === off) return i;
    }
    return -1;
  }
}

export const areamapDoubleFree: MutantEntry = {
  id: "areamap-double-free",
  revision: "areamap-2009",
  description:
    "pcpu_free_area drops 'BUG_ON(chunk->map[i] > 0)': a double free is accepted and turns a free area into a used one (caught by bad-input)",
  source:
    "mm/percpu.c 2.6.30 pcpu_free_area: 'BUG_ON(off != freeme); BUG_ON(chunk->map[i] > 0);', the check that catches a double free (SOURCES.md, the 2009 area-map allocator)",
  expected: ["bad-input"],
  create: () => new AreamapDoubleFree(),
};
