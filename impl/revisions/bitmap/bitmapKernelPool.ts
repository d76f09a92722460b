/**
 * What bitmap-2017-kernel keeps with nothing live, and how it differs from the kernel it
 * models (the revisions table's `pool` and `differences`).
 *
 *   after `reclaim` with nothing live: the first and reserved chunks (boot, the baseline) and
 *   up to two dynamic chunks: the spare pcpu_balance_free keeps at the free slot's head, and a
 *   chunk pcpu_reclaim_populated depopulated and reintegrated, which returns to that head
 *   after the spare was chosen (the count harnesses/linux declares for the same code)
 *
 * Metadata is counted in bytes, as pcpu-linux counts it, so no metadata page is held.
 */
import { spareChunksBound, type RetainedPool } from "../retainedPool.ts";
import { PCPU_UNIT_PAGES, PCPU_UNIT_SIZE } from "./percpuVm.ts";

export const BITMAP_KERNEL_POOL: RetainedPool = {
  what: "up to two fully free dynamic chunks with their populated pages after the worker ran (pcpu_balance_free spares the free slot's first chunk; a chunk reclaimed and reintegrated after that choice joins it), besides the first chunk's boot memory; metadata is held in bytes, not pages",
  bound(config) {
    return spareChunksBound({
      chunks: 2,
      units: config.possible.length,
      unitBytes: PCPU_UNIT_SIZE,
      metaPages: 0,
      pageSize: PCPU_UNIT_SIZE / PCPU_UNIT_PAGES,
    });
  },
};

export const BITMAP_KERNEL_DIFFERENCES: readonly string[] = [
  "the geometry is pcpu-linux --small-unit's (4 KiB static, 8 KiB reserved, 20 KiB dynamic, page atoms): its units come out at PCPU_MIN_UNIT_SIZE (32 KiB), the one unit size dynamic chunks are modelled at; Debian's embed geometry (225,280-byte static area, 2 MiB atoms, 256 KiB to 1 MiB units) is computed (allocInfo.ts) but not run",
  "the machine is pcpu-linux's: its memory map decides the group offsets (each node's boot zone, node 0's boot tables first) and where 2 MiB page-table boundaries fall; nodes are laid out in node order (pcpu-linux's default, not --node-order reverse)",
  "the first chunk's boot memory is taken from each node's page allocator at boot, where the kernel takes it from memblock: the same pages held by node; the allocator's own boot tables (memblock) are not counted in meta_bytes",
  "a chunk's vm area is one span of the model's vmalloc space holding every group at its offset (pcpu-linux reserves the same span; the kernel's vmalloc gives each group its own area)",
];
