/**
 * The white-box detail of bitmap-2017 (`inspect().detail`, design "bitmap-2017"): per chunk the
 * bitmaps in compact form, every md block, the chunk md, the counts, the slot it is on, and per
 * page how many possible CPUs' addresses still translate (so "a depopulated page is
 * unreadable" can be judged from the machine's page table, not from the allocator's word).
 *
 *   allocRuns  [[start, bits], ...]  runs of set alloc bits
 *   bounds     [bit, ...]            set bound bits
 *   populated  [0|1 per page]
 *   mapped     [CPUs mapped per page]
 */
import type { PcpuBlockMd } from "./blockMd.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import type { WatermarkCheck } from "./bitmapAllocator.ts";

export interface BitmapChunkDetail {
  readonly id: number;
  readonly slot: number;
  readonly isolated: boolean;
  readonly mapBits: number;
  readonly nrPages: number;
  readonly freeBytes: number;
  readonly nrPopulated: number;
  readonly nrEmptyPopPages: number;
  readonly allocRuns: readonly (readonly [number, number])[];
  readonly bounds: readonly number[];
  readonly populated: readonly number[];
  readonly mapped: readonly number[];
  readonly units: number;
  readonly blocks: readonly PcpuBlockMd[];
  readonly chunkMd: PcpuBlockMd;
  /** The chunk hint was last set by a full rescan of the md blocks. */
  readonly fullScanned: boolean;
  /** pcpu_reserved_chunk (on no list: slot -1; never on the global empty-page count). */
  readonly reserved?: true;
  /** The first chunk or the reserved chunk: populated at boot, never depopulated or freed. */
  readonly immutable?: true;
  /** pcpu_first_chunk (the first chunk's dynamic region). */
  readonly first?: true;
}

export interface BitmapDetail {
  readonly design: "bitmap-2017";
  readonly unitSize: number;
  readonly minAllocSize: number;
  readonly emptyPopPagesLow: number;
  readonly emptyPopPagesHigh: number;
  /** pcpu_nr_populated. */
  readonly nrPopulated: number;
  /** pcpu_nr_empty_pop_pages. */
  readonly nrEmptyPopPages: number;
  readonly freeSlot: number;
  readonly sidelinedSlot: number;
  readonly toDepopulateSlot: number;
  readonly workerRuns: number;
  readonly lastAlloc: WatermarkCheck | undefined;
  /** Chunks in slot order, as the lists hold them. */
  readonly chunks: readonly BitmapChunkDetail[];
  /** Data pages the machine's page allocator holds for the allocator (owner "percpu-data"). */
  readonly dataPages: number;
  /**
   * Pages pcpu_nr_populated counts outside every chunk: the first chunk's static region
   * (pcpu_setup_first_chunk adds PFN_DOWN(size_sum)); 0 without a first chunk.
   */
  readonly staticPages: number;
  /** Chunks the last worker run made or reintegrated fully free (balanceWorker.ts). */
  readonly workerKept: readonly number[];
  /** Live areas: chunk id, byte offset, size. */
  readonly live: readonly { readonly chunk: number; readonly off: number; readonly size: number }[];
}

/**
 * Runs of set bits [start, length), by native scans (the detail is made once per state). The
 * maps hold 0 and 1 only (ChunkMaps.fill takes `0 | 1`), so a run ends at the next 0.
 */
export function setRuns(map: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = map.indexOf(1); i >= 0;) {
    const end = map.indexOf(0, i);
    const j = end < 0 ? map.length : end;
    runs.push([i, j - i]);
    i = map.indexOf(1, j);
  }
  return runs;
}

/** The indices of the set bits (1) of a map. */
export function setBits(map: Uint8Array): number[] {
  const bits: number[] = [];
  for (let i = map.indexOf(1); i >= 0; i = map.indexOf(1, i + 1)) bits.push(i);
  return bits;
}

/** One chunk's detail; `translate(cpu, page)` is the frame mapped there, if any. */
export function chunkDetail(
  chunk: PcpuChunk,
  slot: number,
  translate: (cpu: number, page: number) => number | undefined,
): BitmapChunkDetail {
  const cpus = [...chunk.pages.keys()];
  const mapped: number[] = [];
  for (let page = 0; page < chunk.nrPages; page++) {
    let n = 0;
    for (const cpu of cpus) if (translate(cpu, page) !== undefined) n++;
    mapped.push(n);
  }
  return {
    id: chunk.id,
    slot,
    isolated: chunk.isolated,
    mapBits: chunk.mapBits,
    nrPages: chunk.nrPages,
    freeBytes: chunk.freeBytes,
    nrPopulated: chunk.nrPopulated,
    nrEmptyPopPages: chunk.nrEmptyPopPages,
    allocRuns: setRuns(chunk.allocMap),
    bounds: setBits(chunk.boundMap),
    populated: [...chunk.populated],
    mapped,
    units: cpus.length,
    blocks: chunk.mdBlocks.map((b) => ({ ...b })),
    chunkMd: { ...chunk.chunkMd },
    fullScanned: chunk.fullScanned,
    ...(chunk.reserved ? { reserved: true as const } : {}),
    ...(chunk.immutable ? { immutable: true as const } : {}),
    ...(chunk.firstChunk ? { first: true as const } : {}),
  };
}
