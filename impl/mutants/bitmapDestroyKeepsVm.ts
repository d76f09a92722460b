import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_destroy_chunk without pcpu_free_vm_areas: every chunk the worker destroys keeps its
 * vm area (units × 32 KiB of vmalloc space) for good.
 *
 *   chunks 0, 1 fully free ─ worker ─► chunk 0 spared; chunk 1 destroyed, its vm area kept
 */
class BitmapDestroyKeepsVm extends BitmapAllocator {
  protected override freeVmAreas(_chunk: PcpuChunk): void {}
}

export const bitmapDestroyKeepsVm: MutantEntry = {
  id: "bitmap-destroy-keeps-vm",
  revision: "bitmap-2017",
  description:
    "pcpu_destroy_chunk frees the chunk's metadata but not its vm areas: vmalloc space leaks with every destroyed chunk",
  source:
    "mm/percpu-vm.c pcpu_destroy_chunk: 'if (chunk->data) pcpu_free_vm_areas(chunk->data, pcpu_nr_groups); pcpu_free_chunk(chunk);'",
  expected: ["no-leak"],
  create: () => new BitmapDestroyKeepsVm(),
};
