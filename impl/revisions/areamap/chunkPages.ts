/**
 * The pages behind a chunk's units, as mm/percpu.c of 2.6.30 handles them: chunk->page[] (one
 * page pointer per possible CPU and unit page), pcpu_populate_chunk, pcpu_depopulate_chunk,
 * pcpu_map / pcpu_unmap, and the x86 "4k" first chunk of arch/x86/kernel/setup_percpu.c.
 *
 *   unit page index   0   1   2   3   4   5   6   7     populated[i]: CPU 0's page[i] is set
 *   cpu 0's unit    | s | s | . | . | p | p | . | . |   (pcpu_chunk_page_occupied)
 *   cpu 1's unit    | s | s | . | . | p | p | . | . |   s: static, mapped at boot
 *                     ^ pcpu_chunk_addr(chunk, cpu, i) = base + (cpu x unit_pages + i) x PAGE_SIZE
 *
 * Rules:
 * - Populating [off, off + size) walks the page indexes [PFN_DOWN(off), PFN_UP(off + size)):
 *   an index whose CPU-0 page is set is skipped, and the run of new indexes before it is mapped
 *   there and then (pcpu_map); for a new index every possible CPU gets a page from
 *   cpu_to_node(cpu) (GFP_KERNEL | __GFP_HIGHMEM | __GFP_COLD); the last run is mapped at the end.
 * - On a failed page allocation the error path calls pcpu_depopulate_chunk(chunk, off, size):
 *   every page of every possible CPU in the whole range is freed and its pointer cleared, and
 *   the range is unmapped, including the indexes that were populated before this call and may
 *   hold live neighbours. That is 2.6.30's behaviour and its bug: a live object that shares a
 *   page with the failed allocation loses that page. ce3141a277ff ("percpu: drop
 *   pcpu_chunk->page[]", Tejun Heo, 3 Jul 2009, in 2.6.32) rewrote both functions so that the
 *   error path frees and unmaps only what the call itself allocated and mapped.
 * - Depopulating a whole chunk for reclaim (pcpu_depopulate_chunk(chunk, 0, unit_size)) frees
 *   every page it has.
 * - The first chunk (setup_pcpu_4k on x86): only the static area's PFN_UP(static_size) pages of
 *   each possible CPU are allocated (from that CPU's node, bootmem) and mapped at boot; its
 *   reserved and dynamic pages are populated on demand like any chunk's (the first chunk is not
 *   immutable in the 4k set-up). A boot that cannot get them panics.
 */
import { MachineError, PAGE_SIZE, type Machine } from "../../machine/index.ts";
import { ok, type Result } from "../../result.ts";
import type { WorkCounters } from "../simulatedAllocator.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { UNIT_PAGE_OWNER, UNIT_PAGES } from "./pcpuSizes.ts";
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

/** pcpu_page_idx: the index of CPU `cpu`'s page i in chunk->page[]. */
export function pageIdx(cpu: number, i: number): number {
  return cpu * UNIT_PAGES + i;
}

/** Sets or clears one page pointer, keeping the CPU-0 flag in step. */
function setPage(chunk: PcpuChunk, cpu: number, i: number, pfn: number | undefined): void {
  if (pfn === undefined) chunk.pageAr.delete(pageIdx(cpu, i));
  else chunk.pageAr.set(pageIdx(cpu, i), pfn);
  if (cpu === 0) chunk.populated[i] = pfn === undefined ? 0 : 1;
}

/** setup_pcpu_4k + pcpu_setup_first_chunk: the static pages of every possible CPU, mapped. */
export function populateFirstChunk(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  staticPages: number,
): void {
  for (const cpu of m.cpus.possibleList) {
    const node = m.cpus.cpuToNode(cpu);
    for (let i = 0; i < staticPages; i++) {
      const page = m.pages.alloc({ node, zero: true, owner: UNIT_PAGE_OWNER });
      if (!page.ok) throw new MachineError(`percpu: first chunk: ${page.message}`);
      setPage(chunk, cpu, i, page.value.pfn);
    }
  }
  mapRun(m, layout, chunk, 0, staticPages);
}

/** pcpu_map: every possible CPU's pages [start, end) mapped at their unit addresses. */
function mapRun(m: Machine, layout: UnitLayout, chunk: PcpuChunk, start: number, end: number) {
  for (const cpu of m.cpus.possibleList) {
    for (let i = start; i < end; i++) {
      m.vmalloc.map(
        chunkPageAddr(layout, chunk, cpu, i),
        chunk.pageAr.get(pageIdx(cpu, i)) as number,
      );
    }
  }
}

/**
 * pcpu_populate_chunk(chunk, off, size) without the clearing: ENOMEM after `onFailure` (by
 * default pcpu_depopulate_chunk(chunk, off, size), the 2.6.30 error path).
 */
export function populateChunkPages(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  off: number,
  size: number,
  work: WorkCounters,
  onFailure: (pageStart: number, pageEnd: number, taken: readonly TakenPage[]) => void,
): Result<void> {
  const pageStart = Math.floor(off / PAGE_SIZE);
  const pageEnd = Math.ceil((off + size) / PAGE_SIZE);
  const taken: TakenPage[] = [];
  let mapStart = -1;
  let mapEnd = -1;
  for (let i = pageStart; i < pageEnd; i++) {
    if (chunk.populated[i] === 1) {
      if (mapStart >= 0) mapRun(m, layout, chunk, mapStart, mapEnd);
      mapStart = -1;
      continue;
    }
    if (mapStart < 0) mapStart = i;
    mapEnd = i + 1;
    for (const cpu of m.cpus.possibleList) {
      work.loopIterations++;
      const page = m.pages.alloc({
        node: m.cpus.cpuToNode(cpu),
        highmem: true,
        owner: UNIT_PAGE_OWNER,
      });
      if (!page.ok) {
        onFailure(pageStart, pageEnd, taken);
        return page;
      }
      setPage(chunk, cpu, i, page.value.pfn);
      taken.push({ cpu, page: i, pfn: page.value.pfn });
    }
  }
  if (mapStart >= 0) mapRun(m, layout, chunk, mapStart, mapEnd);
  return ok();
}

/** A page one populate call allocated: CPU, unit page index, pfn. */
export interface TakenPage {
  readonly cpu: number;
  readonly page: number;
  readonly pfn: number;
}

/**
 * pcpu_depopulate_chunk(chunk, pageStart pages, ...): every set page pointer of every possible
 * CPU in [pageStart, pageEnd) handed to `release` (by default freed) and cleared; then the
 * indexes from the first to the last one freed are unmapped for every CPU (unmapping a page
 * that was never mapped is a no-op, as unmap_kernel_range_noflush is on an empty pte).
 */
export function depopulateRange(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  pageStart: number,
  pageEnd: number,
  release: (pfn: number) => void = (pfn) => m.pages.free(pfn),
): void {
  let unmapStart = -1;
  let unmapEnd = -1;
  for (let i = pageStart; i < pageEnd; i++) {
    for (const cpu of m.cpus.possibleList) {
      const pfn = chunk.pageAr.get(pageIdx(cpu, i));
      if (pfn === undefined) continue;
      release(pfn);
      setPage(chunk, cpu, i, undefined);
      if (unmapStart < 0) unmapStart = i;
      unmapEnd = i + 1;
    }
  }
  if (unmapStart < 0) return;
  for (const cpu of m.cpus.possibleList) {
    for (let i = unmapStart; i < unmapEnd; i++) {
      const addr = chunkPageAddr(layout, chunk, cpu, i);
      if (m.vmalloc.lookup(addr) !== undefined) m.vmalloc.unmap(addr);
    }
  }
}

/** pcpu_depopulate_chunk(chunk, 0, unit_size): every page of the chunk. */
export function depopulateChunk(
  m: Machine,
  layout: UnitLayout,
  chunk: PcpuChunk,
  release: (pfn: number) => void = (pfn) => m.pages.free(pfn),
): void {
  depopulateRange(m, layout, chunk, 0, chunk.populated.length, release);
}
