/**
 * pcpu_alloc_first_chunk (mm/percpu.c, 6.12): a chunk over one region of the first chunk, the
 * boot-time unit that also holds the kernel's static per-CPU variables.
 *
 *   unit (pcpu_unit_size)
 *   | static | reserved  | dynamic                      | rest of the unit (freed at boot) |
 *   ^base    ^tmp_addr: the region starts here; the chunk starts at its page (aligned_addr)
 *            |<-start_offset->|                 |<-end_offset->|
 *             hidden: allocated bits at boot      hidden: allocated bits up to the page end
 *
 * The chunk is immutable: fully populated from boot (memblock memory), never depopulated,
 * never destroyed. Its free_bytes is the region's size; the hidden parts are allocated areas
 * no one frees, so every search sees them as used.
 */
import { PAGE_SIZE, alignUp } from "../../machine/index.ts";
import type { WorkCounters } from "../simulatedAllocator.ts";
import { PCPU_MIN_ALLOC_SIZE, type PercpuCounters } from "./chunkMaps.ts";
import { PcpuChunk } from "./pcpuChunk.ts";

/** A first-chunk region: its chunk and where its start lies before the chunk's page. */
export interface FirstChunkRegion {
  readonly chunk: PcpuChunk;
  readonly startOffset: number;
  readonly endOffset: number;
}

/**
 * pcpu_alloc_first_chunk(tmp_addr, map_size): `tmpAddr` is the region's address, `mapSize`
 * its bytes. The chunk's own empty-page count is set as the kernel sets it (all pages, less
 * those the hidden parts touch); the hidden parts change the global empty-page count too, which
 * the caller then sets, as pcpu_setup_first_chunk does.
 */
export function allocFirstChunk(
  id: number,
  tmpAddr: number,
  mapSize: number,
  counters: PercpuCounters,
  work: WorkCounters,
): FirstChunkRegion {
  const alignedAddr = Math.floor(tmpAddr / PAGE_SIZE) * PAGE_SIZE;
  const startOffset = tmpAddr - alignedAddr;
  const regionSize = alignUp(startOffset + mapSize, PAGE_SIZE);
  const endOffset = regionSize - startOffset - mapSize;
  const nrPages = regionSize / PAGE_SIZE;
  const chunk = new PcpuChunk(id, alignedAddr, nrPages, [], counters, work);
  chunk.immutable = true;
  chunk.populated.fill(1);
  chunk.nrPopulated = nrPages;
  chunk.nrEmptyPopPages = nrPages;
  chunk.freeBytes = mapSize;
  chunk.capacity = mapSize;
  if (startOffset > 0) {
    const bits = startOffset / PCPU_MIN_ALLOC_SIZE;
    chunk.fill(chunk.allocMap, 0, bits, 1);
    chunk.boundMap[0] = 1;
    chunk.boundMap[bits] = 1;
    chunk.chunkMd.firstFree = bits;
    chunk.blockUpdateHintAlloc(0, bits);
  }
  if (endOffset > 0) {
    const bits = endOffset / PCPU_MIN_ALLOC_SIZE;
    chunk.fill(chunk.allocMap, chunk.mapBits - bits, bits, 1);
    chunk.boundMap[(startOffset + mapSize) / PCPU_MIN_ALLOC_SIZE] = 1;
    chunk.boundMap[chunk.mapBits] = 1;
    chunk.blockUpdateHintAlloc(chunk.mapBits - bits, bits);
  }
  return { chunk, startOffset, endOffset };
}
