import { MachineError } from "../machine/index.ts";
import { AreamapAllocator } from "../revisions/index.ts";
import type { MapMemory } from "../revisions/areamap/pcpuChunk.ts";
import { pcpuMemAlloc } from "../revisions/areamap/pcpuMem.ts";
import { PCPU_DFL_MAP_ALLOC } from "../revisions/areamap/areamapAllocator.ts";
import type { Result } from "../result.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * alloc_pcpu_chunk stores the first map entry without checking that the map was allocated:
 * when the map's kzalloc fails (its slab needs a page and the page allocation fails), the
 * store `chunk->map[chunk->map_used++] = pcpu_unit_size` dereferences NULL.
 *
 *   chunk = kzalloc(struct)        ok
 *   chunk->map = pcpu_mem_alloc()  NULL (ENOMEM)
 *   chunk->map[0] = unit_size      oops
 */
class AreamapMapAllocUnchecked extends AreamapAllocator {
  protected override allocChunkMap(_structAddr: number): Result<MapMemory> {
    const map = pcpuMemAlloc(this.machine, PCPU_DFL_MAP_ALLOC * 4);
    if (!map.ok) {
      throw new MachineError(
        `alloc_pcpu_chunk: NULL pointer dereference storing chunk->map[0] (${map.message})`,
      );
    }
    return map;
  }
}

export const areamapMapAllocUnchecked: MutantEntry = {
  id: "areamap-map-alloc-unchecked",
  revision: "areamap-2009",
  description:
    "alloc_pcpu_chunk uses chunk->map without checking pcpu_mem_alloc's result, so a failed map allocation oopses (caught by no-oops)",
  source:
    "mm/percpu.c 2.6.30 alloc_pcpu_chunk (no NULL check of chunk->map); later kernels add 'if (!chunk->map) { kfree(chunk); return NULL; }'",
  expected: ["no-oops"],
  create: () => new AreamapMapAllocUnchecked(),
};
