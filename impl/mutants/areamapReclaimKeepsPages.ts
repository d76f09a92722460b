import { AreamapAllocator } from "../revisions/index.ts";
import { depopulateChunk } from "../revisions/areamap/chunkPages.ts";
import type { PcpuChunk } from "../revisions/areamap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_reclaim frees a fully free chunk without depopulating it first: free_vm_area unmaps the
 * vm area and gives it back, but the pages that backed its units stay allocated with nothing
 * to reach them.
 *
 *   chunks 1, 2 fully free ─ reclaim ─► chunk 1 spared; chunk 2 freed, its 8 pages a CPU lost
 */
class AreamapReclaimKeepsPages extends AreamapAllocator {
  /** free_vm_area's unmapping alone: the translations go, the pages are never freed. */
  protected override depopulateForDestroy(chunk: PcpuChunk): void {
    depopulateChunk(this.machine, this.layout, chunk, () => {});
  }
}

export const areamapReclaimKeepsPages: MutantEntry = {
  id: "areamap-reclaim-keeps-pages",
  revision: "areamap-2009",
  description:
    "pcpu_reclaim calls free_pcpu_chunk without pcpu_depopulate_chunk(chunk, 0, pcpu_unit_size): a freed chunk's pages leak",
  source:
    "mm/percpu.c 2.6.30 pcpu_reclaim: 'pcpu_depopulate_chunk(chunk, 0, pcpu_unit_size, false); free_pcpu_chunk(chunk);'; 'percpu: fix pcpu_reclaim() locking' (2009)",
  expected: ["no-leak"],
  create: () => new AreamapReclaimKeepsPages(),
};
