/**
 * The chunk lists of mm/percpu.c (`pcpu_chunk_lists`, 5.14 and later): chunks kept by the
 * size of their largest free area, plus three lists of Roman Gushchin's partial depopulation.
 *
 *   slot 0            chunks with < 4 free bytes or contig hint 0, and chunks that failed a
 *                     fit while in a slot below PCPU_SLOT_FAIL_THRESHOLD (3)
 *   slot 1 .. 13      __pcpu_size_to_slot(contig_hint × 4) = max(fls(bytes) - 5 + 2, 1)
 *   slot 14 sidelined isolated chunks the reclaim left populated
 *   slot 15 free      fully free chunks (free size = unit size)
 *   slot 16 to_depop  isolated chunks waiting for pcpu_reclaim_populated
 *
 * (slot numbers for the 32 KiB unit: __pcpu_size_to_slot(32768) = 13.) pcpu_chunk_relocate
 * moves a chunk to the front of a higher slot and the tail of a lower one, and leaves isolated
 * chunks and the reserved chunk (on no list) where they are.
 */
import type { PcpuChunk } from "./pcpuChunk.ts";
import { PCPU_MIN_ALLOC_SIZE } from "./chunkMaps.ts";

/** PCPU_SLOT_BASE_SHIFT. */
export const PCPU_SLOT_BASE_SHIFT = 5;
/** PCPU_SLOT_FAIL_THRESHOLD. */
export const PCPU_SLOT_FAIL_THRESHOLD = 3;

/** fls: the 1-based index of the highest set bit, 0 for 0. */
export function fls(value: number): number {
  return value <= 0 ? 0 : Math.floor(Math.log2(value)) + 1;
}

/** __pcpu_size_to_slot. */
export function sizeToSlotRaw(size: number): number {
  return Math.max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

export class ChunkSlots {
  readonly unitSize: number;
  readonly sidelinedSlot: number;
  readonly freeSlot: number;
  readonly toDepopulateSlot: number;
  readonly lists: PcpuChunk[][];

  constructor(unitSize: number) {
    this.unitSize = unitSize;
    this.sidelinedSlot = sizeToSlotRaw(unitSize) + 1;
    this.freeSlot = this.sidelinedSlot + 1;
    this.toDepopulateSlot = this.freeSlot + 1;
    this.lists = Array.from({ length: this.toDepopulateSlot + 1 }, () => []);
  }

  /** pcpu_size_to_slot: the free slot for a whole unit. */
  sizeToSlot(size: number): number {
    return size === this.unitSize ? this.freeSlot : sizeToSlotRaw(size);
  }

  /** pcpu_chunk_slot: where a chunk belongs by its contig hint. */
  chunkSlot(chunk: PcpuChunk): number {
    if (chunk.freeBytes < PCPU_MIN_ALLOC_SIZE || chunk.chunkMd.contigHint === 0) return 0;
    return this.sizeToSlot(chunk.chunkMd.contigHint * PCPU_MIN_ALLOC_SIZE);
  }

  /** The slot a chunk is on now, or -1. */
  slotOf(chunk: PcpuChunk): number {
    return this.lists.findIndex((l) => l.includes(chunk));
  }

  private unlink(chunk: PcpuChunk): void {
    for (const list of this.lists) {
      const i = list.indexOf(chunk);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** __pcpu_chunk_move: list_move (front) or list_move_tail. */
  move(chunk: PcpuChunk, slot: number, front: boolean): void {
    this.unlink(chunk);
    const list = this.lists[slot] as PcpuChunk[];
    if (front) list.unshift(chunk);
    else list.push(chunk);
  }

  /** pcpu_chunk_relocate: after a change, to the slot the chunk now belongs in. */
  relocate(chunk: PcpuChunk, oslot: number): void {
    if (chunk.isolated || chunk.reserved) return;
    const nslot = this.chunkSlot(chunk);
    if (oslot !== nslot) this.move(chunk, nslot, oslot < nslot);
  }

  /** list_del: the chunk leaves every list (before it is destroyed). */
  remove(chunk: PcpuChunk): void {
    this.unlink(chunk);
  }

  /** Every chunk, slot by slot. */
  all(): PcpuChunk[] {
    return this.lists.flat();
  }
}
