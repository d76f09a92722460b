/**
 * The pages behind a chunk's units (mm/percpu.c of 2.6.30: pcpu_chunk_addr,
 * pcpu_populate_chunk / pcpu_alloc_pages / pcpu_map_pages, pcpu_depopulate_chunk, and the page
 * first chunk's boot-time population).
 *
 *   unit page index   0   1   2   3   4   5   6   7        populated[] (one flag per index,
 *   cpu 0's unit    | p | p | p | . | . | . | . | . |       for every possible CPU at once)
 *   cpu 2's unit    | p | p | p | . | . | . | . | . |
 *                     ^ pcpu_chunk_addr(chunk, cpu, i) = base + unit_offsets[cpu] + i x PAGE_SIZE
 *
 * Rules:
 * - Populating [off, off + size) takes, for each page index in [PFN_DOWN(off), PFN_UP(off +
 *   size)) not yet populated, one page per possible CPU from cpu_to_node(cpu) with GFP_KERNEL |
 *   __GFP_HIGHMEM (for_each_possible_cpu in pcpu_alloc_pages). A failed page allocation frees
 *   every page taken so far (the err path: "give memory back", pcpu_depopulate_chunk) and maps none;
 *   only when every page is there are they mapped and marked populated.
 * - Depopulating unmaps and frees every populated page of every possible CPU's unit.
 * - The first chunk (pcpu_page_first_chunk) gets all its pages at boot from each CPU's node,
 *   from low memory (bootmem); a boot that cannot get them is a boot failure (panic).
 */
import { MachineError, PAGE_SIZE, type Machine } from "../../machine/index.ts";
import { ok, type Result } from "../../result.ts";
import type { WorkCounters } from "../simulatedAllocator.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { UNIT_PAGE_OWNER } from "./pcpuSizes.ts";
import type { UnitLayout } from "./unitLayout.ts";

/** pcpu_chunk_addr: the address of page i of CPU `cpu`'s unit. */
export function chunkPageAddr(
  layout: UnitLayout,
  chunk: PcpuChunk,
  cpu: number,
  i: number,
): number {
  return chunk.base + (layout.unitOffsets.get(cpu) as number) + i * PAGE_SIZE;
}

/** pcpu_page_first_chunk: every page of every possible CPU's unit, from its node, at boot. */
export function populateFirstChunk(m: Machine, layout: UnitLayout, chunk: PcpuChunk): void {
  for (const cpu of m.cpus.possibleList) {
    const node = m.cpus.cpuToNode(cpu);
    for (let i = 0; i < chunk.populated.length; i++) {
      const page = m.pages.alloc({ node, zero: true, owner: UNIT_PAGE_OWNER });
      if (!page.ok) throw new MachineError(`percpu: first chunk: ${page.message}`);
      m.vmalloc.map(chunkPageAddr(layout, chunk, cpu, i), page.value.pfn);
    }
  }
  chunk.populated.fill(1);
}

/**
 * Allocates and maps the unpopulated pages of [off, off + size); on ENOMEM `unwind` gets the
 * pages taken so far (by default freed: none kept).
 */
export function populateChunkPages(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  off: number,
  size: number,
  work: WorkCounters,
  unwind: (pfns: readonly number[]) => void = (pfns) => pfns.forEach((pfn) => m.pages.free(pfn)),
): Result<void> {
  const pageStart = Math.floor(off / PAGE_SIZE);
  const pageEnd = Math.ceil((off + size) / PAGE_SIZE);
  const taken: { addr: number; pfn: number; page: number }[] = [];
  for (let i = pageStart; i < pageEnd; i++) {
    if (chunk.populated[i] === 1) continue;
    for (const cpu of m.cpus.possibleList) {
      work.loopIterations++;
      const node = m.cpus.cpuToNode(cpu);
      const page = m.pages.alloc({ node, highmem: true, owner: UNIT_PAGE_OWNER });
      if (!page.ok) {
        unwind(taken.map((t) => t.pfn));
        return page;
      }
      taken.push({ addr: chunkPageAddr(layout, chunk, cpu, i), pfn: page.value.pfn, page: i });
    }
  }
  for (const t of taken) {
    m.vmalloc.map(t.addr, t.pfn);
    chunk.populated[t.page] = 1;
  }
  return ok();
}

/**
 * pcpu_depopulate_chunk(chunk, 0, unit_size): unmap every populated page and hand it to
 * `release` (by default freed).
 */
export function depopulateChunk(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  release: (pfn: number) => void = (pfn) => m.pages.free(pfn),
): void {
  for (let i = 0; i < chunk.populated.length; i++) {
    if (chunk.populated[i] !== 1) continue;
    for (const cpu of m.cpus.possibleList) {
      release(m.vmalloc.unmap(chunkPageAddr(layout, chunk, cpu, i)));
    }
    chunk.populated[i] = 0;
  }
}
