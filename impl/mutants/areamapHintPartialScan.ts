import { AreamapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * After a fit, the contig hint is set to the largest free area seen so far even when the scan
 * stopped before the last map entry: the free areas after the fit are forgotten, the hint
 * falls below the largest free area, and requests that would fit there skip the chunk.
 *
 *   map [ -16384, +8, -8, +16368 ]   alloc(4) fits at the +8, leaving +4
 *   -> contig_hint = max(4) = 4 although +16368 is free further on
 */
class AreamapHintPartialScan extends AreamapAllocator {
  protected override hintAfterFit(_hint: number, maxContig: number): number {
    return maxContig;
  }
}

export const areamapHintPartialScan: MutantEntry = {
  id: "areamap-hint-partial-scan",
  revision: "areamap-2009",
  description:
    "pcpu_alloc_area sets the contig hint to the free areas seen before the fit even when the scan did not reach the last entry, so the hint can fall below the largest free area (caught by areamap-contig-hint only: the chunk is skipped and a new one made, which no black-box invariant sees)",
  source:
    "mm/percpu.c 2.6.30 pcpu_alloc_area: 'if (is_last) chunk->contig_hint = max_contig; /* fully scanned */ else ... max(chunk->contig_hint, max_contig)', which keeps the header's promise that the hint is 'equal to or larger than the maximum contiguous area'",
  expected: ["areamap-contig-hint"],
  create: () => new AreamapHintPartialScan(),
};
