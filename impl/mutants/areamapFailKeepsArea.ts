import { AreamapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/areamap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc's fail path without its pcpu_free_area: when populating the area's pages fails,
 * the area stays used in the map with no object to free it, so the chunk never empties.
 *
 *   alloc(16384) populate fails:  map [-16384, -16384]  ENOMEM, yet the area stays used
 *
 * Caught by no-leak (the chunk is never reclaimed): areamap-live-areas sees the stray area
 * too, but areamap-2009 fails that one by design (a served bad alignment), so it separates
 * nothing.
 */
class AreamapFailKeepsArea extends AreamapAllocator {
  protected override unwindArea(_chunk: PcpuChunk, _off: number): void {}
}

export const areamapFailKeepsArea: MutantEntry = {
  id: "areamap-fail-keeps-area",
  revision: "areamap-2009",
  description:
    "pcpu_alloc returns ENOMEM after a failed pcpu_populate_chunk without pcpu_free_area: the failed allocation's area stays used",
  source:
    "mm/percpu.c 2.6.30 pcpu_alloc: 'if (pcpu_populate_chunk(chunk, off, size)) { spin_lock_irq(&pcpu_lock); pcpu_free_area(chunk, off); goto fail_unlock; }'",
  expected: ["no-leak"],
  create: () => new AreamapFailKeepsArea(),
};
